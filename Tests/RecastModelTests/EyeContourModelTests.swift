import Foundation
import RecastNN
import Testing

/// The eye contours on Vulkan against the PyTorch re-implementation (tools/fixtures_eye_contours.py, itself checked
/// part by part against the TFLite interpreter): two real portraits' crops with their TFLite face meshes.
@Suite struct EyeContourModelTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var image: String
            var eyes: [[Float]]
        }

        var cases: [Case]
    }

    static let reference: Reference? = try? JSONDecoder().decode(
        Reference.self, from: Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture("face_mesh/eye_contours.json"))))

    static func model(_ precision: StoragePrecision) throws -> EyeContourModel {
        try EyeContourModel(engine: faceModelsEngine(precision), weightsPath: ModelFixtures.model("face_mesh/eye_contours.safetensors"))
    }

    @Test(arguments: StoragePrecision.allCases)
    func matchesTheReferenceOnRealCrops(precision: StoragePrecision) throws {
        let reference = try #require(Self.reference, "Tests/Fixtures/face_mesh/eye_contours.json is missing; run tools/fixtures_eye_contours.py")
        let meshes = try #require(FaceMeshModelTests.reference, "Tests/Fixtures/face_mesh/landmarks.json is missing")
        let model = try Self.model(precision)
        #expect(reference.cases.count == 2)
        for testCase in reference.cases {
            let meshCase = try #require(meshes.cases.first { $0.image == testCase.image })
            let mesh = (0..<468).map { SIMD3(meshCase.points[3 * $0], meshCase.points[3 * $0 + 1], meshCase.points[3 * $0 + 2]) }
            let crop = try FaceMeshModelTests.crop(meshCase)
            let start = Date()
            let eyes = try model.contours(rgb: crop, mesh: mesh)
            print("eye contours \(testCase.image) [\(precision)]: \(String(format: "%.1f", Date().timeIntervalSince(start) * 1000)) ms per call")
            #expect(try model.contours(rgb: crop, mesh: mesh) == eyes, "a replayed call gives the same result")
            #expect(eyes.map(\.count) == [71, 71])
            for (eye, expected) in zip(eyes, testCase.eyes) {
                let worst = eye.enumerated().map { index, point in
                    let d = point - SIMD2(expected[2 * index], expected[2 * index + 1])
                    return (d * d).sum().squareRoot()
                }.max()!
                print("eye contours \(testCase.image) [\(precision)]: worst point \(worst) px")
                #expect(worst <= 0.3, "\(testCase.image): worst eye point \(worst) px from the reference")
            }
            // The contour lies on the face mesh's own eye, the lids where the mesh has them within a pixel or two.
            for (eye, crop) in zip(eyes, model.eyes) {
                let contour = crop.points.prefix(EyeContourModel.contourCount)
                let distances = zip(eye, contour).map { point, index in
                    let d = point - SIMD2(mesh[index].x, mesh[index].y)
                    return (d * d).sum().squareRoot()
                }
                #expect(distances.reduce(0, +) / Float(distances.count) < 2, "\(testCase.image): the contour is off the eye")
            }
        }
        #expect(try faceModelsValidationErrors().isEmpty)
    }

    @Test func refusesCropsOfTheWrongSize() throws {
        let model = try Self.model(.float32)
        let mesh = [SIMD3<Float>](repeating: .zero, count: 468)
        #expect(throws: NNError.self) { try model.contours(rgb: [UInt8](repeating: 0, count: 191 * 192 * 3), mesh: mesh) }
        #expect(throws: NNError.self) { try model.contours(rgb: [UInt8](repeating: 0, count: 192 * 192 * 3), mesh: Array(mesh.prefix(467))) }
    }

    @Test func refusesAFileWithoutItsCropSettings() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eye-contours-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensorsWriter.write([(name: "stem.conv.weight", shape: [1], values: [0])], to: path)
        #expect {
            try EyeContourModel(engine: faceModelsEngine(.float32), weightsPath: path)
        } throws: { error in
            "\(error)".contains("tools/convert_eye_contours.py")
        }
        // Settings that index past the mesh.
        let crop = #"{"points": [500], "strides": [1], "levelledBy": [33, 133], "cropScale": [1.5, 1.5], "cropSize": [16, 16], "featureScale": 0.25, "outputScale": [[1, 1, 4, 4], [1, 1, 4, 4], [1, 1, 1, 1], [1, 1, 1, 1]]}"#
        try SafeTensorsWriter.write(
            [(name: "stem.conv.weight", shape: [1], values: [0])],
            metadata: ["trunkStrides": "[1, 1, 2]", "eyes": "{\"rightEye\": \(crop), \"leftEye\": \(crop)}"], to: path)
        #expect {
            try EyeContourModel(engine: faceModelsEngine(.float32), weightsPath: path)
        } throws: { error in
            "\(error)".contains("unusable rightEye")
        }
    }
}
