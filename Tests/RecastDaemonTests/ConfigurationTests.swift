import Foundation
import RecastMedia
import RecastSwap
import Testing
@testable import RecastDaemon

@Suite("Configuration")
struct ConfigurationTests {
    @Test("every key of a config file is read")
    func allKeys() throws {
        let configuration = try ConfigurationFile.parse("""
        input = "rtmp://127.0.0.1/live/in"
        listen = true
        realtime = false
        output = ["/dev/video10", "rtmp://example.invalid/app/key"]
        size = "1280x720"
        fps = 25
        output-format = "i420"
        bitrate = "6M"
        preset = "ultrafast"
        keyframe-interval = 1.5
        audio = "pulse:default"
        log-level = "debug"
        stats = "/tmp/stats.json"
        identity = "/srv/me.jpg"
        swap = false
        models = "/opt/recast/models"
        faces = "match:/srv/friend.jpg"
        live-eyes = true
        live-mouth = false
        identity-shape = 0.8
        model = "/opt/recast/sd-turbo"
        refine = "async"
        steps = 2
        strength = 0.4
        window = 6
        attention-weight = 0
        change-blur = 0
        change-time = 0.4
        """, file: "test.toml")
        #expect(configuration.input == "rtmp://127.0.0.1/live/in")
        #expect(configuration.listen)
        #expect(configuration.outputs == ["/dev/video10", "rtmp://example.invalid/app/key"])
        #expect(configuration.size == FrameSize(width: 1280, height: 720))
        #expect(configuration.fps == 25)
        #expect(configuration.outputFormat == .i420)
        #expect(configuration.bitrate == 6_000_000)
        #expect(configuration.preset == "ultrafast")
        #expect(configuration.keyframeInterval == 1.5)
        #expect(configuration.audio == .device(kind: "pulse", name: "default"))
        #expect(configuration.logLevel == "debug")
        #expect(configuration.statsPath == "/tmp/stats.json")
        #expect(configuration.identity == "/srv/me.jpg" && !configuration.swap && configuration.modelsPath == "/opt/recast/models")
        #expect(configuration.faces == .matching(image: "/srv/friend.jpg") && configuration.refinerModel == "/opt/recast/sd-turbo")
        #expect(configuration.refine == .async && configuration.steps == 2 && configuration.strength == 0.4 && configuration.window == 6)
        #expect(configuration.attentionWeight == 0 && configuration.changeBlur == 0 && configuration.changeTime == 0.4)
        #expect(configuration.live == [.eyes] && configuration.identityShape == 0.8)
        #expect(RunConfiguration.keys.count == 28)
    }

    @Test("errors name the key and what would be valid", arguments: [
        ("colour = \"red\"", "unknown key 'colour' in t.toml"),
        ("fps = 0", "invalid value '0.0' for fps"),
        ("size = \"big\"", "invalid value 'big' for size: expected WIDTHxHEIGHT"),
        ("output = 3", "invalid value '3' for output: expected a string or a list of strings"),
        ("listen = \"yes\"", "for listen: expected true or false"),
        ("audio = \"speaker\"", "invalid value 'speaker' for audio"),
        ("bitrate = \"fast\"", "invalid value 'fast' for bitrate"),
        ("input = ", "TOML syntax error at line 1"),
        ("faces = \"biggest\"", "invalid value 'biggest' for faces: expected largest, all or match:IMAGE"),
        ("refine = \"always\"", "invalid value 'always' for refine: expected off, sync, async, auto"),
        ("steps = 0", "invalid value '0' for steps"),
        ("steps = 1.5", "invalid value '1.5' for steps: expected a whole number"),
        ("strength = 1.5", "invalid value '1.5' for strength"),
        ("window = 99", "invalid value '99' for window"),
        ("attention-weight = 1.5", "invalid value '1.5' for attention-weight: expected a number in [0, 1]"),
        ("change-blur = -1", "invalid value '-1.0' for change-blur: expected 0 to 32 pixels"),
        ("identity-shape = 1.5", "invalid value '1.5' for identity-shape: expected a number in [0, 1]"),
        ("change-time = -1", "invalid value '-1.0' for change-time: expected 0 to 10 seconds"),
    ])
    func errors(_ text: String, _ expected: String) {
        #expect {
            _ = try ConfigurationFile.parse(text, file: "t.toml")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("bitrates, sizes and audio modes parse as written")
    func values() throws {
        #expect(try ConfigurationValue.bitrate("2500k") == 2_500_000)
        #expect(try ConfigurationValue.bitrate("800000") == 800_000)
        #expect(try ConfigurationValue.size("640X480") == FrameSize(width: 640, height: 480))
        #expect(try ConfigurationValue.audio("alsa:hw:1") == .device(kind: "alsa", name: "hw:1"))
        #expect(try ConfigurationValue.audio("silence") == .silence)
    }
}

@Suite("Configuration checks")
struct ConfigurationCheckTests {
    @Test("refinement is auto by default, with or without a model; every mode needs no model: the bundled refiner serves")
    func refineWithoutModel() throws {
        var configuration = RunConfiguration()
        configuration.input = "testsrc"
        configuration.outputs = ["null"]
        #expect(configuration.refineMode == .auto && configuration.refinerModel == nil)
        for mode in RefineMode.allCases {
            configuration.refine = mode
            #expect(try configuration.validated().refineMode == mode)
        }
        configuration.refine = nil
        configuration.refinerModel = "/opt/recast/sd-turbo"
        #expect(configuration.refineMode == .auto)
    }
}
