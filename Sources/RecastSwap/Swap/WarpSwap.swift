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
    private var current: Drawing
    /// Mask ramp width as a fraction of the live face's width.
    public var featherFraction: Float = 0.08
    /// Smoothing of the live mesh between frames, so the drawn face does not jitter.
    public var smoothing = OneEuroFilter<SIMD3<Float>>(minimumCutoff: 1, beta: 0.05)
    /// Smoothing of the eyelids' offsets from their eye's centre: fast enough to keep blinks.
    public var eyelidSmoothing = OneEuroFilter<SIMD3<Float>>(minimumCutoff: 8, beta: 0.5, derivativeCutoff: 5)
    /// How far (0–1) the live face's features are moved to the identity's proportions (`ShapeTransfer`).
    public var identityShape: Float = 0.5
    /// Frames of colour statistics averaged (the temporal buffer's colour part); 1 uses each frame's own.
    public var window = 4
    /// Whether the identity's eyes fill the live eye openings: they are then closed as far as the live eyes are (see
    /// `EyeClosure`), since the mesh alone barely narrows for a blink.
    private let drawsIdentityEyes: Bool
    /// Where and when the person's own lids show: through a blink.
    let liveEyelids = LiveEyelids()
    /// Per followed face (by tracker id).
    private var states: [Int: FaceState] = [:]
    /// Milliseconds each stage of the last `swap` took.
    public private(set) var lastTimings = SwapTimings()

    /// - faces: which faces to replace; `matching` takes the person from the largest face of its image.
    /// - live: which of the mesh's openings show the live face; the others are filled with the identity's eyes or
    ///   mouth, drawn into the live opening (so it still opens and closes with the person's).
    public init(
        engine: TensorEngine, models: URL, identityImage: String, faces: FaceSelection = .largest, live: LiveFeatures = .default
    ) throws {
        self.engine = engine
        self.models = models
        analyzer = try FaceAnalyzer(engine: engine, models: models)
        let identity = try IdentityFace.prepare(imagePath: identityImage, analyzer: analyzer)
        let choice: FaceTracker.Choice = switch faces {
        case .largest: .largest
        case .all: .all
        case .matching(let image): .matching(embedding: try IdentityFace.prepare(imagePath: image, analyzer: analyzer).embedding)
        }
        analyzer.embedsIdentity = false
        tracker = FaceTracker(analyzer: analyzer, choice: choice)
        drawsIdentityEyes = !live.contains(.eyes)
        let filled = (live.contains(.eyes) ? [] : MeshLandmarks.eyeOpenings).union(live.contains(.mouth) ? [] : MeshLandmarks.mouthOpening)
        // The filled openings on their own vertices: a closing eye is drawn from the identity's eye closed as far.
        let mesh = try TriangleMesh.faceMesh(modelsDirectory: models).fillingHoles(through: filled, onCopies: true)
        geometry = try engine.makeMeshWarpGeometry(
            mesh: mesh, sourcePoints: mesh.withCopies(identity.points),
            destinationPoints: [SIMD3<Float>](repeating: .zero, count: mesh.vertexCount))
        current = Drawing(identity: identity, texture: try Self.upload(identity, engine: engine), shape: ShapeTransfer(identity: identity.mesh))
    }

    public var identity: IdentityFace {
        identityLock.withLock { current.identity }
    }

    /// The identity and what is made from it once: its softened texture on the GPU and its shape.
    private struct Drawing {
        var identity: IdentityFace
        var texture: Tensor
        var shape: ShapeTransfer
    }

    /// Prepares the identity from `identityImage` again (e.g. on SIGHUP) and swaps it in for the
    /// next frame. If the image is refused, the previous identity stays and the error is thrown.
    public func reloadIdentity(from identityImage: String) throws {
        // Its own analyzer: the frame path's one is in use, with embeddings off.
        try setIdentity(IdentityFace.prepare(imagePath: identityImage, analyzer: FaceAnalyzer(engine: engine, models: models)))
    }

    /// Swaps `identity` in for the next frame.
    public func setIdentity(_ identity: IdentityFace) throws {
        let drawing = Drawing(identity: identity, texture: try Self.upload(identity, engine: engine), shape: ShapeTransfer(identity: identity.mesh))
        identityLock.withLock { current = drawing }
    }

    /// Face width (pixels) the identity's texture keeps its detail down to; see `upload`.
    static let softenedFaceWidth: Float = 128

    /// The identity's texture on the GPU, softened: resampled down and back up, to half its resolution for a
    /// large portrait, less so for one whose face is under 2 × `softenedFaceWidth` wide, not at all for a face
    /// narrower than that. A sharp portrait resampled at the sub-pixel positions a moving mesh gives shimmers,
    /// sharper on one frame and softer on the next, and that, not the mesh's jitter, was most of the flicker the
    /// swap added: with the texture at half resolution `recastd eval` (90 frames, the bundled portrait) measured
    /// flicker 1.49 → 1.22 on d3 and 1.56 → 1.17 on d18, and the output came slightly closer to the reference
    /// (similarity 0.282 → 0.290, 0.512 → 0.528); small portraits only lost likeness by it.
    private static func upload(_ identity: IdentityFace, engine: TensorEngine) throws -> Tensor {
        let texture = identity.texture
        let xs = identity.points.map(\.x)
        let faceWidth = (xs.max() ?? 0) - (xs.min() ?? 0)
        let scale = min(1, max(0.5, softenedFaceWidth / max(1, faceWidth)))
        let softened = scale == 1 ? texture
            : texture.resized(width: max(1, Int((Float(texture.width) * scale).rounded())), height: max(1, Int((Float(texture.height) * scale).rounded())))
                .resized(width: texture.width, height: texture.height)
        return try engine.makeTensor(shape: [1, texture.height, texture.width, 3], values: softened.pixels.map(Float.init))
    }

    /// `image` with its chosen faces (`tracker.choice`) replaced by the identity, and where each was drawn;
    /// nil when it shows none.
    /// - Parameter time: the frame's time in seconds, for video: faces are then tracked between
    ///   detections, their meshes smoothed across frames (One-Euro) and their colour transfers averaged over the
    ///   last `window` frames. Without it (a still picture) faces are detected and used as measured.
    public func swapFaces(_ image: RGBImage, at time: Double? = nil) throws -> SwappedFrame? {
        var clock = StageClock()
        defer { lastTimings = clock.timings }
        let found = try time == nil ? tracker.findFaces(image) : tracker.trackFaces(image)
        clock.lap(\.face)
        states = states.filter { id, _ in found.contains { $0.id == id } }
        guard !found.isEmpty else { return nil }
        let drawing = identityLock.withLock { current }
        var output = image.pixels
        var faces: [SwappedFace] = []
        for tracked in found {
            var state = states[tracked.id]
                ?? FaceState(smoother: MeshSmoother(points: smoothing, eyelids: eyelidSmoothing, count: tracked.face.mesh.count))
            var face = tracked.face
            var eyeClosure: Float = 0, liveLids: Float = 0
            if let time {
                face.mesh = state.smoother.smooth(face.mesh, at: time)
                if drawsIdentityEyes {
                    eyeClosure = state.eyeClosure.closure(face.mesh, at: time)
                    liveLids = liveEyelids.shown(closure: eyeClosure, closedFor: state.eyeClosure.closedFor(at: time))
                }
            }
            let liveMesh = face.mesh
            face.mesh = drawing.shape.apply(face.mesh, strength: identityShape, neutral: &state.neutral, at: time)
            face.mesh = EyeClosure.close(face.mesh, by: eyeClosure)
            if let drawn = try draw(
                face, eyeClosure: eyeClosure, liveLids: liveLids, liveMesh: liveMesh, id: tracked.id, drawing: drawing, from: image,
                into: &output, state: &state, averagingColour: time != nil, clock: &clock)
            {
                faces.append(drawn)
            }
            states[tracked.id] = state
        }
        clock.lap(\.composite)
        return SwappedFrame(image: RGBImage(width: image.width, height: image.height, pixels: output), faces: faces)
    }

    /// Warps the identity onto `face`, matches its colour and blends it into `output`; nil when the face lies
    /// outside the picture. The identity's eyes are drawn from its own eyes closed by `eyeClosure` (as the
    /// live mesh's were), so a closing eye is covered by its lid from above instead of squeezed: only the
    /// eyelids around the opening stretch. Around them the person's own lids (on `liveMesh`, their unmoved points)
    /// show by `liveLids` (`LiveEyelids`).
    private func draw(
        _ face: AnalyzedFace, eyeClosure: Float, liveLids: Float, liveMesh: [SIMD3<Float>], id: Int, drawing: Drawing,
        from image: RGBImage, into output: inout [UInt8], state: inout FaceState, averagingColour: Bool, clock: inout StageClock
    ) throws -> SwappedFace? {
        let options = MeshWarpOptions(border: .clamp, featherWidth: max(1, featherFraction * face.box.width))
        // Only the face's bounding rectangle is drawn: the rest of the frame is never touched.
        let xs = face.mesh.map(\.x), ys = face.mesh.map(\.y)
        let left = max(0, Int(xs.min()!.rounded(.down)) - 1), top = max(0, Int(ys.min()!.rounded(.down)) - 1)
        let right = min(image.width, Int(xs.max()!.rounded(.up)) + 2), bottom = min(image.height, Int(ys.max()!.rounded(.up)) + 2)
        guard right > left, bottom > top else { return nil }
        let (width, height) = (right - left, bottom - top)
        let origin = SIMD3(Float(left), Float(top), 0)
        let mesh = geometry.mesh
        let identityPoints = drawing.identity.points
        try engine.updateMeshWarpPoints(
            geometry, source: mesh.withCopies(identityPoints, copying: EyeClosure.close(identityPoints, by: eyeClosure)),
            destination: mesh.withCopies(face.mesh.map { $0 - origin }))
        let warpedTensor = try engine.makeTensor(shape: [1, height, width, 3])
        let maskTensor = try engine.makeTensor(shape: [1, height, width, 1])
        try engine.run {
            try engine.encodeMeshWarp(drawing.texture, geometry: geometry, options: options, output: warpedTensor, mask: maskTensor, into: $0)
        }
        let warped = try engine.read(warpedTensor)
        let faceMask = try engine.read(maskTensor)
        let region = FaceRegion(left: left, top: top, width: width, height: height)
        var mask = faceMask
        liveEyelids.reveal(liveLids, mesh: liveMesh, in: &mask, region: region)
        clock.lap(\.warp)
        let live = image.cropped(x: left, y: top, width: width, height: height)
        var transfer = ColourTransfer.measure(warped, to: live.pixels, mask: mask)
        if averagingColour, let measured = transfer {
            state.colours = Array((state.colours + [measured]).suffix(max(1, window)))
            transfer = ColourTransfer.mean(state.colours)
        }
        let composite = (transfer ?? .unchanged).blend(warped, under: mask, into: &output, imageWidth: image.width, region: (left, top, width, height))
        return SwappedFace(id: id, mesh: face.mesh, region: region, mask: mask, faceMask: faceMask, composite: composite)
    }
}

/// What the temporal buffer keeps of one followed face: its mesh smoother (smoothed geometry), its eyes' usual
/// opening, its own shape without expression and the colour transfers of its last frames.
struct FaceState {
    var smoother: MeshSmoother
    var eyeClosure = EyeClosure()
    var colours: [ColourTransfer] = []
    var neutral = NeutralShape()
}

/// A frame after the warp swap, and where its faces were drawn.
public struct SwappedFrame: Sendable {
    public var image: RGBImage
    public var faces: [SwappedFace]
}

/// Where one face was drawn.
public struct SwappedFace: Sendable {
    /// The tracker's id of the face: the same while it is followed, lower for faces followed longer.
    public var id: Int
    /// The live face's mesh (smoothed, for video), in image pixels.
    public var mesh: [SIMD3<Float>]
    /// The rectangle drawn in.
    public var region: FaceRegion
    /// Blend weight (0–1) of each pixel of `region`, row-major: 1 on the face, feathered at its edge.
    public var mask: [Float]
    /// `mask` before the person's own lids were let through a blink (`LiveEyelids`): the face as the warp covers
    /// it, on which a refinement's change lies whether or not the eyes are shut.
    public var faceMask: [Float]
    /// The region's RGB values as blended, before their rounding to 8 bits, where `mask` is on (0 elsewhere):
    /// a refinement adds its change to these and rounds once (see `LiveRefinement`).
    public var composite: [Float]
}

/// A rectangle of an image, in whole pixels.
public struct FaceRegion: Sendable, Equatable {
    public var left: Int
    public var top: Int
    public var width: Int
    public var height: Int
}

/// The live face's features the swap leaves showing through the mesh's openings.
public struct LiveFeatures: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let eyes = LiveFeatures(rawValue: 1)
    public static let mouth = LiveFeatures(rawValue: 2)
    /// The live mouth interior (speech) with the identity's eyes, which carry much of a face's identity.
    public static let `default`: LiveFeatures = [.mouth]
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
struct ColourTransfer: Equatable {
    var scale: SIMD3<Float>
    var shift: SIMD3<Float>

    static let unchanged = ColourTransfer(scale: .one, shift: .zero)

    /// The transfer from `warped` to `live`; nil when too little of the face is fully covered to measure it.
    static func measure(_ warped: [Float], to live: [UInt8], mask: [Float]) -> ColourTransfer? {
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
        guard count > 16 else { return nil }
        var transfer = ColourTransfer.unchanged
        for channel in 0..<3 {
            let mean = sums[channel] / count
            let deviation = (squares[channel] / count - mean * mean).squareRoot()
            let ratio = deviation.x > 1 ? min(3, (deviation.y / deviation.x).squareRoot()) : 1
            transfer.scale[channel] = Float(ratio)
            transfer.shift[channel] = Float(mean.y - mean.x * ratio)
        }
        return transfer
    }

    /// The average of the last frames' transfers (the temporal buffer's colour statistics): the light of
    /// one frame's measurement does not flicker into the next.
    static func mean(_ transfers: [ColourTransfer]) -> ColourTransfer? {
        guard !transfers.isEmpty else { return nil }
        let n = Float(transfers.count)
        return ColourTransfer(scale: transfers.map(\.scale).reduce(.zero, +) / n, shift: transfers.map(\.shift).reduce(.zero, +) / n)
    }

    /// Blends `warped` (RGB, row-major over `region`), with this transfer applied, into the RGB `image`
    /// under `mask`: one pass over the region's pixels, the hot loop of the composite. Returns the region's
    /// blended values before rounding (0 where the mask is off).
    func blend(
        _ warped: [Float], under mask: [Float], into image: inout [UInt8], imageWidth: Int,
        region: (left: Int, top: Int, width: Int, height: Int)
    ) -> [Float] {
        var composite = [Float](repeating: 0, count: region.width * region.height * 3)
        warped.withUnsafeBufferPointer { warped in
            mask.withUnsafeBufferPointer { mask in
                image.withUnsafeMutableBufferPointer { image in
                    composite.withUnsafeMutableBufferPointer { composite in
                        for y in 0..<region.height {
                            let row = ((region.top + y) * imageWidth + region.left) * 3
                            for x in 0..<region.width where mask[y * region.width + x] > 0 {
                                let weight = min(1, mask[y * region.width + x])
                                let index = (y * region.width + x) * 3
                                for channel in 0..<3 {
                                    let live = Float(image[row + x * 3 + channel])
                                    let face = warped[index + channel] * scale[channel] + shift[channel]
                                    let blended = live + (face - live) * weight
                                    composite[index + channel] = blended
                                    image[row + x * 3 + channel] = Self.rounded(blended)
                                }
                            }
                        }
                    }
                }
            }
        }
        return composite
    }

    /// The 8-bit level nearest the finite `value`, clamped: +0.5 then truncation rounds to nearest without a
    /// libm call per value.
    static func rounded(_ value: Float) -> UInt8 {
        UInt8(min(max(value, 0), 255) + 0.5)
    }
}
