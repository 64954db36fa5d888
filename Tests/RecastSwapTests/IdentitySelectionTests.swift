import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

/// The reference image rules on real photos.
@Suite("Identity selection")
struct IdentitySelectionTests {
    static let analyzer: Result<FaceAnalyzer, any Error> = Result {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        return try FaceAnalyzer(engine: engine, models: IdentityTests.root.appendingPathComponent("Models"))
    }

    static func image(_ name: String) throws -> RGBImage {
        try RGBImage.load(path: IdentityTests.root.appendingPathComponent("Tests/Fixtures/images/\(name)").path)
    }

    @Test("a portrait gives its one face")
    func portrait() throws {
        let faces = try Self.analyzer.get().analyze(Self.image("obama_456x568.jpg"))
        let chosen = try IdentitySelection.choose(from: faces, image: "obama")
        #expect(chosen.box.width > 100)
    }

    @Test("two people of the same size are refused as ambiguous")
    func twoPeople() throws {
        let faces = try Self.analyzer.get().analyze(Self.image("two_people_564x330.jpg"))
        #expect(throws: IdentityError.ambiguous(image: "two", faces: 2)) { try IdentitySelection.choose(from: faces, image: "two") }
    }

    @Test("a face under the size limit is refused, naming the limit")
    func tooSmall() throws {
        let small = try Self.image("obama_456x568.jpg").resized(width: 152, height: 189)
        let faces = try Self.analyzer.get().analyze(small)
        #expect(faces.count == 1)
        #expect {
            try IdentitySelection.choose(from: faces, image: "small")
        } throws: { error in
            "\(error)".contains("at least \(IdentitySelection.minimumFaceWidth) px is needed")
        }
    }

    @Test("no face at all")
    func noFace() throws {
        let blank = RGBImage(width: 64, height: 48, pixels: [UInt8](repeating: 128, count: 64 * 48 * 3))
        let faces = try Self.analyzer.get().analyze(blank)
        #expect(throws: IdentityError.noFace(image: "blank")) { try IdentitySelection.choose(from: faces, image: "blank") }
    }
}
