import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

/// The refiner's training samples, made by the warp path from real frames of one person.
@Suite("Refiner training pairs", .serialized)
struct RefinerTrainingPairsTests {
    @Test("a lighting shift changes colour and light as drawn; the neutral shift changes nothing")
    func lightingShift() {
        let image = RGBImage(width: 4, height: 2, pixels: (0..<24).map { UInt8(40 + $0 * 7) })
        #expect(LightingShift(gains: SIMD3(1, 1, 1), gamma: 1, gradient: .zero).applied(to: image).pixels == image.pixels)
        let redder = LightingShift(gains: SIMD3(1.2, 1, 0.8), gamma: 1, gradient: .zero).applied(to: image)
        for index in stride(from: 0, to: 24, by: 3) {
            #expect(redder.pixels[index] > image.pixels[index] && redder.pixels[index + 1] == image.pixels[index + 1])
            #expect(redder.pixels[index + 2] < image.pixels[index + 2])
        }
        // Brighter to the right: the same colour gets lighter across the picture.
        let flat = RGBImage(width: 8, height: 1, pixels: [UInt8](repeating: 128, count: 24))
        let lit = LightingShift(gains: SIMD3(1, 1, 1), gamma: 1, gradient: SIMD2(0.3, 0)).applied(to: flat)
        #expect(lit.pixels[0] < 128 && lit.pixels[21] > 128)
    }

    @Test("samples pair the composite of another frame's face with the real crop, under the swap's mask")
    func samples() throws {
        let frames = try SwapStabilityTests.frames(24).map(\.0)
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let models = LiveRefinementTests.models
        let swap = try WarpSwap(engine: engine, models: models, identityImage: WarpSwapTests.fixture("obama_456x568.jpg"))
        let pairs = RefinerTrainingPairs(swap: swap, analyzer: try FaceAnalyzer(engine: engine, models: models), side: 64)
        for frame in [frames[0], frames[12], frames[23]] { pairs.add(frame: frame) }
        #expect(pairs.usableFrames == 3)
        var generator = SystemRandomNumberGenerator()
        // Only neighbours (in the order added) may be warped onto each other.
        let samples = try pairs.samples(perFrame: 1, gaps: 1...1, using: &generator)
        #expect(samples.count == 3)
        for sample in samples {
            #expect(sample.composite.count == 64 * 64 * 3 && sample.target.count == 64 * 64 * 3 && sample.mask.count == 64 * 64)
            let (t, s, u) = (sample.frames.x, sample.frames.y, sample.frames.z)
            #expect(abs(t - s) == 1 && u != s && u != t)
            #expect(abs(sample.embedding.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3)
            // The mask covers the face in the middle of the crop and leaves its corner; the composite differs from
            // the real crop under it, and equals it where the mask is 0.
            #expect(sample.mask[32 * 64 + 32] == 255 && sample.mask[0] == 0)
            var inside = 0.0, outside = 0.0, insideCount = 0.0, outsideCount = 0.0
            for pixel in 0..<(64 * 64) {
                let difference = (0..<3).map { abs(Double(sample.composite[pixel * 3 + $0]) - Double(sample.target[pixel * 3 + $0])) }.reduce(0, +)
                if sample.mask[pixel] == 255 { inside += difference; insideCount += 1 }
                if sample.mask[pixel] == 0 { outside += difference; outsideCount += 1 }
            }
            #expect(inside / insideCount > 3, "mean change under the mask \(inside / insideCount)")
            #expect(outside / outsideCount < 1, "mean change outside the mask \(outside / outsideCount)")
        }
    }
}
