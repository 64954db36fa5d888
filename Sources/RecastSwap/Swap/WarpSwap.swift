import Foundation
import RecastGPU
import RecastMedia
import RecastNN

/// The warp swap: the identity's face texture drawn onto the live face's mesh
/// (the mesh warp op), its colour matched to the live face, and blended in
/// under a feathered mask. The mesh has holes at the eyes and the mouth, so
/// the live eyes and mouth interior stay the person's own.
public final class WarpSwap: @unchecked Sendable {
    // @unchecked: one pipeline thread calls `swap`; the models serialise their own GPU use;
    // the identity, which a reload replaces from another thread, is guarded by `identityLock`.
    public let engine: TensorEngine
    public let analyzer: FaceAnalyzer
    public let tracker: FaceTracker
    private let models: URL
    /// The mesh's triangles and edges live on the GPU once; each frame only rewrites its points.
    private let geometry: MeshWarpGeometry
    private let identityLock = NSLock()
    private var current: (identity: IdentityFace, texture: Tensor)
    /// Mask ramp width as a fraction of the live face's width.
    public var featherFraction: Float = 0.08
    /// Smoothing of the live mesh between frames, so the drawn face does not jitter.
    public var smoothing = OneEuroFilter<SIMD3<Float>>(minimumCutoff: 1, beta: 0.05)
    private var pointFilters: [OneEuroFilter<SIMD3<Float>>] = []
    /// Milliseconds each stage of the last `swap` took.
    public private(set) var lastTimings = SwapTimings()

    public init(engine: TensorEngine, models: URL, identityImage: String) throws {
        self.engine = engine
        self.models = models
        analyzer = try FaceAnalyzer(engine: engine, models: models)
        let identity = try IdentityFace.prepare(imagePath: identityImage, analyzer: analyzer)
        analyzer.embedsIdentity = false
        tracker = FaceTracker(analyzer: analyzer)
        let mesh = try TriangleMesh.faceMesh(modelsDirectory: models)
        geometry = try engine.makeMeshWarpGeometry(
            mesh: mesh, sourcePoints: identity.points,
            destinationPoints: [SIMD3<Float>](repeating: .zero, count: mesh.vertexCount))
        current = (identity, try Self.upload(identity, engine: engine))
    }

    public var identity: IdentityFace {
        identityLock.withLock { current.identity }
    }

    /// Prepares the identity from `identityImage` again (e.g. on SIGHUP) and swaps it in for the
    /// next frame. If the image is refused, the previous identity stays and the error is thrown.
    public func reloadIdentity(from identityImage: String) throws {
        // Its own analyzer: the frame path's one is in use, with embeddings off.
        let identity = try IdentityFace.prepare(imagePath: identityImage, analyzer: FaceAnalyzer(engine: engine, models: models))
        let texture = try Self.upload(identity, engine: engine)
        identityLock.withLock { current = (identity, texture) }
    }

    private static func upload(_ identity: IdentityFace, engine: TensorEngine) throws -> Tensor {
        try engine.makeTensor(shape: [1, identity.texture.height, identity.texture.width, 3], values: identity.texture.pixels.map(Float.init))
    }

    /// `image` with its largest face replaced by the identity; nil when it shows no face.
    /// - Parameter time: the frame's time in seconds, for video: the face is then tracked between
    ///   detections and its mesh smoothed across frames (One-Euro). Without it (a still picture)
    ///   the face is detected and used as measured.
    public func swap(_ image: RGBImage, at time: Double? = nil) throws -> RGBImage? {
        var clock = StageClock()
        defer { lastTimings = clock.timings }
        let found: AnalyzedFace?
        if time == nil {
            found = try analyzer.analyze(image).max { $0.area < $1.area }
        } else {
            found = try tracker.track(image)
        }
        clock.lap(\.face)
        guard var face = found else {
            pointFilters.removeAll()
            return nil
        }
        if let time {
            if pointFilters.count != face.mesh.count { pointFilters = Array(repeating: smoothing, count: face.mesh.count) }
            for index in face.mesh.indices { face.mesh[index] = pointFilters[index].filter(face.mesh[index], at: time) }
        }
        let options = MeshWarpOptions(border: .clamp, featherWidth: max(1, featherFraction * face.box.width))
        // Only the face's bounding rectangle is drawn: the rest of the frame is never touched.
        let xs = face.mesh.map(\.x), ys = face.mesh.map(\.y)
        let left = max(0, Int(xs.min()!.rounded(.down)) - 1), top = max(0, Int(ys.min()!.rounded(.down)) - 1)
        let right = min(image.width, Int(xs.max()!.rounded(.up)) + 2), bottom = min(image.height, Int(ys.max()!.rounded(.up)) + 2)
        guard right > left, bottom > top else { return image }
        let (width, height) = (right - left, bottom - top)
        let origin = SIMD3(Float(left), Float(top), 0)
        let (identity, texture) = identityLock.withLock { current }
        try engine.updateMeshWarpPoints(geometry, source: identity.points, destination: face.mesh.map { $0 - origin })
        let warpedTensor = try engine.makeTensor(shape: [1, height, width, 3])
        let maskTensor = try engine.makeTensor(shape: [1, height, width, 1])
        try engine.run {
            try engine.encodeMeshWarp(texture, geometry: geometry, options: options, output: warpedTensor, mask: maskTensor, into: $0)
        }
        let warped = try engine.read(warpedTensor)
        let mask = try engine.read(maskTensor)
        clock.lap(\.warp)
        let region = image.cropped(x: left, y: top, width: width, height: height)
        let matched = ColourMatch.matched(warped, to: region.pixels, mask: mask)
        var output = image.pixels
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] > 0 {
                let weight = min(1, mask[y * width + x])
                for channel in 0..<3 {
                    let index = ((top + y) * image.width + left + x) * 3 + channel
                    let live = Float(output[index])
                    output[index] = UInt8(clamping: Int((live + (matched[(y * width + x) * 3 + channel] - live) * weight).rounded()))
                }
            }
        }
        clock.lap(\.composite)
        return RGBImage(width: image.width, height: image.height, pixels: output)
    }
}

/// Where the time of one swap went, in milliseconds.
public struct SwapTimings: Sendable {
    /// Detection or tracking, and the face mesh.
    public var face = 0.0
    /// The mesh warp on the GPU, with the read-back.
    public var warp = 0.0
    /// Colour matching and blending.
    public var composite = 0.0

    public init() {}
}

/// Accumulates stage durations from one starting point.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var timings = SwapTimings()

    mutating func lap(_ stage: WritableKeyPath<SwapTimings, Double>) {
        let now = DispatchTime.now().uptimeNanoseconds
        timings[keyPath: stage] += Double(now - last) / 1e6
        last = now
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
