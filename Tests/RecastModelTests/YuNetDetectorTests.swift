import Foundation
import RecastNN
import Testing

/// YuNet on Vulkan against onnxruntime + OpenCV's decoding (tools/fixtures_yunet.py) on a real photo,
/// at the fixture's three input sizes. Serialized so the printed times are not shared between sizes.
@Suite(.serialized) struct YuNetDetectorTests {
    struct Reference: Decodable {
        struct Face: Decodable {
            var box: [Float]
            var score: Float
            var keypoints: [[Float]]
        }

        struct Case: Decodable {
            var name: String
            var scale: Int
            var crop: [Int]
            var faces: [Face]
        }

        var image: String
        var width: Int
        var height: Int
        var scoreThreshold: Float
        var nmsThreshold: Float
        var cases: [Case]
    }

    static let reference: Reference? = try? JSONDecoder().decode(
        Reference.self, from: Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture("yunet/detections.json"))))

    /// The fixture image scaled by pixel repetition, then cropped, as the fixture script derives each case.
    static func caseImage(_ base: [UInt8], width: Int, _ c: Reference.Case) -> [UInt8] {
        let (x0, y0, w, h) = (c.crop[0], c.crop[1], c.crop[2], c.crop[3])
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let source = ((y0 + y) / c.scale * width + (x0 + x) / c.scale) * 3
                for channel in 0..<3 { pixels[(y * w + x) * 3 + channel] = base[source + channel] }
            }
        }
        return pixels
    }

    static func iou(_ a: DetectedFace, _ b: [Float]) -> Float {
        let overlapWidth = max(0, min(a.x + a.width, b[0] + b[2]) - max(a.x, b[0]))
        let overlapHeight = max(0, min(a.y + a.height, b[1] + b[3]) - max(a.y, b[1]))
        let intersection = overlapWidth * overlapHeight
        return intersection / (a.width * a.height + b[2] * b[3] - intersection)
    }

    @Test(arguments: ["320x240", "640x480", "283x211"], StoragePrecision.allCases)
    func findsTheFacesOnnxRuntimeFinds(caseName: String, precision: StoragePrecision) throws {
        let reference = try #require(Self.reference, "Tests/Fixtures/yunet/detections.json is missing; run tools/fixtures_yunet.py")
        let testCase = try #require(reference.cases.first { $0.name == caseName })
        let base = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture("yunet/\(reference.image)"))))
        let image = Self.caseImage(base, width: reference.width, testCase)
        let detector = try YuNetDetector(engine: faceModelsEngine(precision), weightsPath: ModelFixtures.model("yunet/yunet_s.safetensors"))

        let faces = try detector.detect(
            rgb: image, width: testCase.crop[2], height: testCase.crop[3],
            scoreThreshold: reference.scoreThreshold, nmsThreshold: reference.nmsThreshold)
        let start = Date()
        let repeats = 3
        for _ in 0..<repeats {
            _ = try detector.detect(rgb: image, width: testCase.crop[2], height: testCase.crop[3])
        }
        print("YuNet \(caseName) [\(precision)]: \(String(format: "%.1f", Date().timeIntervalSince(start) * 1000 / Double(repeats))) ms per call")

        #expect(!testCase.faces.isEmpty)
        for expected in testCase.faces {
            let match = faces.max { Self.iou($0, expected.box) < Self.iou($1, expected.box) }
            let found = try #require(match, "no face for \(expected.box)")
            #expect(Self.iou(found, expected.box) >= 0.95, "box \(found) vs \(expected.box)")
            #expect(abs(found.score - expected.score) <= 0.02, "score \(found.score) vs \(expected.score)")
            for (point, expectedPoint) in zip(found.keypoints, expected.keypoints) {
                let distance = ((point.x - expectedPoint[0]) * (point.x - expectedPoint[0])
                    + (point.y - expectedPoint[1]) * (point.y - expectedPoint[1])).squareRoot()
                #expect(distance <= 0.02 * expected.box[2], "keypoint \(point) vs \(expectedPoint)")
            }
        }
        // A face onnxruntime did not report is only acceptable when its score is at the threshold's edge.
        let extra = faces.filter { face in !testCase.faces.contains { Self.iou(face, $0.box) >= 0.5 } }
        #expect(extra.allSatisfy { $0.score < reference.scoreThreshold + 0.02 }, "extra faces \(extra)")
        #expect(try faceModelsValidationErrors().isEmpty)
    }

    @Test func suppressesOverlappingCandidates() throws {
        let reference = try #require(Self.reference)
        let base = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture("yunet/\(reference.image)"))))
        let detector = try YuNetDetector(engine: faceModelsEngine(.float32), weightsPath: ModelFixtures.model("yunet/yunet_s.safetensors"))
        let all = try detector.detect(rgb: base, width: reference.width, height: reference.height, scoreThreshold: 0.3, nmsThreshold: 1)
        let suppressed = try detector.detect(rgb: base, width: reference.width, height: reference.height, scoreThreshold: 0.3, nmsThreshold: 0.3)
        #expect(all.count > suppressed.count)
        #expect(suppressed.count == 2)
    }
}
