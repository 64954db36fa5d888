import Foundation

/// What ffprobe reports about a media file: per stream, codec, frame count
/// (decoded, not from headers), packet count and start time.
struct MediaProbe {
    struct Stream {
        var type: String
        var codec: String
        var frames: Int
        var packets: Int
        var startTime: Double
        var width: Int
        var height: Int
    }

    var streams: [Stream]

    var video: Stream? { streams.first { $0.type == "video" } }
    var audio: Stream? { streams.first { $0.type == "audio" } }

    init(_ path: String) throws {
        let result = try runTool(TestTools.tool("ffprobe"), [
            "-v", "error", "-count_frames", "-count_packets", "-show_entries",
            "stream=codec_type,codec_name,nb_read_frames,nb_read_packets,start_time,width,height", "-of", "json", path,
        ])
        guard result.status == 0 else { throw TestFailure("ffprobe \(path) failed: \(result.stderr)") }
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let entries = json?["streams"] as? [[String: Any]] ?? []
        streams = entries.map { entry in
            Stream(type: entry["codec_type"] as? String ?? "",
                   codec: entry["codec_name"] as? String ?? "",
                   frames: Int(entry["nb_read_frames"] as? String ?? "") ?? 0,
                   packets: Int(entry["nb_read_packets"] as? String ?? "") ?? 0,
                   startTime: Double(entry["start_time"] as? String ?? "") ?? 0,
                   width: entry["width"] as? Int ?? 0,
                   height: entry["height"] as? Int ?? 0)
        }
    }
}

/// Test clips made with ffmpeg's own generators (a moving pattern and a tone).
enum TestClips {
    /// A 30 fps clip with a tone of `seconds` seconds: H.264 + AAC, or FFV1 + AAC in .mkv (which allows odd sizes).
    static func withAudio(seconds: Int = 5, size: String = "640x360", container: String = "mp4") throws -> URL {
        let url = try TestTools.temporaryDirectory("clip").appendingPathComponent("clip.\(container)")
        let result = try runTool(TestTools.tool("ffmpeg"), [
            "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(size):rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "\(seconds)",
        ] + (container == "mkv" ? ["-c:v", "ffv1"] : ["-c:v", "libx264", "-preset", "ultrafast", "-g", "30"]) + [
            "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", url.path,
        ])
        guard result.status == 0 else { throw TestFailure("ffmpeg could not make a test clip: \(result.stderr)") }
        return url
    }
}
