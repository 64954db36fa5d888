import Foundation
import TOMLKit

/// Reads a `recastd run` configuration from TOML. Every key is checked: an
/// unknown key or a value of the wrong kind is named in the error.
public enum ConfigurationFile {
    public static func load(path: String) throws(ConfigurationError) -> RunConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> RunConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .unreadable(path: file, reason: "TOML syntax error at line \(error.source.begin.line): \(error.description)")
        } catch {
            throw .unreadable(path: file, reason: "\(error)")
        }
        var configuration = RunConfiguration()
        for (key, value) in table {
            try apply(key: key, value: value, to: &configuration, file: file)
        }
        return configuration
    }

    private static func apply(key: String, value: TOMLValueConvertible, to configuration: inout RunConfiguration, file: String) throws(ConfigurationError) {
        func string() throws(ConfigurationError) -> String {
            guard let text = value.string else { throw .invalid(key, value: "\(value)", expected: "a string") }
            return text
        }
        func number() throws(ConfigurationError) -> Double {
            if let integer = value.int { return Double(integer) }
            guard let double = value.double else { throw .invalid(key, value: "\(value)", expected: "a number") }
            return double
        }
        func integer() throws(ConfigurationError) -> Int {
            guard let integer = value.int else { throw .invalid(key, value: "\(value)", expected: "a whole number") }
            return integer
        }
        func bool() throws(ConfigurationError) -> Bool {
            guard let flag = value.bool else { throw .invalid(key, value: "\(value)", expected: "true or false") }
            return flag
        }
        switch key {
        case "input": configuration.input = try string()
        case "output":
            if let text = value.string {
                configuration.outputs = [text]
            } else if let array = value.array {
                var outputs: [String] = []
                for element in array {
                    guard let text = element.string else { throw .invalid(key, value: "\(element)", expected: "a list of strings") }
                    outputs.append(text)
                }
                configuration.outputs = outputs
            } else {
                throw .invalid(key, value: "\(value)", expected: "a string or a list of strings")
            }
        case "listen": configuration.listen = try bool()
        case "realtime": configuration.realtime = try bool()
        case "size": configuration.size = try ConfigurationValue.size(try string())
        case "fps": configuration.fps = try ConfigurationValue.fps(try number())
        case "output-format": configuration.outputFormat = try ConfigurationValue.outputFormat(try string())
        case "bitrate":
            if let integer = value.int {
                configuration.bitrate = try ConfigurationValue.bitrate(String(integer))
            } else {
                configuration.bitrate = try ConfigurationValue.bitrate(try string())
            }
        case "preset": configuration.preset = try ConfigurationValue.preset(try string())
        case "keyframe-interval": configuration.keyframeInterval = try ConfigurationValue.keyframeInterval(try number())
        case "audio": configuration.audio = try ConfigurationValue.audio(try string())
        case "log-level": configuration.logLevel = try ConfigurationValue.logLevel(try string())
        case "stats": configuration.statsPath = try string()
        case "identity": configuration.identity = try string()
        case "swap": configuration.swap = try bool()
        case "models": configuration.modelsPath = try string()
        case "faces": configuration.faces = try ConfigurationValue.faces(try string())
        case "live-eyes": configuration.setLive(.eyes, try bool())
        case "live-mouth": configuration.setLive(.mouth, try bool())
        case "identity-shape": configuration.identityShape = try ConfigurationValue.identityShape(try number())
        case "model": configuration.refinerModel = try string()
        case "refine": configuration.refine = try ConfigurationValue.refine(try string())
        case "steps": configuration.steps = try ConfigurationValue.steps(try integer())
        case "strength": configuration.strength = try ConfigurationValue.strength(try number())
        case "window": configuration.window = try ConfigurationValue.window(try integer())
        case "attention-weight": configuration.attentionWeight = try ConfigurationValue.attentionWeight(try number())
        case "change-blur": configuration.changeBlur = try ConfigurationValue.changeBlur(try number())
        case "change-time": configuration.changeTime = try ConfigurationValue.changeTime(try number())
        default: throw .unknownKey(key, file: file)
        }
    }
}
