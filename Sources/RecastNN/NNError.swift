/// Errors from tensor ops; each says what was wrong and what is expected.
public enum NNError: Error, CustomStringConvertible, Equatable {
    case shaderMissing(name: String)
    case shapeMismatch(op: String, detail: String)
    case unsupported(op: String, detail: String)
    case precisionUnavailable(device: String)

    public var description: String {
        switch self {
        case let .shaderMissing(name):
            "shader '\(name)' is not in the build; add Shaders/\(name.split(separator: ".").first ?? "").comp and rebuild"
        case let .shapeMismatch(op, detail):
            "\(op): shape mismatch: \(detail)"
        case let .unsupported(op, detail):
            "\(op): unsupported: \(detail)"
        case let .precisionUnavailable(device):
            "fp16 storage requested but '\(device)' lacks storageBuffer16BitAccess; use .float32"
        }
    }
}
