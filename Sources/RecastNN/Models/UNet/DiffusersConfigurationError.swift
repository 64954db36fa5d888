/// Why a diffusers config.json (UNet or autoencoder) cannot be loaded; names the field.
public enum DiffusersConfigurationError: Error, CustomStringConvertible, Equatable {
    /// A field Recast does not implement, or a value of it that Recast does not implement.
    case unsupportedField(name: String, value: String, supported: String)
    /// A field whose value has the wrong type or is inconsistent with the others.
    case invalidField(name: String, detail: String)

    public var description: String {
        switch self {
        case let .unsupportedField(name, value, supported):
            "config field '\(name)' = \(value) is not supported by Recast (supported: \(supported))"
        case let .invalidField(name, detail):
            "config field '\(name)': \(detail)"
        }
    }
}
