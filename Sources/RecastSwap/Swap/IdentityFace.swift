import RecastMedia

/// The identity to swap in, prepared once from one reference image: the face's
/// pixels (a crop around it) and its mesh in that crop's pixels, which is the
/// texture and the source points of the mesh warp.
public struct IdentityFace: Sendable {
    /// The crop with what is not skin near and outside the mesh's outline and above its brows refilled (`SkinFill`):
    /// the warp's texture.
    public let texture: RGBImage
    /// The same crop as photographed: the refiner's reference, which was trained on real surroundings.
    public let photo: RGBImage
    /// The face's mesh in the crop's pixels, z on the same scale (the shape transfer's target).
    public let mesh: [SIMD3<Float>]
    /// The mesh in the picture's plane: the warp's source points.
    public let points: [SIMD2<Float>]
    public let embedding: [Float]

    /// `photo` defaults to `texture`, for a texture that was not refilled.
    public init(texture: RGBImage, photo: RGBImage? = nil, mesh: [SIMD3<Float>], embedding: [Float]) {
        self.texture = texture
        self.photo = photo ?? texture
        self.mesh = mesh
        points = mesh.map { SIMD2($0.x, $0.y) }
        self.embedding = embedding
    }

    /// Finds, checks and crops the reference face (see `IdentitySelection` for what is refused).
    public static func prepare(imagePath: String, analyzer: FaceAnalyzer) throws -> IdentityFace {
        try prepare(image: RGBImage.load(path: imagePath), named: imagePath, analyzer: analyzer)
    }

    /// As `prepare(imagePath:analyzer:)` for an image in memory; `name` says which one in a refusal.
    public static func prepare(image: RGBImage, named name: String, analyzer: FaceAnalyzer) throws -> IdentityFace {
        let face = try IdentitySelection.choose(from: try analyzer.analyze(image, placingEyes: true), image: name)
        let xs = face.mesh.map(\.x), ys = face.mesh.map(\.y)
        // A margin around the mesh so bilinear samples at its edge read face, not the crop border.
        let margin = 0.1 * (xs.max()! - xs.min()!)
        let left = max(0, Int((xs.min()! - margin).rounded(.down))), top = max(0, Int((ys.min()! - margin).rounded(.down)))
        let right = min(image.width, Int((xs.max()! + margin).rounded(.up)))
        let bottom = min(image.height, Int((ys.max()! + margin).rounded(.up)))
        let origin = SIMD3(Float(left), Float(top), 0)
        let mesh = face.mesh.map { $0 - origin }
        let photo = image.cropped(x: left, y: top, width: right - left, height: bottom - top)
        let texture = SkinFill.fill(photo, mesh: mesh)
        return IdentityFace(texture: texture, photo: photo, mesh: mesh, embedding: face.embedding)
    }
}
