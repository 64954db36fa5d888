import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

@Suite("Face tracking")
struct FaceTrackerTests {
    /// The bundled models' analyzer as the tracker uses it, without identity embeddings.
    static func analyzer() throws -> FaceAnalyzer {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let analyzer = try FaceAnalyzer(engine: engine, models: IdentityTests.root.appendingPathComponent("Models"))
        analyzer.embedsIdentity = false
        return analyzer
    }

    @Test("detection every 5th frame; in between the mesh follows the face as closely as detecting each frame would")
    func tracksBetweenDetections() throws {
        let analyzer = try Self.analyzer()
        let tracker = FaceTracker(analyzer: analyzer, detectionInterval: 5)
        let clip = try SwapStabilityTests.frames(11)
        var worst: Float = 0
        for (image, _) in clip {
            let tracked = try #require(try tracker.track(image), "lost the face")
            let detected = try #require(try analyzer.analyze(image).first)
            let distance = zip(tracked.mesh, detected.mesh).map { simd_length(SIMD2($0.x - $1.x, $0.y - $1.y)) }.reduce(0, +)
                / Float(detected.mesh.count)
            worst = max(worst, distance / detected.box.width)
            #expect(tracked.keypoints.count == 5)
        }
        print("tracked vs detected mesh: worst mean point distance \(worst * 100) % of the face width")
        #expect(tracker.detections == 3)
        #expect(worst < 0.03)
    }

    @Test("on d18 the tracked lids follow the squint the evaluator reads (frames 174–215), which the mesh's own missed")
    func eyelidsFollowTheSquint() throws {
        let analyzer = try Self.analyzer()
        let tracker = FaceTracker(analyzer: analyzer, detectionInterval: 5)
        var (placed, meshAlone, evaluated): ([Double], [Double], [Double]) = ([], [], [])
        var previous: [SIMD3<Float>]?
        for (image, _) in try SwapStabilityTests.frames(216) {
            let tracked = try #require(try tracker.track(image), "lost the face")
            // The mesh alone on the crop the tracker followed the face with; the evaluator's reading on the detector's.
            let crop = previous.map { FaceCrop(mesh: $0) }
            let alone = try crop.map { try analyzer.measureMesh(image, crop: $0).0 } ?? tracked.mesh
            let detected = try #require(try analyzer.analyze(image).first)
            placed.append(FaceOpenings.eyes(tracked.mesh))
            meshAlone.append(FaceOpenings.eyes(alone))
            evaluated.append(FaceOpenings.eyes(detected.mesh))
            previous = tracked.mesh
        }
        #expect(placed.count == 216)
        // Outside the two blinks, which every reading finds, d18's eyes change only by the squint.
        let usual = evaluated.sorted()[evaluated.count / 2]
        let open = evaluated.indices.filter { evaluated[$0] > 0.8 * usual }
        func correlation(_ series: [Double]) throws -> Double {
            try #require(SeriesStatistics.pearsonCorrelation(open.map { series[$0] }, open.map { evaluated[$0] }))
        }
        let (withContours, withoutContours) = (try correlation(placed), try correlation(meshAlone))
        print("d18 eye opening outside blinks (\(open.count) frames), correlation with the evaluator's: tracked lids \(withContours), the mesh's own \(withoutContours)")
        #expect(open.count >= 200)
        #expect(withContours >= 0.25)
        #expect(withContours - withoutContours >= 0.2)
    }

    @Test("a frame without a face is reported as such, and the next face is detected afresh")
    func lostFace() throws {
        let analyzer = try Self.analyzer()
        let tracker = FaceTracker(analyzer: analyzer, detectionInterval: 30)
        let clip = try SwapStabilityTests.frames(1)
        #expect(try tracker.track(clip[0].0) != nil)
        let blank = RGBImage(width: clip[0].0.width, height: clip[0].0.height, pixels: [UInt8](repeating: 40, count: clip[0].0.pixels.count))
        #expect(try tracker.track(blank) == nil)
        #expect(try tracker.track(clip[0].0) != nil)
        #expect(tracker.detections == 3, "the blank frame's mesh must fail and send it back to detection")
    }
}

private func simd_length(_ vector: SIMD2<Float>) -> Float { (vector * vector).sum().squareRoot() }
