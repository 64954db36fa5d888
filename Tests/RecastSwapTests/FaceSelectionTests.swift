import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

/// `--faces`: which faces of a picture with two people the swap replaces.
@Suite("Face selection", .serialized)
struct FaceSelectionTests {
    static let models = IdentityTests.root.appendingPathComponent("Models")

    static func swap(_ faces: FaceSelection) throws -> (SwappedFrame, RGBImage) {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let swap = try WarpSwap(engine: engine, models: models, identityImage: WarpSwapTests.fixture("obama_456x568.jpg"), faces: faces)
        let picture = try RGBImage.load(path: WarpSwapTests.fixture("two_people_564x330.jpg"))
        return (try #require(try swap.swapFaces(picture)), picture)
    }

    static func contains(_ face: SwappedFace, _ point: SIMD2<Float>) -> Bool {
        Float(face.region.left) <= point.x && point.x < Float(face.region.left + face.region.width)
            && Float(face.region.top) <= point.y && point.y < Float(face.region.top + face.region.height)
    }

    @Test("the parser takes largest, all and match:IMAGE and nothing else")
    func parsing() {
        #expect(FaceSelection(parsing: "largest") == .largest)
        #expect(FaceSelection(parsing: "all") == .all)
        #expect(FaceSelection(parsing: "match:/srv/me.jpg") == .matching(image: "/srv/me.jpg"))
        #expect(FaceSelection(parsing: "match:") == nil && FaceSelection(parsing: "biggest") == nil)
    }

    @Test("largest replaces one face, all replaces both, match replaces the one most like the given person")
    func selections() throws {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let judge = try FaceAnalyzer(engine: engine, models: Self.models)
        let picture = try RGBImage.load(path: WarpSwapTests.fixture("two_people_564x330.jpg"))
        let people = try judge.analyze(picture)
        #expect(people.count == 2)
        func centre(_ face: AnalyzedFace) -> SIMD2<Float> { SIMD2(face.box.x + face.box.width / 2, face.box.y + face.box.height / 2) }

        let (largest, _) = try Self.swap(.largest)
        #expect(largest.faces.count == 1)
        let biggest = try #require(people.max { $0.area < $1.area })
        #expect(Self.contains(largest.faces[0], centre(biggest)))

        let (all, original) = try Self.swap(.all)
        #expect(all.faces.count == 2)
        for person in people { #expect(all.faces.contains { Self.contains($0, centre(person)) }) }
        #expect(all.image.pixels != original.pixels)

        let biden = try #require(try judge.analyze(RGBImage.load(path: WarpSwapTests.fixture("biden_484x1102.jpg"))).first)
        let likeness = people.map { zip($0.embedding, biden.embedding).map(*).reduce(0, +) }
        print("cosine of the two faces to Biden's portrait: \(likeness)")
        let expected = people[likeness[0] > likeness[1] ? 0 : 1]
        let (matched, _) = try Self.swap(.matching(image: WarpSwapTests.fixture("biden_484x1102.jpg")))
        #expect(matched.faces.count == 1)
        #expect(Self.contains(matched.faces[0], centre(expected)))
    }
}
