/// Typed reads of config fields, with diffusers' defaults for absent ones.
struct ConfigFieldReader {
    let fields: [String: JSONValue]

    /// Refuses, by name, a field that is neither read, ignored, nor at one of its `fixed` values, and a model
    /// class other than `className`.
    func refuseUnsupported(className: String, read: Set<String>, ignored: Set<String>, fixed: [String: [JSONValue]]) throws {
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) where !read.contains(name) && !ignored.contains(name) {
            guard let allowed = fixed[name] else {
                throw DiffusersConfigurationError.unsupportedField(name: name, value: value.description, supported: "none: unknown field")
            }
            guard allowed.contains(value) else {
                throw DiffusersConfigurationError.unsupportedField(
                    name: name, value: value.description, supported: allowed.map(\.description).joined(separator: " or "))
            }
        }
        if let found = fields["_class_name"], found != .string(className) {
            throw DiffusersConfigurationError.unsupportedField(name: "_class_name", value: found.description, supported: "\"\(className)\"")
        }
    }

    func int(_ name: String, default value: Int) throws -> Int {
        guard let field = fields[name], field != .null else { return value }
        guard case let .number(number) = field, number == number.rounded() else {
            throw DiffusersConfigurationError.invalidField(name: name, detail: "\(field) is not an integer")
        }
        return Int(number)
    }

    /// An integer, or nil when the field is absent or null.
    func optionalInt(_ name: String) throws -> Int? {
        guard let field = fields[name], field != .null else { return nil }
        return try int(name, default: 0)
    }

    func number(_ name: String, default value: Double) throws -> Double {
        guard let field = fields[name], field != .null else { return value }
        guard case let .number(number) = field else {
            throw DiffusersConfigurationError.invalidField(name: name, detail: "\(field) is not a number")
        }
        return number
    }

    func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let field = fields[name], field != .null else { return value }
        guard case let .bool(flag) = field else {
            throw DiffusersConfigurationError.invalidField(name: name, detail: "\(field) is not true or false")
        }
        return flag
    }

    func ints(_ name: String, default value: [Int]) throws -> [Int] {
        guard let field = fields[name], field != .null else { return value }
        guard case let .array(items) = field else {
            throw DiffusersConfigurationError.invalidField(name: name, detail: "\(field) is not a list")
        }
        return try items.map { item in
            guard case let .number(number) = item, number == number.rounded() else {
                throw DiffusersConfigurationError.invalidField(name: name, detail: "\(field) is not a list of integers")
            }
            return Int(number)
        }
    }

    /// An integer, or a list of one per down block (as diffusers broadcasts it).
    func perBlock(_ name: String, default value: Int, levels: Int) throws -> [Int] {
        guard let field = fields[name], field != .null else { return Array(repeating: value, count: levels) }
        if case .array = field {
            let values = try ints(name, default: [])
            guard values.count == levels else {
                throw DiffusersConfigurationError.invalidField(name: name, detail: "\(values.count) entries for \(levels) down blocks")
            }
            return values
        }
        return Array(repeating: try int(name, default: value), count: levels)
    }

    func blockTypes(_ name: String, default value: [String], allowed: Set<UNetBlockType>) throws -> [UNetBlockType] {
        let names: [String]
        switch fields[name] {
        case nil, .null?: names = value
        case let .array(items)?:
            names = try items.map {
                guard case let .string(text) = $0 else {
                    throw DiffusersConfigurationError.invalidField(name: name, detail: "\($0) is not a block name")
                }
                return text
            }
        case let field?:
            throw DiffusersConfigurationError.invalidField(name: name, detail: "\(field) is not a list of block names")
        }
        return try names.map { blockName in
            guard let type = UNetBlockType(rawValue: blockName), allowed.contains(type) else {
                throw DiffusersConfigurationError.unsupportedField(
                    name: name, value: "\"\(blockName)\"",
                    supported: allowed.map(\.rawValue).sorted().joined(separator: ", "))
            }
            return type
        }
    }
}
