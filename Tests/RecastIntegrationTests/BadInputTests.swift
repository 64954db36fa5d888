import Foundation
import Testing

/// Bad inputs, outputs and options end recastd with a non-zero status and one
/// line that says what to fix: never a crash, never a hang.
@Suite("Bad inputs")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var arguments: [String]
        var expected: String
        var testDescription: String { label }
    }

    static let notMedia: String = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recast-not-media.mp4")
        try? Data("this is a text file, not a video\n".utf8).write(to: url)
        return url.path
    }()

    static let cases: [Case] = [
        Case(label: "missing file", arguments: ["--input", "/nonexistent/clip.mp4", "--output", "null"], expected: "no such file"),
        Case(label: "not media", arguments: ["--input", notMedia, "--output", "null"], expected: "is not a media file"),
        Case(label: "unreachable RTMP input", arguments: ["--input", "rtmp://127.0.0.1:9/live/x", "--output", "null"], expected: "cannot open input rtmp://127.0.0.1:9/live/x"),
        Case(label: "missing camera", arguments: ["--input", "/dev/video99", "--output", "null"], expected: "/dev/video99 does not exist"),
        Case(label: "unreachable RTMP output", arguments: ["--input", "testsrc", "--output", "rtmp://127.0.0.1:9/live/out"], expected: "cannot open output rtmp://127.0.0.1:9/live/out"),
        Case(label: "unknown output kind", arguments: ["--input", "testsrc", "--output", "/tmp/out.xyz"], expected: "invalid value '/tmp/out.xyz' for output"),
        Case(label: "bad size", arguments: ["--input", "testsrc", "--size", "12", "--output", "null"], expected: "invalid value '12' for size"),
        Case(label: "bad audio", arguments: ["--input", "testsrc", "--audio", "speakers", "--output", "null"], expected: "invalid value 'speakers' for audio"),
        Case(label: "no input", arguments: ["--output", "null"], expected: "no input given"),
        Case(label: "no output", arguments: ["--input", "testsrc"], expected: "no output given"),
        Case(label: "listen on a file", arguments: ["--input", "/tmp/x.mp4", "--listen", "--output", "null"], expected: "invalid value 'true' for listen"),
        Case(label: "missing config", arguments: ["--config", "/nonexistent.toml"], expected: "cannot read config /nonexistent.toml: no such file"),
    ]

    @Test("fails with one clear line", arguments: cases)
    func failsClearly(_ testCase: Case) throws {
        // At the default log level: info lines may come first, but one line carries the error.
        let result = try runTool(TestTools.recastdPath, ["run", "--swap", "off"] + testCase.arguments, timeout: 60)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        let errors = lines.filter { $0.hasPrefix("recastd: ") || $0.contains(" error ") || $0.contains(" critical ") }
        #expect(errors.count == 1, "expected one error line, got:\n\(result.stderr)")
        #expect(lines.last?.hasPrefix("recastd: ") == true && lines.last?.contains(testCase.expected) == true,
                "stderr: \(result.stderr)\nwanted: \(testCase.expected)")
    }

    @Test("a config file's unknown key and bad value are named")
    func configErrors() throws {
        let directory = try TestTools.temporaryDirectory("config")
        let unknown = directory.appendingPathComponent("unknown.toml")
        try "input = \"testsrc\"\noutput = \"null\"\nframerate = 30\n".write(to: unknown, atomically: true, encoding: .utf8)
        let first = try runTool(TestTools.recastdPath, ["run", "--config", unknown.path])
        #expect(first.status != 0)
        #expect(first.stderr.contains("unknown key 'framerate' in \(unknown.path)"), "\(first.stderr)")

        let badValue = directory.appendingPathComponent("bad.toml")
        try "input = \"testsrc\"\noutput = [\"null\"]\nfps = \"fast\"\n".write(to: badValue, atomically: true, encoding: .utf8)
        let second = try runTool(TestTools.recastdPath, ["run", "--config", badValue.path])
        #expect(second.status != 0)
        #expect(second.stderr.contains("invalid value '\"fast\"' for fps: expected a number"), "\(second.stderr)")
    }

    @Test("flags override the config file")
    func flagsOverrideConfig() throws {
        let directory = try TestTools.temporaryDirectory("override")
        let config = directory.appendingPathComponent("cam.toml")
        let fileOutput = directory.appendingPathComponent("from-file.mkv")
        let flagOutput = directory.appendingPathComponent("from-flag.mkv")
        let clip = try TestClips.withAudio(seconds: 1)
        try """
        input = "\(clip.path)"
        output = ["\(fileOutput.path)"]
        size = "320x180"
        log-level = "error"
        swap = false
        """.write(to: config, atomically: true, encoding: .utf8)
        let result = try runTool(TestTools.recastdPath, ["run", "--config", config.path, "--output", flagOutput.path, "--size", "160x90"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fileOutput.path))
        let probe = try MediaProbe(flagOutput.path)
        #expect(probe.video?.width == 160 && probe.video?.height == 90)
    }
}
