/// Which faces of a frame the swap replaces.
public enum FaceSelection: Sendable, Equatable {
    /// The largest face (by box area).
    case largest
    /// Every face found.
    case all
    /// The face most like the person in this image (MobileFace embedding), when one is like them at all.
    case matching(image: String)

    /// Parses `largest`, `all` or `match:IMAGE`; nil for anything else.
    public init?(parsing text: String) {
        switch text {
        case "largest": self = .largest
        case "all": self = .all
        case _ where text.hasPrefix("match:") && text.count > "match:".count: self = .matching(image: String(text.dropFirst("match:".count)))
        default: return nil
        }
    }
}
