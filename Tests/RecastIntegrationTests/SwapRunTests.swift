import Foundation
import Testing

/// `recastd run --identity` on a real talking-head clip.
@Suite("recastd run --identity")
struct SwapRunTests {
    static func fixture(_ path: String) -> String {
        TestTools.packageRoot.appendingPathComponent("Tests/Fixtures/\(path)").path
    }

    func embedding(of image: String) throws -> [Double] {
        let result = try runTool(TestTools.recastdPath, ["faces", image, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let faces = try #require(json?["faces"] as? [[String: Any]], "recastd faces: \(result.stderr)")
        return try #require(faces.first?["embedding"] as? [Double], "no face in \(image)")
    }

    @Test("every frame comes out, the audio too, and the face is the identity's")
    func swapClip() throws {
        let work = try TestTools.temporaryDirectory("swap")
        let clip = work.appendingPathComponent("clip.mp4").path
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", Self.fixture("video/talking_head_d18.mp4"), "-t", "0.5", "-c:v", "libx264",
                                               "-preset", "ultrafast", "-c:a", "copy", clip])
        let output = work.appendingPathComponent("swapped.mkv").path
        let result = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--identity", Self.fixture("images/obama_456x568.jpg"),
                                                         "--output", output, "--log-level", "warning"], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let source = try MediaProbe(clip), swapped = try MediaProbe(output)
        #expect(swapped.video?.frames == source.video?.frames)
        #expect(swapped.audio?.codec == "aac")

        let sourceFrame = work.appendingPathComponent("source.png").path, swappedFrame = work.appendingPathComponent("swapped.png").path
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", clip, "-frames:v", "1", sourceFrame])
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", output, "-frames:v", "1", swappedFrame])
        func cosine(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
        let identity = try embedding(of: Self.fixture("images/obama_456x568.jpg"))
        let before = try embedding(of: sourceFrame), after = try embedding(of: swappedFrame)
        print("first frame: cosine to the identity \(cosine(before, identity)) → \(cosine(after, identity)); to the source \(cosine(after, before))")
        #expect(cosine(after, identity) > cosine(before, identity) + 0.15)
    }

    @Test("SIGHUP reloads the identity; a refused image keeps the previous one and recastd goes on")
    func reloadOnHangup() throws {
        let work = try TestTools.temporaryDirectory("reload")
        let identity = work.appendingPathComponent("me.jpg")
        try FileManager.default.copyItem(atPath: Self.fixture("images/obama_456x568.jpg"), toPath: identity.path)
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--input", "testsrc", "--size", "160x120",
                                                               "--identity", identity.path, "--output", "null"])
        #expect(ChildProcess.waitUntil(timeout: 60) { recastd.stderr.contains("first frame written") }, "\(recastd.stderr)")

        try Data("not a picture".utf8).write(to: identity)
        recastd.signal(SIGHUP)
        #expect(ChildProcess.waitUntil(timeout: 60) { recastd.stderr.contains("cannot reload the identity; keeping the previous one") },
                "\(recastd.stderr)")
        #expect(recastd.isRunning)

        try FileManager.default.removeItem(at: identity)
        try FileManager.default.copyItem(atPath: Self.fixture("images/biden_484x1102.jpg"), toPath: identity.path)
        recastd.signal(SIGHUP)
        #expect(ChildProcess.waitUntil(timeout: 60) { recastd.stderr.contains("identity reloaded") }, "\(recastd.stderr)")
        recastd.signal(SIGTERM)
        #expect(try recastd.wait(timeout: 30) == 0, "\(recastd.stderr)")
    }
}
