/// How tensor elements are stored on the GPU. Arithmetic is fp32 either way.
public enum StoragePrecision: String, Sendable, CaseIterable {
    case float32
    case float16

    public var bytesPerElement: Int { self == .float32 ? 4 : 2 }
    /// Elements in one 16-byte texel (Shaders/texel_chunk.glsl's CHUNK).
    public var elementsPerTexel: Int { 16 / bytesPerElement }
    var shaderVariant: String { self == .float32 ? "f32" : "f16" }
}
