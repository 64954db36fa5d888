import CHalfFloat

/// fp16 ↔ fp32 for whole arrays, as tensors move between the host and fp16 storage: one C call per
/// array, on the processor's conversion instructions where it has them (see CHalfFloat), instead of
/// Swift's value-at-a-time software conversion on x86-64.
public enum HalfConversion {
    public static func floats(_ halves: [Float16]) -> [Float] {
        [Float](unsafeUninitializedCapacity: halves.count) { destination, initialized in
            halves.withUnsafeBytes { source in
                recast_half_to_float(source.bindMemory(to: UInt16.self).baseAddress, destination.baseAddress, halves.count)
            }
            initialized = halves.count
        }
    }

    public static func halves(_ floats: [Float]) -> [Float16] {
        [Float16](unsafeUninitializedCapacity: floats.count) { destination, initialized in
            UnsafeMutableRawBufferPointer(destination).withMemoryRebound(to: UInt16.self) { halves in
                recast_float_to_half(floats, halves.baseAddress, floats.count)
            }
            initialized = floats.count
        }
    }
}
