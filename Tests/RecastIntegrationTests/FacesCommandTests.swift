import Foundation
import Testing

/// `recastd faces` on real photos: the detector and the mesh agree with each other and with the picture.
@Suite("recastd faces")
struct FacesCommandTests {
    static func fixture(_ name: String) -> String {
        TestTools.packageRoot.appendingPathComponent("Tests/Fixtures/images/\(name)").path
    }

    struct Face {
        var box: [Double]
        var score: Double
        var keypoints: [[Double]]
        var mesh: [[Double]]
        var embedding: [Double]
    }

    func faces(_ image: String) throws -> [Face] {
        let result = try runTool(TestTools.recastdPath, ["faces", image, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let entries = try #require(json["faces"] as? [[String: Any]])
        return try entries.map { entry in
            Face(box: try #require(entry["box"] as? [Double]), score: try #require(entry["score"] as? Double),
                 keypoints: try #require(entry["keypoints"] as? [[Double]]), mesh: try #require(entry["mesh"] as? [[Double]]),
                 embedding: try #require(entry["embedding"] as? [Double]))
        }
    }

    @Test("a portrait: one face, its keypoints and mesh inside the box, the mesh's eyes on the detector's eyes")
    func portrait() throws {
        let found = try faces(Self.fixture("obama_456x568.jpg"))
        #expect(found.count == 1)
        let face = try #require(found.first)
        let (x, y, w, h) = (face.box[0], face.box[1], face.box[2], face.box[3])
        #expect(x > 100 && x < 250 && y > 0 && y < 120 && w > 80 && w < 200, "box \(face.box)")
        #expect(face.score > 0.8)
        #expect(face.keypoints.count == 5 && face.mesh.count == 468 && face.mesh.allSatisfy { $0.count == 3 })
        for point in face.keypoints {
            #expect(point[0] > x && point[0] < x + w && point[1] > y && point[1] < y + h, "keypoint \(point) outside \(face.box)")
        }
        let margin = 0.2 * w
        let inside = face.mesh.filter { $0[0] > x - margin && $0[0] < x + w + margin && $0[1] > y - margin && $0[1] < y + h + margin }
        #expect(inside.count == 468, "\(468 - inside.count) mesh points outside the face box")
        // MediaPipe's eye corners: 33/133 (the person's right eye), 362/263 (left).
        func center(_ a: Int, _ b: Int) -> [Double] { [(face.mesh[a][0] + face.mesh[b][0]) / 2, (face.mesh[a][1] + face.mesh[b][1]) / 2] }
        for (keypoint, meshEye) in [(face.keypoints[0], center(33, 133)), (face.keypoints[1], center(362, 263))] {
            let distance = hypot(keypoint[0] - meshEye[0], keypoint[1] - meshEye[1])
            #expect(distance < 0.08 * w, "detector eye \(keypoint) vs mesh eye \(meshEye): \(distance) px apart")
        }
    }

    @Test("two people: two separate faces")
    func twoPeople() throws {
        let found = try faces(Self.fixture("two_people_564x330.jpg"))
        #expect(found.count == 2)
        if found.count == 2 {
            let (a, b) = (found[0].box, found[1].box)
            let separate = a[0] + a[2] < b[0] || b[0] + b[2] < a[0]
            #expect(separate, "boxes overlap: \(a) \(b)")
        }
    }

    @Test("embeddings tell the two people apart: each matches their own portrait")
    func identities() throws {
        let pair = try faces(Self.fixture("two_people_564x330.jpg"))
        let obama = try #require(try faces(Self.fixture("obama_456x568.jpg")).first)
        let biden = try #require(try faces(Self.fixture("biden_484x1102.jpg")).first)
        try #require(pair.count == 2)
        func cosine(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
        #expect(pair.allSatisfy { $0.embedding.count == 256 && abs(cosine($0.embedding, $0.embedding) - 1) < 1e-3 })
        // Obama stands on the left of two_people.jpg, Biden on the right.
        let (left, right) = (pair[0].box[0] < pair[1].box[0]) ? (pair[0], pair[1]) : (pair[1], pair[0])
        let same = [cosine(left.embedding, obama.embedding), cosine(right.embedding, biden.embedding)]
        let different = [cosine(left.embedding, biden.embedding), cosine(right.embedding, obama.embedding)]
        #expect(same.min()! > different.max()! + 0.2, "same person \(same), different people \(different)")
    }

    @Test("a picture without a face gives an empty list; a file that is not an image, one clear error")
    func noFace() throws {
        let directory = try TestTools.temporaryDirectory("noface")
        let pattern = directory.appendingPathComponent("pattern.png").path
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240", "-frames:v", "1", pattern])
        #expect(try faces(pattern).isEmpty)
        let text = directory.appendingPathComponent("notes.jpg")
        try Data("not a picture".utf8).write(to: text)
        let result = try runTool(TestTools.recastdPath, ["faces", text.path])
        #expect(result.status == 1)
        #expect(result.stderr == "recastd: \(text.path) is not a media file or stream FFmpeg can read\n", "\(result.stderr)")
    }
}
