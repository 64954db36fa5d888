import Foundation
import Testing

/// `--audio pulse:DEVICE` against a real PulseAudio server with a null sink,
/// started by the test; a tone is played into the sink and must come out of
/// recastd's output.
@Suite("PulseAudio")
struct PulseAudioTests {
    @Test("camera-to-file restream takes its audio from a PulseAudio source")
    func pulseCapture() throws {
        let runtime = try TestTools.temporaryDirectory("pulse")
        let socket = runtime.appendingPathComponent("native").path
        let environment = ["PULSE_RUNTIME_PATH": runtime.path, "PULSE_SERVER": "unix:\(socket)", "HOME": runtime.path]
        let server = try ChildProcess(TestTools.tool("pulseaudio"), [
            "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit", "--disable-shm=yes", "--log-target=stderr",
            "--load=module-null-sink sink_name=recast_null",
            "--load=module-native-protocol-unix auth-anonymous=1 socket=\(socket)",
        ], environment: environment)
        defer { server.signal(SIGTERM) }
        #expect(ChildProcess.waitUntil(timeout: 15) { FileManager.default.fileExists(atPath: socket) }, "pulseaudio did not start: \(server.stderr)")

        let tone = runtime.appendingPathComponent("tone.wav")
        try runTool(TestTools.tool("ffmpeg"), ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100", "-t", "20", "-ac", "2", tone.path])
        let player = try ChildProcess(TestTools.tool("paplay"), ["-d", "recast_null", tone.path], environment: environment)
        defer { player.signal(SIGTERM) }

        let output = runtime.appendingPathComponent("out.mkv")
        let recastd = try ChildProcess(TestTools.recastdPath, [
            "run", "--swap", "off", "--input", "testsrc", "--size", "320x240", "--audio", "pulse:recast_null.monitor", "--output", output.path,
        ], environment: environment)
        Thread.sleep(forTimeInterval: 4)
        recastd.signal(SIGINT)
        #expect(try recastd.wait(timeout: 20) == 0, "\(recastd.stderr)")

        let probe = try MediaProbe(output.path)
        let audio = try #require(probe.audio, "no audio track in the output")
        #expect(audio.codec == "aac")
        #expect(audio.frames > 40, "only \(audio.frames) AAC frames")
        let volume = try runTool(TestTools.tool("ffmpeg"), ["-i", output.path, "-vn", "-af", "volumedetect", "-f", "null", "-"])
        let mean = volume.stderr.split(separator: "\n").first { $0.contains("mean_volume") }
            .flatMap { Double($0.split(separator: ":").last!.replacingOccurrences(of: "dB", with: "").trimmingCharacters(in: .whitespaces)) }
        #expect((mean ?? -100) > -40, "the tone did not come through: mean volume \(mean.map { "\($0)" } ?? "?") dB")
    }

    @Test("--audio silence adds a silent AAC track when the input has none")
    func silence() throws {
        let output = try TestTools.temporaryDirectory("silence").appendingPathComponent("out.flv")
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--swap", "off", "--input", "testsrc", "--size", "320x240", "--audio", "silence", "--output", output.path])
        Thread.sleep(forTimeInterval: 3)
        recastd.signal(SIGINT)
        #expect(try recastd.wait(timeout: 20) == 0, "\(recastd.stderr)")
        let probe = try MediaProbe(output.path)
        let video = try #require(probe.video)
        let audio = try #require(probe.audio, "no silent track")
        #expect(audio.codec == "aac")
        // 48 kHz AAC frames are 1024 samples: about 47 per second of video.
        let expected = Double(video.frames) / 30 * 48_000 / 1024
        #expect(Double(audio.frames) > expected * 0.8, "\(audio.frames) AAC frames for \(video.frames) video frames")
    }
}
