import Foundation
import RecastNN
import Testing

/// `recastd run` swapping faces on a real talking-head clip.
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

    /// The first 0.3 s of the fixture clip.
    func shortClip(_ work: URL) throws -> String {
        let clip = work.appendingPathComponent("clip.mp4").path
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", Self.fixture("video/talking_head_d18.mp4"), "-t", "0.3", "-an",
                                               "-c:v", "libx264", "-preset", "ultrafast", clip])
        return clip
    }

    @Test("without --identity the bundled portrait is swapped in; --swap off passes every frame through untouched")
    func swapByDefault() throws {
        let work = try TestTools.temporaryDirectory("default-swap")
        let clip = try shortClip(work)
        let passed = work.appendingPathComponent("passed.y4m").path, swapped = work.appendingPathComponent("swapped.y4m").path
        let off = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--swap", "off", "--output", passed, "--log-level", "warning"])
        #expect(off.status == 0, "\(off.stderr)")
        let on = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--output", swapped], timeout: 300)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.stderr.contains("identity ready") && on.stderr.contains("Models/identity/obama.jpg"), "\(on.stderr)")
        // The bundled refiner, in auto mode: timed at start, then kept (a GPU) or turned off as too slow (lavapipe).
        #expect(on.stderr.contains("Models/refiner") && on.stderr.contains("ms a refinement"), "\(on.stderr)")
        #expect(on.stderr.contains("refiner ready") || on.stderr.contains("refinement off: too slow"), "\(on.stderr)")
        let original = try rawFrames(clip, work), untouched = try rawFrames(passed, work), result = try rawFrames(swapped, work)
        #expect(untouched == original, "--swap off changed the pictures")
        #expect(result.count == original.count)
        let changed = zip(result, original).filter { $0 != $1 }.count
        #expect(changed > original.count / 100, "the default run changed only \(changed) bytes")
    }

    /// Every frame of `clip` as raw I420 bytes, decoded by ffmpeg.
    func rawFrames(_ clip: String, _ work: URL) throws -> Data {
        let raw = work.appendingPathComponent(UUID().uuidString + ".yuv").path
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", clip, "-f", "rawvideo", "-pix_fmt", "yuv420p", raw])
        return try Data(contentsOf: URL(fileURLWithPath: raw))
    }

    @Test("--model refines the swapped face on every frame (--refine sync) with a diffusers pipeline directory")
    func refineWithModel() throws {
        let work = try TestTools.temporaryDirectory("refine")
        let clip = try shortClip(work)
        let unet = work.appendingPathComponent("pipeline/unet")
        try FileManager.default.createDirectory(at: unet, withIntermediateDirectories: true)
        let fixtures = TestTools.packageRoot.appendingPathComponent("Tests/Fixtures/unet")
        for file in ["config.json", "diffusion_pytorch_model.safetensors"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd2_like/\(file)"), to: unet.appendingPathComponent(file))
        }
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("taesd"), to: work.appendingPathComponent("pipeline/vae"))
        let pipeline = work.appendingPathComponent("pipeline").path
        let plain = work.appendingPathComponent("plain.y4m").path, refined = work.appendingPathComponent("refined.y4m").path
        let missing = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--model", pipeline, "--output", refined])
        #expect(missing.status == 1 && missing.stderr.contains("no unet/prompt_embedding.safetensors (make it with tools/unet_prompt_embedding.py)"),
                "\(missing.stderr)")

        try SafeTensorsWriter.write(
            [(name: "encoder_hidden_states", shape: [1, 3, 10], values: (0..<30).map { Float($0 % 5) / 5 - 0.4 })],
            to: unet.appendingPathComponent("prompt_embedding.safetensors").path)
        let warpOnly = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--refine", "off", "--output", plain], timeout: 300)
        #expect(warpOnly.status == 0, "\(warpOnly.stderr)")
        let result = try runTool(TestTools.recastdPath, ["run", "--input", clip, "--model", pipeline, "--refine", "sync", "--steps", "2",
                                                         "--strength", "0.6", "--window", "2", "--output", refined], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("refiner ready") && result.stderr.contains("mode=sync") && result.stderr.contains("steps=2"), "\(result.stderr)")
        let a = try rawFrames(plain, work), b = try rawFrames(refined, work)
        #expect(a.count == b.count, "every frame comes out")
        #expect(a != b, "the refiner changed nothing")
    }
}
