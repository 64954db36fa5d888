import Foundation
import Logging
import RecastMedia

/// Turns `--input` / `--output` strings into sources and sinks.
public enum Endpoints {
    static let defaultTestSize = FrameSize(width: 1280, height: 720)

    public static func source(for configuration: RunConfiguration, logger: Logger) throws -> MediaSource {
        guard let input = configuration.input else { throw ConfigurationError.missing("input", hint: "give --input") }
        if input == "testsrc" {
            let size = configuration.size ?? defaultTestSize
            let fps = configuration.fps ?? 30
            // lavfi's testsrc: a moving pattern with a running counter, paced like a camera.
            let graph = "testsrc=size=\(size.width)x\(size.height):rate=\(fps.formatted(maxFractionDigits: 3))"
            return StreamSource(url: graph, options: .init(realtime: true, formatName: "lavfi"), logger: logger)
        }
        if isVideoDevice(input) {
            return V4L2Camera(path: input, requestedSize: configuration.size.map { ($0.width, $0.height) },
                              requestedFPS: configuration.fps, logger: logger)
        }
        if !input.contains("://") && !FileManager.default.fileExists(atPath: input) {
            throw MediaError.cannotOpenInput(input, reason: "no such file")
        }
        return StreamSource(url: input, options: .init(listen: configuration.listen, realtime: configuration.realtime), logger: logger)
    }

    public static func sink(for output: String, configuration: RunConfiguration, logger: Logger) throws -> MediaSink {
        if output == "null" { return NullSink() }
        if isVideoDevice(output) {
            return LoopbackSink(path: output, format: configuration.outputFormat, logger: logger)
        }
        guard StreamSink.containerName(for: output) != nil else {
            throw ConfigurationError.invalid("output", value: output, expected: "/dev/videoN, rtmp://…, a .mp4/.mkv/.flv/.y4m file, or null")
        }
        let settings = EncoderSettings(bitrate: configuration.bitrate, preset: configuration.preset,
                                       keyframeInterval: configuration.keyframeInterval)
        return StreamSink(url: output, settings: settings, logger: logger)
    }

    static func isVideoDevice(_ path: String) -> Bool {
        path.hasPrefix("/dev/video")
    }
}
