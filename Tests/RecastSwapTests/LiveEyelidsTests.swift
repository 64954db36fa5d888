import Foundation
import RecastGPU
import RecastNN
import Testing
@testable import RecastSwap

@Suite("The person's own eyelids through a blink")
struct LiveEyelidsTests {
    @Test("the distance to a contour: 0 inside, to the nearest edge or corner outside")
    func contourDistance() {
        let triangle: [SIMD2<Float>] = [SIMD2(0, 0), SIMD2(10, 0), SIMD2(0, 10)]
        #expect(ContourFalloff.distanceOutside(SIMD2(2, 3), triangle) == 0)
        #expect(abs(ContourFalloff.distanceOutside(SIMD2(4, -3), triangle) - 3) < 1e-5, "below the bottom edge")
        #expect(abs(ContourFalloff.distanceOutside(SIMD2(13, -4), triangle) - 5) < 1e-5, "beyond the corner (10, 0)")
        #expect(abs(ContourFalloff.distanceOutside(SIMD2(8, 8), triangle) - 6 / Float(2).squareRoot()) < 1e-5, "across the slanted edge")
    }

    @Test("weights: 1 on the contour and within the margin, falling over the feather to 0, on an odd grid cut at its edge")
    func falloffWeights() {
        // A flat contour 20 px wide (a lid line) through row 12's pixel centres; margin 2 px, feather 4 px; the grid
        // cuts off its right end.
        let line: [SIMD2<Float>] = [SIMD2(10, 12.5), SIMD2(30, 12.5)]
        var weights = [Float](repeating: 0, count: 27 * 23)
        ContourFalloff(margin: 0.1, feather: 0.2).forEachWeight(around: line, width: 27, height: 23) { x, y, weight in
            #expect(weights[y * 27 + x] == 0, "pixel (\(x), \(y)) visited twice")
            weights[y * 27 + x] = weight
        }
        #expect(weights[12 * 27 + 20] == 1 && weights[13 * 27 + 20] == 1, "on the line and 1 px off it")
        #expect(abs(weights[15 * 27 + 20] - 0.75) < 1e-5, "3 px off: 1 px into the 4 px feather")
        #expect(weights[19 * 27 + 20] == 0 && weights[5 * 27 + 20] == 0, "6.5 and 7 px off: beyond the feather")
        #expect(abs(weights[12 * 27 + 7] - 0.875) < 1e-5, "2.5 px beyond the line's end")
        #expect(weights[12 * 27 + 26] == 1, "the grid's last column")
    }

    @Test("shown fully, the lids lower the mask around the live eyes to nothing, half shown by half; elsewhere it stays")
    func reveal() {
        let mesh = EyeClosureTests().face(gap: 12)
        // Eyes 40 px wide at x 80–120 and 180–220, y 100; the region starts at (13, 7) and is an odd size.
        let region = FaceRegion(left: 13, top: 7, width: 251, height: 157)
        let full = [Float](repeating: 1, count: region.width * region.height)
        func masked(_ shown: Float) -> [Float] {
            var mask = full
            LiveEyelids().reveal(shown, mesh: mesh, in: &mask, region: region)
            return mask
        }
        func at(_ mask: [Float], _ x: Int, _ y: Int) -> Float { mask[(y - region.top) * region.width + x - region.left] }
        #expect(masked(0) == full)
        let shut = masked(1), half = masked(0.5)
        for centre in [100, 200] {
            #expect(at(shut, centre, 100) == 0 && at(shut, centre, 105) == 0, "inside the eye")
            #expect(at(half, centre, 100) == 0.5)
            #expect(abs(at(shut, centre, 109) - 0.4375) < 1e-5, "3.5 px below the lower lid: into the 8 px feather")
            #expect(at(shut, centre, 115) == 1, "9.5 px below: beyond it")
        }
        #expect(at(shut, 150, 100) == 1, "between the eyes")
        #expect(at(shut, 100, 75) == 1, "the brow")
        #expect(zip(shut, full).filter { $0 != $1 }.count < 2 * 70 * 35, "only around the eyes")
    }

    @Test("a blink shows the person's lids as far as the eyes close; a longer narrowing (a look down) gives way to the identity's")
    func blinksOnly() {
        let eyelids = LiveEyelids()
        var closure = EyeClosure()
        let frames = EyeClosureTests()
        var closed: [Float] = [], shown: [Float] = []
        // 1 s open, then 0.6 s read 30 % narrower (shut), then open again; 30 frames/s.
        for frame in 0..<78 {
            let time = Double(frame) / 30
            closed.append(closure.closure(frames.face(gap: frame >= 30 && frame < 48 ? 12 * 0.69 : 12), at: time))
            shown.append(eyelids.shown(closure: closed[frame], closedFor: closure.closedFor(at: time)))
        }
        #expect(closed[30...47].allSatisfy { $0 > 0.8 }, "the narrowing closes the eyes")
        #expect(shown[..<30].allSatisfy { $0 == 0 } && shown[48...].allSatisfy { $0 == 0 }, "open eyes show none")
        #expect((30...39).allSatisfy { shown[$0] == closed[$0] }, "the first 0.3 s: the person's lids, as far as closed")
        #expect(abs(shown[42] - closed[42] / 2) < 1e-4, "then they give way over 0.2 s: half way at 0.4 s")
        #expect(shown[46...47].allSatisfy { $0 == 0 }, "after 0.5 s the identity's eyes, closed")
        #expect(closure.closedFor(at: 78.0 / 30) == 0)
        #expect(abs(eyelids.shown(closure: 0.6, closedFor: 0.4) - 0.3) < 1e-6)
    }

    @Test("on a real clip the swap shows the person's lids through its blink (d18, frames 91–97) and nowhere before")
    func blinkOnClip() throws {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let swap = try WarpSwap(engine: engine, models: IdentityTests.root.appendingPathComponent("Models"),
                                identityImage: WarpSwapTests.fixture("obama_456x568.jpg"))
        // The identity's blend weight at the middle of each eye, the lowest of the two; and the face's coverage there.
        var weights: [Float] = [], covered: [Float] = []
        for (image, time) in try SwapStabilityTests.frames(100) {
            let face = try #require(try swap.swapFaces(image, at: time)?.faces.first)
            let eyes = MeshLandmarks.eyeCenters(face.mesh)
            let pixels = [eyes.right, eyes.left].map { (Int($0.y) - face.region.top) * face.region.width + Int($0.x) - face.region.left }
            weights.append(pixels.map { face.mask[$0] }.min()!)
            covered.append(pixels.map { face.faceMask[$0] }.min()!)
        }
        #expect(weights[..<90].allSatisfy { $0 == 1 }, "open eyes are the identity's: \(weights[..<90].filter { $0 < 1 })")
        let blink = weights[91...97].min()!
        #expect(blink < 0.8, "through the blink the person's lids show: the identity weighs at least \(blink)")
        #expect(covered.allSatisfy { $0 == 1 }, "the face as the warp covers it keeps the eyes, for a refinement's change")
    }
}
