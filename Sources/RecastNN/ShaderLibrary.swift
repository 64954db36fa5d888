import Foundation

/// The SPIR-V compiled from `Shaders/` at build time (see Plugins/ShaderCompilerPlugin).
public enum ShaderLibrary {
    /// Names of the compiled shader variants, as "family.f32" / "family.f16".
    public static var variantNames: [String] { embeddedShaderTable.keys.sorted() }

    /// The SPIR-V words of `family` (the .comp file name without extension) for `precision`.
    public static func spirv(_ family: String, precision: StoragePrecision) throws -> [UInt32] {
        let key = "\(family).\(precision.shaderVariant)"
        guard let base64 = embeddedShaderTable[key], let data = Data(base64Encoded: base64), data.count % 4 == 0 else {
            throw NNError.shaderMissing(name: key)
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
    }
}
