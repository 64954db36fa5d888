import Foundation
import RecastNN
import Testing

/// The face mesh on Vulkan against the TFLite interpreter (tools/fixtures_face_mesh.py): two real portraits
/// cropped around the face, and a window with no face.
@Suite struct FaceMeshModelTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var image: String
            var imageWidth: Int
            var offset: [Int]
            var points: [Float]
            var presence: Float
            var presenceLogit: Float
        }

        var cases: [Case]
    }

    static let reference: Reference? = try? JSONDecoder().decode(
        Reference.self, from: Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture("face_mesh/landmarks.json"))))

    /// The case's 192×192 window of its fixture image.
    static func crop(_ testCase: Reference.Case) throws -> [UInt8] {
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture(testCase.image))))
        let side = FaceMeshModel.inputSize
        let (x0, y0) = (testCase.offset[0], testCase.offset[1])
        return (0..<side).flatMap { y in
            let start = ((y0 + y) * testCase.imageWidth + x0) * 3
            return image[start..<(start + side * 3)]
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func matchesTFLiteOnRealCrops(precision: StoragePrecision) throws {
        let reference = try #require(Self.reference, "Tests/Fixtures/face_mesh/landmarks.json is missing; run tools/fixtures_face_mesh.py")
        let model = try FaceMeshModel(engine: faceModelsEngine(precision), weightsPath: ModelFixtures.model("face_mesh/face_landmark.safetensors"))
        #expect(reference.cases.count == 3)
        for testCase in reference.cases {
            let crop = try Self.crop(testCase)
            let mesh = try model.landmarks(rgb: crop)
            let start = Date()
            #expect(try model.landmarks(rgb: crop) == mesh, "a replayed call gives the same result")
            print("face mesh \(testCase.image) [\(precision)]: \(String(format: "%.1f", Date().timeIntervalSince(start) * 1000)) ms per call")

            #expect(mesh.points.count == 468)
            #expect(abs(mesh.presence - testCase.presence) <= 0.01, "presence \(mesh.presence) vs \(testCase.presence)")
            guard testCase.presence > 0.5 else { continue }
            var worstXY: Float = 0
            var worstZ: Float = 0
            for (index, point) in mesh.points.enumerated() {
                let expected = SIMD3(testCase.points[3 * index], testCase.points[3 * index + 1], testCase.points[3 * index + 2])
                let d = point - expected
                worstXY = max(worstXY, (d.x * d.x + d.y * d.y).squareRoot())
                worstZ = max(worstZ, abs(d.z))
            }
            print("face mesh \(testCase.image) [\(precision)]: worst point \(worstXY) px in x, y; \(worstZ) in z; presence \(mesh.presence)")
            #expect(worstXY <= 0.5, "\(testCase.image): worst landmark \(worstXY) px from TFLite")
            #expect(worstZ <= 0.5, "\(testCase.image): worst depth \(worstZ) from TFLite")
        }
        #expect(try faceModelsValidationErrors().isEmpty)
    }

    @Test func refusesCropsOfTheWrongSize() throws {
        let model = try FaceMeshModel(engine: faceModelsEngine(.float32), weightsPath: ModelFixtures.model("face_mesh/face_landmark.safetensors"))
        #expect(throws: NNError.self) { try model.landmarks(rgb: [UInt8](repeating: 0, count: 191 * 192 * 3)) }
    }
}
