/// How tensor elements are stored on the GPU. Arithmetic is fp32 either way.
public enum StoragePrecision: String, Sendable, CaseIterable {
    case float32
    case float16

    public var bytesPerElement: Int { self == .float32 ? 4 : 2 }
    var shaderVariant: String { self == .float32 ? "f32" : "f16" }
}
