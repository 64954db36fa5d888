import Foundation
import Testing

/// recastd against a real nginx-rtmp server and real ffmpeg publishers.
@Suite("RTMP", .serialized)
struct RTMPTests {
    @Test("pull from nginx, publish to nginx: audio and video arrive complete and in sync")
    func roundTrip() throws {
        let server = try NginxRTMPServer()
        let clip = try TestClips.withAudio(seconds: 6)
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--swap", "off", "--input", server.url("in"), "--output", server.url("out")])
        Thread.sleep(forTimeInterval: 1)
        let publisher = try ChildProcess(TestTools.tool("ffmpeg"), ["-v", "error", "-re", "-i", clip.path, "-c", "copy", "-f", "flv", server.url("in")])
        #expect(try publisher.wait(timeout: 30) == 0)
        // Let the last frames through, then stop recastd as systemd would.
        Thread.sleep(forTimeInterval: 2)
        recastd.signal(SIGINT)
        #expect(try recastd.wait(timeout: 20) == 0, "recastd stderr:\n\(recastd.stderr)")
        try server.stop()

        let recording = try #require(server.recordings(of: "out").last, "nginx recorded nothing for live/out")
        let probe = try MediaProbe(recording.path)
        let video = try #require(probe.video, "no video in \(recording.path)")
        let audio = try #require(probe.audio, "no audio in \(recording.path)")
        #expect(video.codec == "h264")
        #expect(audio.codec == "aac")
        // 6 s at 30 fps; no-signal frames may only add to it while the publisher is gone.
        #expect(abs(video.frames - 180) <= 9 || video.frames > 180, "video frames \(video.frames), want 180 ± 5 %")
        #expect(abs(video.startTime - audio.startTime) <= 0.1, "video starts at \(video.startTime) s, audio at \(audio.startTime) s")
    }

    @Test("listen mode: ffmpeg pushes straight into recastd")
    func listen() throws {
        let port = try freeTCPPort()
        let clip = try TestClips.withAudio(seconds: 4)
        let output = try TestTools.temporaryDirectory("listen").appendingPathComponent("out.mkv")
        let url = "rtmp://127.0.0.1:\(port)/live/push"
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--swap", "off", "--listen", "--input", url, "--output", output.path])
        #expect(ChildProcess.waitUntil(timeout: 10) { isListening(port: port) }, "recastd is not listening on \(port)")
        let publisher = try ChildProcess(TestTools.tool("ffmpeg"), ["-v", "error", "-re", "-i", clip.path, "-c", "copy", "-f", "flv", url])
        #expect(try publisher.wait(timeout: 30) == 0, "publisher: \(publisher.stderr)")
        Thread.sleep(forTimeInterval: 1)
        #expect(recastd.isRunning, "recastd must keep listening after the publisher leaves")
        recastd.signal(SIGTERM)
        #expect(try recastd.wait(timeout: 20) == 0, "recastd stderr:\n\(recastd.stderr)")

        let probe = try MediaProbe(output.path)
        let video = try #require(probe.video)
        #expect(probe.audio?.codec == "aac")
        #expect(video.frames >= 114, "video frames \(video.frames), want 120 ± 5 %")
    }

    @Test("nginx restarts mid-stream: output resumes within 10 s and recastd keeps running")
    func reconnect() throws {
        let server = try NginxRTMPServer()
        let ffmpeg = try TestTools.tool("ffmpeg")
        let publish = ["-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "120",
                       "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-f", "flv", server.url("in")]
        var publisher = try ChildProcess(ffmpeg, publish)
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--swap", "off", "--input", server.url("in"), "--output", server.url("out")])
        #expect(ChildProcess.waitUntil(timeout: 15) { recordedBytes(server, "out") > 20_000 }, "no output before the restart:\n\(recastd.stderr)")

        try server.stop()
        Thread.sleep(forTimeInterval: 1)
        let before = server.recordings(of: "out").count
        try server.start()
        let restartedAt = Date()
        publisher = try ChildProcess(ffmpeg, publish)
        let resumed = ChildProcess.waitUntil(timeout: 10) {
            server.recordings(of: "out").count > before && recordedBytes(server, "out") > 10_000
        }
        #expect(resumed, "output did not resume within 10 s of the restart:\n\(recastd.stderr)")
        if resumed { print("reconnect: output resumed \(String(format: "%.1f", Date().timeIntervalSince(restartedAt))) s after nginx restarted") }
        #expect(recastd.isRunning, "recastd exited: \(recastd.stderr)")
        recastd.signal(SIGINT)
        #expect(try recastd.wait(timeout: 20) == 0)
        publisher.signal(SIGINT)
        _ = try? publisher.wait(timeout: 10)
    }

    private func recordedBytes(_ server: NginxRTMPServer, _ key: String) -> Int {
        guard let last = server.recordings(of: key).last else { return 0 }
        return (try? FileManager.default.attributesOfItem(atPath: last.path)[.size] as? Int) ?? 0
    }
}
