import RecastMedia
import RecastSwap

/// Everything `recastd run` needs, from flags and/or a TOML file. Keys in the
/// file are the flag names without dashes in front: `input = "/dev/video0"`,
/// `output = ["/dev/video10", "rtmp://…"]`, `output-format = "i420"`.
public struct RunConfiguration: Sendable, Equatable {
    public var input: String?
    public var outputs: [String] = []
    public var listen = false
    public var realtime = false
    public var size: FrameSize?
    public var fps: Double?
    public var outputFormat: PixelFormat = .yuyv
    public var bitrate = 2_500_000
    public var preset = "veryfast"
    public var keyframeInterval = 2.0
    public var audio: AudioMode = .auto
    public var logLevel = "info"
    /// Where to write run statistics (JSON) when the run ends.
    public var statsPath: String?
    /// The reference image whose face replaces the live one.
    public var identity: String?
    /// Whether to swap (`swap = false` passes frames through); without `identity` the bundled portrait is used.
    public var swap = true
    /// Directory of the converted models (default: the bundled Models/).
    public var modelsPath: String?
    /// Which faces to replace.
    public var faces: FaceSelection = .largest
    /// Which of the live face's features show through the swap (`live-eyes`, `live-mouth`).
    public var live: LiveFeatures = .default
    /// How far (0–1) the live face's features take the identity's proportions (0: the person's own).
    public var identityShape = 0.5
    /// A diffusers pipeline directory (unet/, vae/) whose UNet refines the swapped face; nil: the bundled refiner
    /// (Models/refiner).
    public var refinerModel: String?
    /// When the refinement runs, as configured; nil: see `refineMode`.
    public var refine: RefineMode?
    /// When the refinement runs: as configured, else `auto` (with the bundled refiner unless a model is given).
    public var refineMode: RefineMode { refine ?? .auto }
    /// The refinement's UNet calls per frame, img2img strength, and sliding-window length (frames). The
    /// refinement's defaults are the runtime's own (`RefinerSettings`, `LiveRefinement`), so that `recastd run`
    /// and `recastd bench swap` refine alike.
    public var steps = RefinerSettings().steps
    public var strength = Double(RefinerSettings().strength)
    public var window = RefinerSettings().window
    /// Weight of the refinement's identity and temporal attention (the reference face's and the window's
    /// keys/values in every self-attention layer); 0 turns both off.
    public var attentionWeight = Double(RefinerSettings().attentionWeight)
    /// Standard deviation, in pixels of the refined 256² crop, of the blur on the change a refinement makes;
    /// 0 adds the change as the model made it.
    public var changeBlur = Double(RefinerSettings().changeBlur)
    /// Time constant, in seconds, with which a new refinement's change replaces the face's earlier ones (0 keeps
    /// only the newest): longer is steadier from frame to frame and slower to follow a change of light.
    public var changeTime = LiveRefinement.defaultChangeTime

    public init() {}

    /// Shows the live face's `feature` through the swap, or draws the identity's instead.
    public mutating func setLive(_ feature: LiveFeatures, _ shown: Bool) {
        live = shown ? live.union(feature) : live.subtracting(feature)
    }

    /// Every key a config file may hold.
    public static let keys = [
        "input", "output", "listen", "realtime", "size", "fps", "output-format", "bitrate", "preset",
        "keyframe-interval", "audio", "log-level", "stats", "identity", "swap", "models", "faces", "live-eyes", "live-mouth",
        "model", "refine", "steps", "strength", "window", "attention-weight", "change-blur",
        "change-time", "identity-shape",
    ]

    /// Checks what no single key can: that there is something to read and somewhere to write.
    public func validated() throws(ConfigurationError) -> RunConfiguration {
        guard input != nil else { throw .missing("input", hint: "give --input (a /dev/videoN camera, a file, a URL or testsrc)") }
        guard !outputs.isEmpty else { throw .missing("output", hint: "give at least one --output (a /dev/videoN loopback, rtmp://…, a file or null)") }
        if listen, let input, !input.lowercased().hasPrefix("rtmp://") {
            throw .invalid("listen", value: "true", expected: "an rtmp:// input to listen on (got \(input))")
        }
        return self
    }
}

/// A picture size given as "WxH".
public struct FrameSize: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              (2...8192).contains(width), (2...8192).contains(height) else { return nil }
        self.init(width: width, height: height)
    }

    public var description: String { "\(width)x\(height)" }
}

/// A configuration problem, naming the key and what would be valid.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unknownKey(String, file: String)
    case invalid(String, value: String, expected: String)
    case missing(String, hint: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownKey(let key, let file):
            return "unknown key '\(key)' in \(file); known keys: \(RunConfiguration.keys.joined(separator: ", "))"
        case .invalid(let key, let value, let expected):
            return "invalid value '\(value)' for \(key): expected \(expected)"
        case .missing(let key, let hint):
            return "no \(key) given: \(hint)"
        case .unreadable(let path, let reason):
            return "cannot read config \(path): \(reason)"
        }
    }
}

/// Parsers for the values a flag or a config key may hold.
public enum ConfigurationValue {
    public static func bitrate(_ text: String) throws(ConfigurationError) -> Int {
        let lowered = text.lowercased()
        let multiplier = lowered.hasSuffix("k") ? 1_000 : lowered.hasSuffix("m") ? 1_000_000 : 1
        let digits = multiplier == 1 ? lowered : String(lowered.dropLast())
        guard let value = Double(digits), value > 0, value * Double(multiplier) <= 100_000_000 else {
            throw .invalid("bitrate", value: text, expected: "bits per second such as 2500k or 6M")
        }
        return Int(value * Double(multiplier))
    }

    public static func size(_ text: String) throws(ConfigurationError) -> FrameSize {
        guard let size = FrameSize(parsing: text) else {
            throw .invalid("size", value: text, expected: "WIDTHxHEIGHT such as 1280x720")
        }
        return size
    }

    public static func fps(_ value: Double) throws(ConfigurationError) -> Double {
        guard value > 0 && value <= 240 else { throw .invalid("fps", value: "\(value)", expected: "a frame rate between 1 and 240") }
        return value
    }

    public static func outputFormat(_ text: String) throws(ConfigurationError) -> PixelFormat {
        switch text.lowercased() {
        case "yuyv": return .yuyv
        case "i420", "yu12", "yuv420p": return .i420
        default: throw .invalid("output-format", value: text, expected: "yuyv or i420")
        }
    }

    public static func audio(_ text: String) throws(ConfigurationError) -> AudioMode {
        switch text.lowercased() {
        case "auto": return .auto
        case "none": return .none
        case "silence": return .silence
        default:
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["pulse", "alsa"].contains(parts[0]), !parts[1].isEmpty else {
                throw .invalid("audio", value: text, expected: "auto, none, silence, pulse:DEVICE or alsa:DEVICE")
            }
            return .device(kind: parts[0], name: parts[1])
        }
    }

    public static func preset(_ text: String) throws(ConfigurationError) -> String {
        let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
        guard presets.contains(text) else { throw .invalid("preset", value: text, expected: presets.joined(separator: ", ")) }
        return text
    }

    public static func logLevel(_ text: String) throws(ConfigurationError) -> String {
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(text) else { throw .invalid("log-level", value: text, expected: levels.joined(separator: ", ")) }
        return text
    }

    public static func faces(_ text: String) throws(ConfigurationError) -> FaceSelection {
        guard let selection = FaceSelection(parsing: text) else { throw .invalid("faces", value: text, expected: "largest, all or match:IMAGE") }
        return selection
    }

    public static func onOff(_ text: String, key: String) throws(ConfigurationError) -> Bool {
        switch text {
        case "on": return true
        case "off": return false
        default: throw .invalid(key, value: text, expected: "on or off")
        }
    }

    public static func refine(_ text: String) throws(ConfigurationError) -> RefineMode {
        guard let mode = RefineMode(rawValue: text) else {
            throw .invalid("refine", value: text, expected: RefineMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return mode
    }

    public static func steps(_ value: Int) throws(ConfigurationError) -> Int {
        guard (1...8).contains(value) else { throw .invalid("steps", value: "\(value)", expected: "1 to 8 UNet calls per frame") }
        return value
    }

    public static func strength(_ value: Double) throws(ConfigurationError) -> Double {
        guard value > 0 && value <= 1 else { throw .invalid("strength", value: "\(value)", expected: "a number in (0, 1]") }
        return value
    }

    public static func attentionWeight(_ value: Double) throws(ConfigurationError) -> Double {
        guard value >= 0 && value <= 1 else { throw .invalid("attention-weight", value: "\(value)", expected: "a number in [0, 1]") }
        return value
    }

    public static func changeBlur(_ value: Double) throws(ConfigurationError) -> Double {
        guard value >= 0 && value <= 32 else { throw .invalid("change-blur", value: "\(value)", expected: "0 to 32 pixels") }
        return value
    }

    public static func identityShape(_ value: Double) throws(ConfigurationError) -> Double {
        guard value >= 0 && value <= 1 else { throw .invalid("identity-shape", value: "\(value)", expected: "a number in [0, 1]") }
        return value
    }

    public static func changeTime(_ value: Double) throws(ConfigurationError) -> Double {
        guard value >= 0 && value <= 10 else { throw .invalid("change-time", value: "\(value)", expected: "0 to 10 seconds") }
        return value
    }

    public static func window(_ value: Int) throws(ConfigurationError) -> Int {
        guard (0...32).contains(value) else { throw .invalid("window", value: "\(value)", expected: "0 to 32 frames") }
        return value
    }

    public static func keyframeInterval(_ value: Double) throws(ConfigurationError) -> Double {
        guard value > 0 && value <= 60 else { throw .invalid("keyframe-interval", value: "\(value)", expected: "seconds between 0 and 60") }
        return value
    }
}
