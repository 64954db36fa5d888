import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap
import Testing

/// Identity through Recast's own face path (YuNet keypoints → 112×112 alignment → MobileFace), on real faces.
@Suite("Identity")
struct IdentityTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }()

    @Test("LFW pairs: same-person pairs outscore different-person pairs at least 95 % of the time")
    func lfwPairs() throws {
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let analyzer = try FaceAnalyzer(engine: engine, models: Self.root.appendingPathComponent("Models"))
        analyzer.measuresMesh = false
        // The faces fill these 100×100 crops; a low threshold still keeps YuNet's one real face.
        analyzer.scoreThreshold = 0.3
        let folder = Self.root.appendingPathComponent("Tests/Fixtures/lfw_pairs")
        let pairs = try String(contentsOf: folder.appendingPathComponent("pairs.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(pairs.count == 50)
        func embedding(_ path: String) throws -> [Float] {
            let faces = try analyzer.analyze(RGBImage.load(path: folder.appendingPathComponent(path).path))
            let areas = faces.map { $0.box.width * $0.box.height }
            let largest = try #require(areas.indices.max { areas[$0] < areas[$1] }, "no face in \(path)")
            return faces[largest].embedding
        }
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map(*).reduce(0, +) }
        let embeddings = try pairs.map { (try embedding($0[0]), try embedding($0[1])) }
        // Protocol: every same-person pair against every pair of two different people's first images.
        let same = embeddings.map { cosine($0.0, $0.1) }
        var different: [Float] = []
        for i in embeddings.indices { for j in (i + 1)..<embeddings.count { different.append(cosine(embeddings[i].0, embeddings[j].0)) } }
        let wins = same.reduce(0) { total, score in total + different.filter { score > $0 }.count }
        let rate = Double(wins) / Double(same.count * different.count)
        print("LFW pairs through detection + alignment + MobileFace: \(String(format: "%.4f", rate))")
        #expect(rate >= 0.95, "same-person pairs ranked above different-person pairs \(rate * 100) % of the time")
    }
}
