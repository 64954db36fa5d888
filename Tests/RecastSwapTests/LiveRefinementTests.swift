import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

/// The diffusion refinement of the live path, on a tiny random diffusers UNet and AutoencoderTiny (the test
/// fixtures) and a real swapped face: where it paints, when it runs, what its sliding window holds.
@Suite("Live refinement", .serialized)
struct LiveRefinementTests {
    static let root = IdentityTests.root
    static let models = root.appendingPathComponent("Models")

    /// A diffusers pipeline directory: unet/ (the sd2_like fixture with a prompt embedding beside it), vae/ (taesd).
    static func pipelineDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recast-refiner-\(UUID().uuidString)")
        let unet = directory.appendingPathComponent("unet")
        try FileManager.default.createDirectory(at: unet, withIntermediateDirectories: true)
        let fixtures = root.appendingPathComponent("Tests/Fixtures/unet")
        for file in ["config.json", "diffusion_pytorch_model.safetensors"] {
            try FileManager.default.createSymbolicLink(
                at: unet.appendingPathComponent(file), withDestinationURL: fixtures.appendingPathComponent("sd2_like/\(file)"))
        }
        let values = (0..<(3 * 10)).map { Float($0 % 5) / 5 - 0.4 }
        try SafeTensorsWriter.write(
            [(name: "encoder_hidden_states", shape: [1, 3, 10], values: values)], to: unet.appendingPathComponent(PromptEmbedding.fileName).path)
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("vae"), withDestinationURL: fixtures.appendingPathComponent("taesd"))
        return directory.path
    }

    static func settings(window: Int = 2, weight: Float = 0.5) -> RefinerSettings {
        var settings = RefinerSettings()
        settings.side = 64
        settings.steps = 2
        settings.window = window
        settings.attentionWeight = weight
        return settings
    }

    static func refiner(_ settings: RefinerSettings = settings()) throws -> FaceRefiner {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()), precision: .float32)
        return try FaceRefiner(engine: engine, directory: try pipelineDirectory(), models: models, settings: settings)
    }

    /// Biden's photo with Obama's face drawn on it, and the swap that drew it.
    static func swappedFrame() throws -> (SwappedFrame, WarpSwap) {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let swap = try WarpSwap(engine: engine, models: models, identityImage: WarpSwapTests.fixture("obama_456x568.jpg"))
        let live = try RGBImage.load(path: WarpSwapTests.fixture("biden_484x1102.jpg"))
        return (try #require(try swap.swapFaces(live)), swap)
    }

    static func changedOutside(_ face: SwappedFace, _ a: RGBImage, _ b: RGBImage) -> Int {
        var count = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                let inside = x >= face.region.left && x < face.region.left + face.region.width
                    && y >= face.region.top && y < face.region.top + face.region.height
                    && face.mask[(y - face.region.top) * face.region.width + x - face.region.left] > 0
                if !inside, (0..<3).contains(where: { a.pixels[(y * a.width + x) * 3 + $0] != b.pixels[(y * a.width + x) * 3 + $0] }) { count += 1 }
            }
        }
        return count
    }

    @Test("sync: the refined face is painted under the swap's mask and nowhere else")
    func syncPaintsUnderMask() throws {
        let (frame, swap) = try Self.swappedFrame()
        let refinement = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .sync, frameBudget: 1)
        try refinement.setIdentity(swap.identity)
        let refined = try refinement.apply(to: frame, at: 0)
        let face = try #require(frame.faces.first)
        #expect(Self.changedOutside(face, frame.image, refined) == 0)
        let changed = zip(frame.image.pixels, refined.pixels).filter { $0 != $1 }.count
        #expect(changed > face.region.width * face.region.height / 4, "only \(changed) values changed in the face")
        #expect(refinement.refinedFrames == 1)
    }

    @Test("async: frames pass at once with the latest refinement; auto picks by measured speed")
    func asyncAndAuto() throws {
        let (frame, _) = try Self.swappedFrame()
        let refinement = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .async, frameBudget: 1)
        #expect(try refinement.apply(to: frame, at: 0).pixels == frame.image.pixels, "nothing is refined yet")
        refinement.finish()
        #expect(refinement.refinedFrames == 1, "finish() waits for the refinement in flight")
        #expect(try refinement.apply(to: frame, at: 0).pixels != frame.image.pixels, "the finished refinement is applied")

        let patient = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .auto, frameBudget: 1000)
        _ = try patient.apply(to: frame, at: 0)
        #expect(patient.mode == .sync && patient.refinedFrames == 1)
        let seconds = patient.lastMilliseconds / 1000
        // A refinement between one and asyncFrameLimit frame intervals long: async; longer: off.
        let hurried = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .auto, frameBudget: seconds / 10, asyncFrameLimit: 1e6)
        _ = try hurried.apply(to: frame, at: 0)
        #expect(hurried.mode == .async && hurried.lastMilliseconds > 0, "\(hurried.lastMilliseconds) ms against \(seconds * 100) ms intervals")
        let hopeless = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .auto, frameBudget: 1e-9)
        #expect(try hopeless.apply(to: frame, at: 0).pixels == frame.image.pixels, "a refinement far too slow is not applied")
        #expect(hopeless.mode == .off && hopeless.refinedFrames == 0)
    }

    @Test("auto decides on the identity's face, before the first frame")
    func autoDecidesOnIdentity() throws {
        let (_, swap) = try Self.swappedFrame()
        let refinement = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .auto, frameBudget: 1000)
        try refinement.setIdentity(swap.identity)
        #expect(refinement.mode == .sync && refinement.lastMilliseconds > 0 && refinement.refinedFrames == 0)
    }

    @Test("the sliding window keeps the last K frames per step; with attention off refining is the plain img2img")
    func slidingWindow() throws {
        let crop = (0..<(64 * 64 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) }
        let windowed = try Self.refiner(Self.settings(window: 3))
        var outputs: [[Float]] = []
        for _ in 0..<5 { outputs.append(try windowed.refine(crop: crop)) }
        #expect(windowed.framesInWindow == 3)
        #expect(outputs[0] != outputs[1], "the second frame attends to the first")
        windowed.resetWindow()
        #expect(windowed.framesInWindow == 0)
        #expect(try windowed.refine(crop: crop) == outputs[0], "an emptied window starts over")

        let plain = try Self.refiner(Self.settings(window: 0, weight: 0))
        let first = try plain.refine(crop: crop)
        #expect(try plain.refine(crop: crop) == first)
        #expect(plain.framesInWindow == 0)
        #expect(first == outputs[0], "a first frame with an empty window and no identity is the plain UNet's")
    }

    @Test("each new change is blended into the face's earlier ones by the time between them; a lost face starts over and a stale refinement is dropped")
    func changeBlending() throws {
        let refinement = try LiveRefinement(refiner: try Self.refiner(Self.settings(window: 0, weight: 0)), models: Self.models, mode: .sync, frameBudget: 1, changeTime: 2)
        func latest() throws -> [Float] { try #require(refinement.latest) }
        // The same mesh every time: nothing to move before blending.
        let still: [SIMD3<Float>] = []
        func near(_ expected: [Float]) throws -> Bool {
            let values = try latest()
            return values.count == expected.count && zip(values, expected).allSatisfy { abs($0 - $1) < 1e-5 }
        }
        try refinement.store([8, -4], on: still, of: 10, generation: 0)
        #expect(try latest() == [8, -4], "the first change is taken as it is")
        // A quarter new after 2·ln(4/3) s.
        try refinement.store([0, 4], on: still, of: 10 + 2 * log(4.0 / 3), generation: 0)
        #expect(try near([6, -2]), "\(refinement.latest ?? [])")
        // Refinements far apart (async on a slow device) weigh more each: three quarters new after 2·ln 4 s.
        try refinement.store([10, 10], on: still, of: 10 + 2 * log(4.0 / 3) + 2 * log(4.0), generation: 0)
        #expect(try near([9, 7]), "\(refinement.latest ?? [])")
        try refinement.store([1, 1], on: still, of: 3, generation: 0)
        #expect(try latest() == [1, 1], "a clock that went back starts over")
        refinement.faceLost()
        #expect(refinement.latest == nil)
        try refinement.store([5, 5], on: still, of: 4, generation: 0)
        #expect(refinement.latest == nil, "a refinement of the lost face is not used")
        try refinement.store([1, 3], on: still, of: 4, generation: 1)
        #expect(try latest() == [1, 3], "the new face's first change is taken as it is")

        let newest = try LiveRefinement(refiner: try Self.refiner(Self.settings(window: 0, weight: 0)), models: Self.models, mode: .sync, frameBudget: 1, changeTime: 0)
        try newest.store([8, -4], on: still, of: 0, generation: 0)
        try newest.store([0, 4], on: still, of: 0.04, generation: 0)
        #expect(newest.latest == [0, 4], "a change time of 0 keeps only the newest")
        refinement.finish()
        newest.finish()
    }

    @Test("an earlier change is moved with the face's mesh before a new one is blended into it; outside the face it stays")
    func changeFollowsFace() throws {
        let (frame, _) = try Self.swappedFrame()
        let face = try #require(frame.faces.first)
        let side = 64
        let refinement = try LiveRefinement(refiner: try Self.refiner(Self.settings(window: 0, weight: 0)), models: Self.models, mode: .sync, frameBudget: 1)
        let earlier = FaceCrop(mesh: face.mesh, scale: LiveRefinement.cropScale).changePoints(face.mesh, size: side)
        // The features moved within the crop (a head turning), by (5, 3) of its pixels.
        let shift = SIMD3<Float>(5, 3, 0)
        let current = earlier.map { $0 + shift }
        // A linear ramp, which bilinear sampling reproduces exactly wherever it is read.
        func ramp(_ x: Float, _ y: Float, _ channel: Int) -> Float { 2 * x + 0.5 * y + 10 * Float(channel) }
        var change = [Float](repeating: 0, count: side * side * 3)
        for v in 0..<side {
            for u in 0..<side {
                for channel in 0..<3 { change[(v * side + u) * 3 + channel] = ramp(Float(u), Float(v), channel) }
            }
        }
        let moved = try refinement.follow(change, from: earlier, to: current)
        var onFace = 0
        for v in 0..<side {
            for u in 0..<side {
                let index = (v * side + u) * 3
                if moved[index..<(index + 3)] == change[index..<(index + 3)] { continue }
                onFace += 1
                for channel in 0..<3 {
                    #expect(abs(moved[index + channel] - ramp(Float(u) - 5, Float(v) - 3, channel)) < 1e-3, "(\(u), \(v))")
                }
            }
        }
        #expect(onFace > side * side / 3, "\(onFace) of \(side * side) values moved")
        let noseTip = current[1]
        let tip = (Int(noseTip.y.rounded()) * side + Int(noseTip.x.rounded())) * 3
        #expect(abs(moved[tip] - ramp(noseTip.x.rounded() - 5, noseTip.y.rounded() - 3, 0)) < 1e-3, "the nose tip carries what lay under it")

        // Blended with no time between them, the earlier change is kept as moved.
        try refinement.store(change, on: earlier, of: 1, generation: 0)
        try refinement.store([Float](repeating: 0, count: change.count), on: current, of: 1, generation: 0)
        #expect(refinement.latest == moved)
        refinement.finish()
    }

    @Test("the change is added to the composite before its one rounding, where the warp covers the face, nowhere else")
    func changeRoundedOnce() throws {
        let (frame, _) = try Self.swappedFrame()
        let face = try #require(frame.faces.first)
        let refinement = try LiveRefinement(refiner: try Self.refiner(), models: Self.models, mode: .sync, frameBudget: 1)
        let side = 64, added: Float = 0.3
        let crop = FaceCrop(mesh: face.mesh, scale: LiveRefinement.cropScale)
        let weights = face.faceMask
        let region = face.region
        // A pixel another face was drawn over since: the change goes on what is there.
        let overIndex = ((region.top + region.height / 2) * frame.image.width + region.left + region.width / 2) * 3
        var pixels = frame.image.pixels
        pixels[overIndex] &+= 5
        let image = RGBImage(width: frame.image.width, height: frame.image.height, pixels: pixels)
        let output = refinement.add([Float](repeating: added, count: side * side * 3), side: side, crop: crop, under: face, to: image)
        var raised = 0, wrong = 0
        for y in 0..<region.height {
            for x in 0..<region.width {
                let weight = min(1, weights[y * region.width + x])
                let pixel = ((region.top + y) * image.width + region.left + x) * 3
                for channel in 0..<3 {
                    let drawn = face.composite[(y * region.width + x) * 3 + channel]
                    let base = pixel + channel == overIndex ? Float(image.pixels[overIndex]) : drawn
                    let expected = weight > 0 ? ColourTransfer.rounded(base + weight * added) : image.pixels[pixel + channel]
                    if output.pixels[pixel + channel] != expected { wrong += 1 }
                    // Rounded on its own, a change of 0.3 adds nothing.
                    if weight > 0 && output.pixels[pixel + channel] > ColourTransfer.rounded(drawn) && pixel + channel != overIndex { raised += 1 }
                }
            }
        }
        #expect(wrong == 0, "\(wrong) values are not the level nearest the composite plus the change")
        #expect(raised > region.width * region.height / 3, "only \(raised) values rose")
        #expect(Self.changedOutside(face, image, output) == 0)
        // A non-finite change (a public checkpoint overflowing in fp16) adds nothing; a huge one saturates.
        let overflowed = refinement.add([Float](repeating: .nan, count: side * side * 3), side: side, crop: crop, under: face, to: image)
        #expect(overflowed.pixels == image.pixels)
        let huge = refinement.add([Float](repeating: 1e30, count: side * side * 3), side: side, crop: crop, under: face, to: image)
        let centre = ((region.top + region.height / 3) * image.width + region.left + region.width / 2) * 3
        #expect(huge.pixels[centre] == 255 && huge.pixels[centre + 1] == 255 && huge.pixels[centre + 2] == 255)
        refinement.finish()
    }

    @Test("the change a refinement makes leaves out the autoencoder's round trip")
    func changeWithoutRoundTrip() throws {
        let crop = (0..<(64 * 64 * 3)).map { UInt8(truncatingIfNeeded: $0 * 5 % 247) }
        var settings = Self.settings(window: 0, weight: 0)
        settings.changeBlur = 0
        let refiner = try Self.refiner(settings)
        let change = try refiner.change(crop: crop)
        let refined = try refiner.refine(crop: crop)
        let roundTrip = try refiner.model.codec.decode(latent: refiner.model.codec.encode(rgb: crop, side: 64), latentSide: 8)
        let fromRoundTrip = zip(change, zip(refined, roundTrip)).map { abs($0 - ($1.0 - $1.1)) }.max() ?? .infinity
        #expect(fromRoundTrip < 1e-3, "largest difference from refined − round trip: \(fromRoundTrip)")
        // The round trip of this patterned crop is far from the crop: refined − crop would be another change.
        let fromCrop = zip(change, zip(refined, crop)).map { abs($0 - ($1.0 - Float($1.1))) }.max() ?? 0
        #expect(fromCrop > 10, "largest difference from refined − crop: \(fromCrop)")

        // With a blur, the same change blurred: coarser, and no longer the sharp one.
        settings.changeBlur = 3
        let blurred = try Self.refiner(settings).change(crop: crop)
        let expected = GaussianBlur(sigma: 3).apply(change, width: 64, height: 64)
        let fromBlurred = zip(blurred, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(fromBlurred < 1e-3, "largest difference from the blurred change: \(fromBlurred)")
        #expect(Self.roughness(blurred, side: 64) < Self.roughness(change, side: 64) / 2)
    }

    @Test("the change is blurred over the face's skin: the mesh with its eyes and mouth left open, less the lips, in the crop")
    func changeFromSkin() throws {
        let (frame, _) = try Self.swappedFrame()
        let face = try #require(frame.faces.first)
        var settings = Self.settings(window: 0, weight: 0)
        settings.side = 64
        let refinement = try LiveRefinement(refiner: try Self.refiner(settings), models: Self.models, mode: .sync, frameBudget: 1)
        let side = settings.side
        let mesh = FaceCrop(mesh: face.mesh, scale: LiveRefinement.cropScale).changePoints(face.mesh, size: side)
        let skin = try refinement.skin(on: mesh)
        func at(_ point: SIMD3<Float>) -> Float { skin[Int(point.y.rounded(.down)) * side + Int(point.x.rounded(.down))] }
        // Cheeks, forehead, nose, chin: skin. The eyes' middles (between the lids, Biden's eyes are open), the lips
        // (the outer edge's middles, the mouth corners) and the crop's corners (hair, background): not.
        #expect([50, 280, 151, 1, 152].allSatisfy { at(mesh[$0]) == 1 })
        #expect([(159, 145), (386, 374)].allSatisfy { at((mesh[$0.0] + mesh[$0.1]) / 2) == 0 })
        #expect([0, 17, 61, 291].allSatisfy { at(mesh[$0]) == 0 })
        #expect([0, side - 1, side * side - side, side * side - 1].allSatisfy { skin[$0] == 0 })
        let covered = skin.filter { $0 > 0 }.count
        #expect(covered > side * side / 4 && covered < side * side * 3 / 4, "\(covered) of \(side * side) pixels are skin")

        // The refiner's change is that blur of its unblurred change over the skin.
        let crop = FaceCrop(mesh: face.mesh, scale: LiveRefinement.cropScale).extract(from: frame.image, size: side)
        var sharpSettings = settings
        sharpSettings.changeBlur = 0
        let sharp = try Self.refiner(sharpSettings).change(crop: crop)
        let fromSkin = try refinement.refiner.change(crop: crop, skin: skin)
        let expected = GaussianBlur(sigma: settings.changeBlur).apply(sharp, width: side, height: side, over: skin)
        let difference = zip(fromSkin, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference < 1e-3, "largest difference from the change blurred over the skin: \(difference)")
        refinement.finish()
    }

    @Test("the Gaussian blur over a support leaves out what lies off it, keeps flat colour flat and is 0 beyond its reach")
    func gaussianBlurOverSupport() {
        let blur = GaussianBlur(sigma: 1.5)
        let (width, height) = (23, 7)
        // Support: a 5 × 3 block and one pixel, with half weight on the block's right column.
        var support = [Float](repeating: 0, count: width * height)
        for y in 2..<5 {
            for x in 3..<8 { support[y * width + x] = x == 7 ? 0.5 : 1 }
        }
        support[1 * width + 9] = 1
        let flat = [Float]((0..<(width * height)).map { _ in [Float(10), -20, 30] }.joined())
        // Off the support the values do not count: wild values there change nothing.
        var wild = flat
        for index in support.indices where support[index] == 0 { wild[index * 3] = 1e4 * Float(index % 7) - 3e4 }
        let kept = blur.apply(wild, width: width, height: height, over: support)
        #expect(kept == blur.apply(flat, width: width, height: height, over: support))
        // A flat colour on the support stays flat on it and around it; where the blur brings (next to) no weight, 0.
        let reach = blur.weights.count / 2
        for y in 0..<height {
            for x in 0..<width {
                let index = (y * width + x) * 3
                let isFlat = abs(kept[index] - 10) < 1e-3 && abs(kept[index + 1] + 20) < 1e-3 && abs(kept[index + 2] - 30) < 1e-3
                let isZero = kept[index] == 0 && kept[index + 1] == 0 && kept[index + 2] == 0
                #expect(isFlat || isZero, "(\(x), \(y))")
                if x <= 10 { #expect(isFlat, "(\(x), \(y)) lies within 3 pixels of the support") }
                if x > 9 + reach { #expect(isZero, "(\(x), \(y)) lies beyond the blur's reach") }
            }
        }
        // On a full support it is the plain blur.
        let ramp = (0..<(width * height * 3)).map { Float($0 % 11) * 1.5 - Float($0 % 3) }
        let plain = blur.apply(ramp, width: width, height: height)
        let full = blur.apply(ramp, width: width, height: height, over: [Float](repeating: 1, count: width * height))
        #expect(zip(plain, full).allSatisfy { abs($0 - $1) < 1e-3 })
    }

    /// Mean absolute difference between horizontal neighbours of an RGB float image.
    static func roughness(_ values: [Float], side: Int) -> Float {
        var total: Float = 0
        for y in 0..<side {
            for x in 1..<side {
                for channel in 0..<3 { total += abs(values[(y * side + x) * 3 + channel] - values[(y * side + x - 1) * 3 + channel]) }
            }
        }
        return total / Float(side * (side - 1) * 3)
    }

    @Test("the Gaussian blur keeps flat colour up to the edges of odd shapes and spreads a point by its weights")
    func gaussianBlur() {
        let blur = GaussianBlur(sigma: 1.5)
        #expect(blur.weights.count == 11 && abs(blur.weights.reduce(0, +) - 1) < 1e-6)
        #expect(blur.weights[5] > blur.weights[4] && blur.weights[4] == blur.weights[6])
        let (width, height) = (7, 5)
        let flat = [Float]((0..<(width * height)).map { _ in [Float(10), 20, 30] }.joined())
        #expect(zip(blur.apply(flat, width: width, height: height), flat).allSatisfy { abs($0 - $1) < 1e-4 })
        // One bright red pixel in the middle: its colour spreads as the outer product of the weights.
        var point = [Float](repeating: 0, count: width * height * 3)
        point[(2 * width + 3) * 3] = 100
        let spread = blur.apply(point, width: width, height: height)
        #expect(abs(spread[(2 * width + 3) * 3] - 100 * blur.weights[5] * blur.weights[5]) < 1e-4)
        #expect(abs(spread[(2 * width + 4) * 3] - 100 * blur.weights[5] * blur.weights[6]) < 1e-4)
        #expect(spread[(2 * width + 3) * 3 + 1] == 0)
    }

    @Test("identity attention from the reference face changes the refinement")
    func identityAttention() throws {
        let crop = (0..<(64 * 64 * 3)).map { UInt8(truncatingIfNeeded: $0 * 3 % 241) }
        let reference = (0..<(64 * 64 * 3)).map { UInt8(truncatingIfNeeded: $0 * 11 % 239) }
        let refiner = try Self.refiner(Self.settings(window: 0))
        let without = try refiner.refine(crop: crop)
        try refiner.setIdentity(crop: reference, embedding: [])
        let with = try refiner.refine(crop: crop)
        let difference = zip(with, without).map { abs($0 - $1) }.max() ?? 0
        #expect(difference > 0.5, "largest change \(difference)")
    }

    @Test("unusable models and settings are refused by name")
    func refusals() throws {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()), precision: .float32)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("recast-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: RefinerError.unusableModel(empty, reason: "no unet/config.json (give a diffusers pipeline directory with unet/ and vae/)")) {
            try FaceRefiner(engine: engine, directory: empty, models: Self.models, settings: RefinerSettings())
        }
        var odd = Self.settings()
        odd.side = 72
        #expect(throws: RefinerError.invalidSetting("crop side", value: "72", expected: "a multiple of 16 for this UNet")) {
            try FaceRefiner(engine: engine, directory: try Self.pipelineDirectory(), models: Self.models, settings: odd)
        }
        let noVAE = try Self.pipelineDirectory()
        try FileManager.default.removeItem(atPath: noVAE + "/vae")
        #expect(throws: RefinerError.unusableModel(noVAE, reason: "no vae/ (an AutoencoderTiny such as TAESD) for the UNet's 4-channel latents")) {
            try FaceRefiner(engine: engine, directory: noVAE, models: Self.models, settings: Self.settings())
        }
        let residual = try Self.pipelineDirectory()
        try FileManager.default.createDirectory(atPath: residual + "/scheduler", withIntermediateDirectories: true)
        try Data(#"{"_class_name": "EulerDiscreteScheduler", "prediction_type": "condition_residual"}"#.utf8)
            .write(to: URL(fileURLWithPath: residual + "/scheduler/scheduler_config.json"))
        let plainUNet = "prediction_type condition_residual needs a UNet that takes the composite's latent (twice the latent channels)"
        #expect(throws: RefinerError.unusableModel(residual, reason: plainUNet)) {
            try FaceRefiner(engine: engine, directory: residual, models: Self.models, settings: Self.settings())
        }
    }
}
