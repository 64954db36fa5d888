import Foundation
import RecastMedia
import RecastNN

/// When the diffusion refinement runs.
public enum RefineMode: String, Sendable, CaseIterable {
    /// Never.
    case off
    /// On every frame, before it is written.
    case sync
    /// On the newest frame whenever the refiner is free; the frames between get the latest refinement.
    case async
    /// `sync` when a refinement fits in one frame interval, `async` when it fits in
    /// `asyncFrameLimit` of them, else `off` (measured on the identity's face, or the first frame's).
    case auto
}

/// The refinement of the live path: the face crop of each swapped frame refined by `FaceRefiner` and the
/// change it makes (`FaceRefiner.change`, in the face's levelled crop, blurred over the face's skin) added back
/// under the swap's mask.
/// The change is kept in face coordinates and moved with the face's mesh (`follow`) before a new one is blended
/// into it and, in `async` mode, onto each later frame's face: it stays on the features it was made for while the
/// head turns within the crop, and a refinement made on an earlier frame still lands on the face while the warp
/// path keeps the frame rate.
/// `@unchecked Sendable`: one pipeline thread calls `apply`; what the worker writes is guarded by `lock`.
public final class LiveRefinement: @unchecked Sendable {
    public let refiner: FaceRefiner
    public private(set) var mode: RefineMode
    /// The frame interval a `sync` refinement must fit in for `auto` to keep it.
    public let frameBudget: Double
    /// Frame intervals an `async` refinement may take for `auto` to choose it (default 4): a slower one lands on
    /// the face too many frames late, and holds the GPU from the warp path too long (a 2.5 s refinement on
    /// lavapipe brings the frame rate down to about 1 frame/s), so `auto` turns it off.
    public let asyncFrameLimit: Double
    /// Time constant, in seconds of the stream, with which a new refinement's change replaces the face's earlier
    /// ones: a refinement made `t` seconds after the last weighs `1 − exp(−t / changeTime)` (0 keeps only the
    /// newest). Blending them, moved with the face (`follow`), keeps consecutive frames' corrections alike: what
    /// the refined path adds to the warp path's flicker is the change's own variation from frame to frame, once the
    /// change is rounded together with the composite (`add`). A time rather than a weight per refinement, so that
    /// `sync` (a refinement every frame) and `async` (one every few frames) follow light alike.
    /// Whole clips with Obama refined on every frame (lavapipe, lossless .y4m), flicker ratio added to the warp
    /// path's on d0, d18, d3: 1 s −0.0001, −0.0022, −0.0003; 0.25 s +0.0002, −0.0007, −0.0001. Before the change
    /// was moved with the face: 1 s +0.0002, −0.0012, +0.0010 (d3's head turns), 0.25 s +0.0003, −0.0003, +0.0006.
    /// `recastd run --change-time`.
    public let changeTime: Double
    /// `changeTime` unless given: a new refinement weighs 0.03 at 30 frames/s, and a change of light is followed
    /// within a few seconds (the warp path's colour transfer follows it from frame to frame meanwhile).
    public static let defaultChangeTime = 1.0
    /// Crop side over the mesh's longer side: the refined crop holds the whole face and a little around it.
    public static let cropScale: Float = 1.2
    private let worker = DispatchQueue(label: "recast.refine")
    private let lock = NSLock()
    /// The change added to frames: the refinements of the face so far, blended over `changeTime`.
    private(set) var latest: [Float]?
    /// The face's mesh, in the change's pixels, on the frame `latest` was last blended on.
    private var latestMesh: [SIMD3<Float>] = []
    /// The face mesh with its eyes and mouth closed over: what an earlier change is moved on (`follow`).
    private let surface: TriangleMesh
    /// The face mesh with its eye and mouth openings left open: the skin a change is taken from (`skin(on:)`).
    private let skinMesh: TriangleMesh
    /// Where on the skin the change is not taken from: the lips and around them (15 % of the mouth's width, fading
    /// over 25 % more), which move with the person's speech; the blur over the skin gives them the change of the
    /// skin around them.
    private let lipsReach = ContourFalloff(margin: 0.15, feather: 0.25)
    /// The refiner's GPU in fp32: the change is moved on every frame, and fp16's steps (1/64 at 16) rounded in anew
    /// each time would move which values round up.
    private let surfaceEngine: TensorEngine
    /// The one texel every skin point samples (`skin(on:)`): only the mesh warp's coverage is wanted there.
    private let skinTexel: Tensor
    /// The stream time of the frame whose refinement was last blended into `latest`.
    private var latestTime: Double?
    private var busy = false
    private var refinedCount = 0
    private var failure: (any Error)?
    /// The tracker id of the face the window and the latest change belong to.
    private var refinedFace: Int?
    /// Bumped when the face is lost, so that a refinement of the old face finishing later is not used.
    private var generation = 0
    private var milliseconds = 0.0

    /// Milliseconds of the last refinement (encode, UNet steps, decode).
    public var lastMilliseconds: Double { lock.withLock { milliseconds } }

    /// - models: the models directory, for the face mesh's triangles.
    public init(
        refiner: FaceRefiner, models: URL, mode: RefineMode, frameBudget: Double, asyncFrameLimit: Double = 4,
        changeTime: Double = defaultChangeTime
    ) throws {
        precondition(mode != .off, "an off refinement is no refinement")
        precondition(changeTime >= 0, "a change time is 0 or more seconds")
        skinMesh = try TriangleMesh.faceMesh(modelsDirectory: models)
        surface = try skinMesh
            .fillingHoles(through: MeshLandmarks.eyeOpenings.union(MeshLandmarks.mouthOpening))
        surfaceEngine = try TensorEngine(gpu: refiner.model.unet.engine.gpu, precision: .float32)
        skinTexel = try surfaceEngine.makeTensor(shape: [1, 1, 1, 1], values: [0])
        self.changeTime = changeTime
        self.refiner = refiner
        self.mode = mode
        self.frameBudget = frameBudget
        self.asyncFrameLimit = asyncFrameLimit
    }

    /// Refinements finished so far.
    public var refinedFrames: Int { lock.withLock { refinedCount } }

    /// Prepares the identity's attention from its face (the `IdentityFace` crop and mesh).
    public func setIdentity(_ identity: IdentityFace) throws {
        let crop = FaceCrop(mesh: identity.mesh, scale: Self.cropScale)
        let pixels = crop.extract(from: identity.photo, size: refiner.settings.side)
        try refiner.setIdentity(crop: pixels, embedding: identity.embedding)
        if mode == .auto { try chooseMode(timing: pixels, on: crop.changePoints(identity.mesh, size: refiner.settings.side)) }
    }

    /// `auto`'s choice, from a refinement of `pixels` (whose face has `mesh`) timed on its second run (the first
    /// pays one-time costs: pipelines, allocations), before any frame waits on it.
    private func chooseMode(timing pixels: [UInt8], on mesh: [SIMD3<Float>]) throws {
        for _ in 0..<2 { _ = try timedChange(pixels, on: mesh) }
        refiner.resetWindow()
        let seconds = lastMilliseconds / 1000
        mode = seconds <= frameBudget ? .sync : seconds <= asyncFrameLimit * frameBudget ? .async : .off
    }

    /// The frame (at `time` seconds of the stream) with its face refined (`sync`), or with the latest refinement
    /// (`async`). With several faces the one followed longest is refined: the sliding window holds one face's frames.
    public func apply(to frame: SwappedFrame, at time: Double) throws -> RGBImage {
        if let failure = lock.withLock({ self.failure }) { throw failure }
        guard let face = frame.faces.min(by: { $0.id < $1.id }) else { return frame.image }
        if face.id != refinedFace {
            faceLost()
            refinedFace = face.id
        }
        let crop = FaceCrop(mesh: face.mesh, scale: Self.cropScale)
        let side = refiner.settings.side
        // The crop is cut only when it is refined: in `async` most frames just take the latest change.
        let pixels = { crop.extract(from: frame.image, size: side) }
        let mesh = crop.changePoints(face.mesh, size: side)
        switch mode {
        case .auto:
            try chooseMode(timing: pixels(), on: mesh)
            return try apply(to: frame, at: time)
        case .sync:
            try store(try timedChange(pixels(), on: mesh), on: mesh, of: time, generation: lock.withLock { generation })
        case .async:
            let (start, current) = lock.withLock {
                defer { busy = true }
                return (!busy, generation)
            }
            if start {
                let input = pixels()
                worker.async { [self] in
                    do {
                        try store(try timedChange(input, on: mesh), on: mesh, of: time, generation: current)
                    } catch {
                        lock.withLock { failure = error }
                    }
                    lock.withLock { busy = false }
                }
            }
        case .off:
            return frame.image
        }
        guard let (change, changeMesh) = lock.withLock({ latest.map { ($0, latestMesh) } }) else { return frame.image }
        // In `async` the latest change was made on an earlier frame: moved onto this frame's face.
        let placed = changeMesh == mesh ? change : try follow(change, from: changeMesh, to: mesh)
        return add(placed, side: side, crop: crop, under: face, to: frame.image)
    }

    /// Waits for the refinement in flight (`async`), so that no GPU work outlives the caller: a process that
    /// exits while one runs has its GPU driver torn down under it (a crash at exit, seen on NVIDIA).
    public func finish() {
        worker.sync {}
    }

    /// Forgets the last refinement and the temporal window (no face in the frame, or another face). Called on
    /// `apply`'s thread.
    public func faceLost() {
        lock.withLock {
            (latest, latestMesh, latestTime) = (nil, [], nil)
            generation += 1
        }
        worker.async { [refiner] in refiner.resetWindow() }
    }

    /// The change a refinement makes to `face`'s crop of `image`, as `apply` makes it: for timing one refinement.
    public func change(of face: SwappedFace, in image: RGBImage) throws -> [Float] {
        let crop = FaceCrop(mesh: face.mesh, scale: Self.cropScale)
        let side = refiner.settings.side
        return try timedChange(crop.extract(from: image, size: side), on: crop.changePoints(face.mesh, size: side))
    }

    /// The change a refinement makes to `pixels`, whose face has `mesh` (in the crop's pixels), taken from its skin.
    private func timedChange(_ pixels: [UInt8], on mesh: [SIMD3<Float>]) throws -> [Float] {
        let start = DispatchTime.now().uptimeNanoseconds
        let change = try refiner.change(crop: pixels, skin: try skin(on: mesh))
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        lock.withLock { milliseconds = elapsed }
        return change
    }

    /// The face's skin in the crop (`side` × `side` weights, 0–1): the mesh at `mesh` (the crop's pixels) with its
    /// eye and mouth openings left open, less the lips (`lipsReach`). The change is blurred over it alone
    /// (`FaceRefiner.change`): blurred over the whole crop, what the refiner did to the open mouth, the lips, the eyes
    /// and the hair reached the skin around them, and moved there with the person's speech and blinks. Left off the
    /// lips instead (a hole where it was added), the hole's edge moved with the mouth: flicker the warp path lacks.
    func skin(on mesh: [SIMD3<Float>]) throws -> [Float] {
        let side = refiner.settings.side
        let (_, coverage) = try surfaceEngine.meshWarp(
            skinTexel, mesh: skinMesh, sourcePoints: mesh.map { _ in .zero }, destinationPoints: mesh, height: side, width: side)
        var skin = try surfaceEngine.read(coverage)
        // The contour's weights are taken at pixel centres (x + 0.5), the mesh's points at value positions (x).
        let pixelPoints = mesh.map { $0 + SIMD3(0.5, 0.5, 0) }
        lipsReach.lower(&skin, around: MeshLandmarks.outerLips, of: pixelPoints, in: FaceRegion(left: 0, top: 0, width: side, height: side))
        return skin
    }

    /// Blends `change`, the refinement of the frame at `time` seconds whose face has `mesh` (in the change's pixels,
    /// `FaceCrop.changePoints`), into `latest`, moved first from its own frame's mesh to this one (`follow`). A frame
    /// earlier than the last blended one (a restarted stream's clock) starts the blend over.
    func store(_ change: [Float], on mesh: [SIMD3<Float>], of time: Double, generation made: Int) throws {
        let (earlier, earlierMesh, weight) = lock.withLock { () -> ([Float]?, [SIMD3<Float>], Float) in
            guard let earlier = latest, let earlierTime = latestTime, time >= earlierTime, changeTime > 0 else { return (nil, [], 1) }
            return (earlier, latestMesh, Float(1 - exp(-(time - earlierTime) / changeTime)))
        }
        // Moved outside the lock: the GPU warp must not hold up `apply`'s read of `latest`.
        let moved = try earlier.map { earlierMesh == mesh ? $0 : try follow($0, from: earlierMesh, to: mesh) }
        lock.withLock {
            guard made == generation else { return }
            if let moved {
                latest = zip(moved, change).map { $0 + weight * ($1 - $0) }
            } else {
                latest = change
            }
            (latestMesh, latestTime) = (mesh, time)
            refinedCount += 1
        }
    }

    /// `change` (in the crop's pixels) moved with the face from mesh `earlier` to mesh `current` (both in those
    /// pixels): each triangle of the closed face mesh carries what lay on it (the mesh warp op, bilinear); what lies
    /// outside the face stays where it was. The crop follows the face's box and eyes, but a head turning within it
    /// moves its features across it: a change made a few frames earlier would otherwise sit beside the features it
    /// corrected.
    func follow(_ change: [Float], from earlier: [SIMD3<Float>], to current: [SIMD3<Float>]) throws -> [Float] {
        let side = refiner.settings.side
        let engine = surfaceEngine
        let texture = try engine.makeTensor(shape: [1, side, side, 3], values: change)
        let (image, mask) = try engine.meshWarp(
            texture, mesh: surface, sourcePoints: earlier.map { SIMD2($0.x, $0.y) }, destinationPoints: current, height: side, width: side)
        let (warped, covered) = (try engine.read(image), try engine.read(mask))
        return change.indices.map { covered[$0 / 3] > 0 ? warped[$0] : change[$0] }
    }

    /// Adds the crop-space `change` (bilinear) under the face as the warp covers it (`faceMask`, so the change does
    /// not come and go with the person's lids through a blink) to the face's composite before its rounding, so each
    /// value is rounded once, as the warp path alone rounds it. Where another face was drawn over this one's region
    /// since, the change is added to what is there.
    func add(_ change: [Float], side: Int, crop: FaceCrop, under face: SwappedFace, to image: RGBImage) -> RGBImage {
        let region = face.region
        var output = image.pixels
        for y in 0..<region.height {
            let row = ((region.top + y) * image.width + region.left) * 3
            for x in 0..<region.width {
                let weight = min(1, face.faceMask[y * region.width + x])
                guard weight > 0 else { continue }
                let point = crop.valuePoint(SIMD2(Float(region.left + x) + 0.5, Float(region.top + y) + 0.5), size: side)
                guard let delta = Self.sample(change, side: side, at: point) else { continue }
                let index = (y * region.width + x) * 3
                for channel in 0..<3 {
                    let drawn = face.composite[index + channel]
                    let current = output[row + x * 3 + channel]
                    let base = ColourTransfer.rounded(drawn) == current ? drawn : Float(current)
                    let added = weight * delta[channel]
                    output[row + x * 3 + channel] = added.isFinite ? ColourTransfer.rounded(base + added) : current
                }
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: output)
    }

    /// Bilinear sample of an RGB float image; nil outside it.
    private static func sample(_ values: [Float], side: Int, at point: SIMD2<Float>) -> SIMD3<Float>? {
        guard point.x >= 0, point.y >= 0, point.x <= Float(side - 1), point.y <= Float(side - 1) else { return nil }
        let x0 = min(Int(point.x), side - 2), y0 = min(Int(point.y), side - 2)
        let fx = point.x - Float(x0), fy = point.y - Float(y0)
        func pixel(_ x: Int, _ y: Int) -> SIMD3<Float> {
            let index = (y * side + x) * 3
            return SIMD3(values[index], values[index + 1], values[index + 2])
        }
        let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
        let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
        return top * (1 - fy) + bottom * fy
    }
}
