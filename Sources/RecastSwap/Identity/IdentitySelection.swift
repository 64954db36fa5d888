import RecastMedia

/// Why a reference image cannot serve as the identity, with what to do about it.
public enum IdentityError: Error, CustomStringConvertible, Equatable {
    case noFace(image: String)
    case ambiguous(image: String, faces: Int)
    case tooSmall(image: String, width: Int, minimum: Int)

    public var description: String {
        switch self {
        case .noFace(let image):
            return "no face found in \(image): use a photo where the face is clearly visible, roughly frontal"
        case .ambiguous(let image, let faces):
            return "\(image) shows \(faces) faces of about the same size: crop it to the one person to use"
        case .tooSmall(let image, let width, let minimum):
            return "the face in \(image) is \(width) px wide; at least \(minimum) px is needed: use a larger or closer photo"
        }
    }
}

/// Picks the face of a reference image that becomes the identity: the largest,
/// provided it is large enough to give detail and clearly larger than any other.
public enum IdentitySelection {
    /// Narrower faces hold too little detail for the 256² face crop the swap works at.
    public static let minimumFaceWidth = 64
    /// A second face at least this fraction of the largest one's area makes the choice ambiguous.
    public static let ambiguityRatio: Float = 0.8

    public static func choose(from faces: [AnalyzedFace], image: String) throws(IdentityError) -> AnalyzedFace {
        let ranked = faces.sorted { $0.area > $1.area }
        guard let largest = ranked.first else { throw .noFace(image: image) }
        let rivals = ranked.dropFirst().filter { $0.area >= largest.area * ambiguityRatio }
        guard rivals.isEmpty else { throw .ambiguous(image: image, faces: rivals.count + 1) }
        guard Int(largest.box.width) >= minimumFaceWidth else {
            throw .tooSmall(image: image, width: Int(largest.box.width), minimum: minimumFaceWidth)
        }
        return largest
    }
}
