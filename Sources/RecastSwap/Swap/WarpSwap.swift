import Foundation
import RecastGPU
import RecastMedia
import RecastNN

/// The warp swap: the identity's face texture drawn onto the live face's mesh
/// (the mesh warp op), its colour matched to the live face, and blended in
/// under a feathered mask. The mesh has holes at the eyes and the mouth, so
/// the live eyes and mouth interior stay the person's own.
public final class WarpSwap: @unchecked Sendable {
    // @unchecked: one pipeline thread calls `swap`; the models serialise their own GPU use.
    public let engine: TensorEngine
    public let analyzer: FaceAnalyzer
    public let tracker: FaceTracker
    public let identity: IdentityFace
    private let mesh: TriangleMesh
    private let texture: Tensor
    /// Mask ramp width as a fraction of the live face's width.
    public var featherFraction: Float = 0.08
    /// Smoothing of the live mesh between frames, so the drawn face does not jitter.
    public var smoothing = OneEuroFilter<SIMD3<Float>>(minimumCutoff: 1, beta: 0.05)
    private var pointFilters: [OneEuroFilter<SIMD3<Float>>] = []

    public init(engine: TensorEngine, models: URL, identityImage: String) throws {
        self.engine = engine
        analyzer = try FaceAnalyzer(engine: engine, models: models)
        identity = try IdentityFace.prepare(imagePath: identityImage, analyzer: analyzer)
        analyzer.embedsIdentity = false
        tracker = FaceTracker(analyzer: analyzer)
        mesh = try TriangleMesh.faceMesh(modelsDirectory: models)
        let pixels = identity.texture.pixels.map(Float.init)
        texture = try engine.makeTensor(shape: [1, identity.texture.height, identity.texture.width, 3], values: pixels)
    }

    /// `image` with its largest face replaced by the identity; nil when it shows no face.
    /// - Parameter time: the frame's time in seconds, for video: the face is then tracked between
    ///   detections and its mesh smoothed across frames (One-Euro). Without it (a still picture)
    ///   the face is detected and used as measured.
    public func swap(_ image: RGBImage, at time: Double? = nil) throws -> RGBImage? {
        let found: AnalyzedFace?
        if time == nil {
            let faces = try analyzer.analyze(image)
            let areas = faces.map { $0.box.width * $0.box.height }
            found = areas.indices.max { areas[$0] < areas[$1] }.map { faces[$0] }
        } else {
            found = try tracker.track(image)
        }
        guard var face = found else {
            pointFilters.removeAll()
            return nil
        }
        if let time {
            if pointFilters.count != face.mesh.count { pointFilters = Array(repeating: smoothing, count: face.mesh.count) }
            for index in face.mesh.indices { face.mesh[index] = pointFilters[index].filter(face.mesh[index], at: time) }
        }
        let options = MeshWarpOptions(border: .clamp, featherWidth: max(1, featherFraction * face.box.width))
        let (warpedTensor, maskTensor) = try engine.meshWarp(
            texture, mesh: mesh, sourcePoints: identity.points, destinationPoints: face.mesh,
            height: image.height, width: image.width, options: options)
        let warped = try engine.read(warpedTensor)
        let mask = try engine.read(maskTensor)
        let matched = ColourMatch.matched(warped, to: image.pixels, mask: mask)
        var output = image.pixels
        for pixel in 0..<(image.width * image.height) where mask[pixel] > 0 {
            let weight = min(1, mask[pixel])
            for channel in 0..<3 {
                let index = pixel * 3 + channel
                let live = Float(output[index])
                output[index] = UInt8(clamping: Int((live + (matched[index] - live) * weight).rounded()))
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: output)
    }
}

/// Colour and lighting transfer: the warped face's per-channel mean is moved to
/// the live face's, and its spread halfway (in ratio) towards the live face's, so
/// skin tone and light follow the live face while the identity's texture keeps its contrast.
/// Measured where the mask is fully on.
enum ColourMatch {
    static func matched(_ warped: [Float], to live: [UInt8], mask: [Float]) -> [Float] {
        var sums = [SIMD2<Double>](repeating: .zero, count: 3)
        var squares = [SIMD2<Double>](repeating: .zero, count: 3)
        var count = 0.0
        for pixel in mask.indices where mask[pixel] >= 0.99 {
            count += 1
            for channel in 0..<3 {
                let values = SIMD2(Double(warped[pixel * 3 + channel]), Double(live[pixel * 3 + channel]))
                sums[channel] += values
                squares[channel] += values * values
            }
        }
        guard count > 16 else { return warped }
        var scale = [Float](repeating: 1, count: 3), shift = [Float](repeating: 0, count: 3)
        for channel in 0..<3 {
            let mean = sums[channel] / count
            let deviation = (squares[channel] / count - mean * mean).squareRoot()
            let ratio = deviation.x > 1 ? min(3, (deviation.y / deviation.x).squareRoot()) : 1
            scale[channel] = Float(ratio)
            shift[channel] = Float(mean.y - mean.x * ratio)
        }
        return warped.indices.map { warped[$0] * scale[$0 % 3] + shift[$0 % 3] }
    }
}
