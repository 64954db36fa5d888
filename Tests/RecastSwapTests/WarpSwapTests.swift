import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import Testing
@testable import RecastSwap

/// The warp swap on real photos: the swapped face takes the identity's looks and keeps the live face's place.
@Suite("Warp swap")
struct WarpSwapTests {
    static func fixture(_ name: String) -> String {
        IdentityTests.root.appendingPathComponent("Tests/Fixtures/images/\(name)").path
    }

    /// A swap to Obama, Biden's photo to swap, and an analyzer of its own (with embeddings) to judge the result.
    static func bidenAsObama() throws -> (swap: WarpSwap, live: RGBImage, judge: FaceAnalyzer, obama: AnalyzedFace) {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let models = IdentityTests.root.appendingPathComponent("Models")
        let swap = try WarpSwap(engine: engine, models: models, identityImage: Self.fixture("obama_456x568.jpg"))
        let judge = try FaceAnalyzer(engine: engine, models: models)
        let obama = try #require(try judge.analyze(RGBImage.load(path: Self.fixture("obama_456x568.jpg"))).first)
        return (swap, try RGBImage.load(path: Self.fixture("biden_484x1102.jpg")), judge, obama)
    }

    @Test("Biden's face swapped for Obama's: the result is nearer Obama than Biden, everything else untouched")
    func swapIdentity() throws {
        let (swap, live, judge, obama) = try Self.bidenAsObama()
        let swapped = try #require(try swap.swapFaces(live)?.image)
        let before = try #require(try judge.analyze(live).first)
        let after = try #require(try judge.analyze(swapped).first, "no face left after the swap")
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map(*).reduce(0, +) }
        let towardsIdentity = cosine(after.embedding, obama.embedding)
        let towardsSource = cosine(after.embedding, before.embedding)
        print("swapped face: cosine \(towardsIdentity) to the identity, \(towardsSource) to the source face")
        #expect(towardsIdentity > towardsSource, "identity \(towardsIdentity), source \(towardsSource)")
        // Before the swap the two people are far apart; the swap moves the face most of the way.
        let beforeTowardsIdentity = cosine(before.embedding, obama.embedding)
        #expect(towardsIdentity > beforeTowardsIdentity + 0.2, "identity similarity \(beforeTowardsIdentity) → \(towardsIdentity)")
        #expect(towardsSource < 0.6, "the face barely changed: \(towardsSource) to the source")
        // The face stays where it was.
        #expect(abs(after.box.x - before.box.x) < 0.1 * before.box.width && abs(after.box.y - before.box.y) < 0.1 * before.box.height)
        // Pixels far from the face are unchanged.
        let corner = (0..<(live.width * 40 * 3)).filter { live.pixels[$0] != swapped.pixels[$0] }
        #expect(corner.isEmpty, "\(corner.count) changed values in the top rows")
    }

    @Test("moving the face's features half way to the identity's proportions brings it nearer the identity")
    func identityShape() throws {
        let (swap, live, judge, obama) = try Self.bidenAsObama()
        var similarities: [Float] = []
        for strength: Float in [0, 0.5] {
            swap.identityShape = strength
            let swapped = try #require(try swap.swapFaces(live)?.image)
            let face = try #require(try judge.analyze(swapped).first, "no face after the swap at strength \(strength)")
            similarities.append(zip(face.embedding, obama.embedding).map(*).reduce(0, +))
        }
        // Measured 0.41 → 0.51.
        #expect(similarities[1] > similarities[0] + 0.05, "cosine to the identity at identity shape 0 and 0.5: \(similarities)")
    }

    @Test("an image without a face is left alone")
    func noFace() throws {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let swap = try WarpSwap(engine: engine, models: IdentityTests.root.appendingPathComponent("Models"),
                                identityImage: Self.fixture("obama_456x568.jpg"))
        let blank = RGBImage(width: 80, height: 60, pixels: [UInt8](repeating: 90, count: 80 * 60 * 3))
        #expect(try swap.swapFaces(blank) == nil)
    }
}
