import Foundation
import Testing

/// File and synthetic inputs: nothing is dropped, trailers are written, every
/// container opens again in ffprobe.
@Suite("Files", .serialized)
struct FileOutputTests {
    @Test("file to files: every frame arrives, audio is passed through")
    func fileToFiles() throws {
        let clip = try TestClips.withAudio(seconds: 5)
        let directory = try TestTools.temporaryDirectory("files")
        let outputs = ["out.mkv", "out.mp4", "out.flv", "out.y4m"].map { directory.appendingPathComponent($0).path }
        let result = try runTool(TestTools.recastdPath, ["run", "--swap", "off", "--input", clip.path, "--log-level", "warning"] + outputs.flatMap { ["--output", $0] })
        #expect(result.status == 0, "recastd failed: \(result.stderr)")
        let source = try MediaProbe(clip.path)
        for output in outputs {
            let probe = try MediaProbe(output)
            #expect(probe.video?.frames == source.video?.frames, "\(output): \(probe.video?.frames ?? 0) frames, source has \(source.video?.frames ?? 0)")
            #expect(probe.video?.width == 640 && probe.video?.height == 360)
            if !output.hasSuffix(".y4m") {
                #expect(probe.audio?.codec == "aac", "\(output) lost the audio")
                #expect(probe.audio?.packets == source.audio?.packets, "\(output): \(probe.audio?.packets ?? 0) audio packets, source has \(source.audio?.packets ?? 0)")
            }
        }
    }

    @Test("an odd-sized input: H.264 outputs drop the odd row and column, y4m keeps them")
    func oddSize() throws {
        let clip = try TestClips.withAudio(seconds: 1, size: "321x241", container: "mkv")
        let directory = try TestTools.temporaryDirectory("odd")
        let mp4 = directory.appendingPathComponent("out.mp4").path, y4m = directory.appendingPathComponent("out.y4m").path
        let result = try runTool(TestTools.recastdPath, ["run", "--swap", "off", "--input", clip.path, "--output", mp4, "--output", y4m, "--log-level", "error"])
        #expect(result.status == 0, "\(result.stderr)")
        let encoded = try MediaProbe(mp4).video
        #expect(encoded?.width == 320 && encoded?.height == 240 && encoded?.frames == 30)
        let raw = try MediaProbe(y4m).video
        #expect(raw?.width == 321 && raw?.height == 241 && raw?.frames == 30)
    }

    @Test("the pass-through keeps the picture: decoded output matches the input")
    func pictureIsKept() throws {
        let clip = try TestClips.withAudio(seconds: 1)
        let output = try TestTools.temporaryDirectory("y4m").appendingPathComponent("out.y4m")
        let result = try runTool(TestTools.recastdPath, ["run", "--swap", "off", "--input", clip.path, "--output", output.path, "--log-level", "error"])
        #expect(result.status == 0, "\(result.stderr)")
        // PSNR of the raw output against the decoded input: identical frames give "inf".
        let psnr = try runTool(TestTools.tool("ffmpeg"), ["-i", output.path, "-i", clip.path, "-lavfi", "psnr", "-f", "null", "-"])
        let line = psnr.stderr.split(separator: "\n").first { $0.contains("PSNR") } ?? ""
        #expect(line.contains("average:inf"), "pass-through changed the picture: \(line)")
    }

    @Test("testsrc to file, stopped with SIGTERM: a playable file of moving frames")
    func testPatternToFile() throws {
        let output = try TestTools.temporaryDirectory("testsrc").appendingPathComponent("out.mp4")
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--swap", "off", "--input", "testsrc", "--size", "320x240", "--fps", "25", "--output", output.path])
        Thread.sleep(forTimeInterval: 3)
        recastd.signal(SIGTERM)
        #expect(try recastd.wait(timeout: 20) == 0, "\(recastd.stderr)")
        let probe = try MediaProbe(output.path)
        let video = try #require(probe.video, "no video in the output (trailer missing?)")
        #expect(video.width == 320 && video.height == 240)
        #expect(video.frames >= 25, "only \(video.frames) frames in about 3 s at 25 fps")
        // A moving pattern: consecutive frames differ.
        let scenes = try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-i", output.path, "-f", "framemd5", "-"])
        let hashes = Set(scenes.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: ",").last })
        #expect(hashes.count > video.frames / 2, "testsrc frames do not change")
    }
}
