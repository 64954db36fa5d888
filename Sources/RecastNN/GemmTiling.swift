import RecastGPU

/// Tile sizes of Shaders/gemm.comp (specialization constants). A workgroup computes a
/// `blockM`×`blockN` tile in `blockK`-deep steps; each invocation a `threadM`×`threadN` tile.
public struct GemmTiling: Sendable, Hashable, CustomStringConvertible {
    public var blockM: Int
    public var blockN: Int
    public var blockK: Int
    public var threadM: Int
    public var threadN: Int
    /// Stage tiles in shared memory (GPUs); false streams operands straight from the buffers,
    /// which is faster on CPU implementations, where barriers are coroutine switches.
    public var sharedTiles: Bool
    /// Without shared tiles: fetch operands as 16-byte texels along K, where the shape allows
    /// (see `GemmDispatch`); shapes that do not fit fall back to one value per load.
    public var chunkedLoads: Bool

    public init(
        blockM: Int, blockN: Int, blockK: Int, threadM: Int, threadN: Int, sharedTiles: Bool = true, chunkedLoads: Bool = false
    ) {
        self.blockM = blockM
        self.blockN = blockN
        self.blockK = blockK
        self.threadM = threadM
        self.threadN = threadN
        self.sharedTiles = sharedTiles
        self.chunkedLoads = chunkedLoads && !sharedTiles
    }

    public var threads: Int { (blockM / threadM) * (blockN / threadN) }
    public var sharedMemoryBytes: Int { 4 * blockK * (blockM + blockN) }
    public var description: String {
        "\(blockM)x\(blockN)x\(blockK)/\(threadM)x\(threadN)\(sharedTiles ? "" : chunkedLoads ? "/chunked" : "/direct")"
    }

    /// Whether the shader's cooperative tile loads and the device's limits accept this tiling.
    func isValid(maxInvocations: Int, sharedMemory: Int) -> Bool {
        blockM % threadM == 0 && blockN % threadN == 0 && threads <= maxInvocations
            && sharedMemoryBytes <= sharedMemory && threads > 0
            && (!sharedTiles || ((blockM * blockK) % threads == 0 && (blockK * blockN) % threads == 0))
    }

    /// Wide tiles for wide outputs; narrow-N tiles so depthwise and few-channel outputs waste
    /// little; on CPU devices, the barrier-free direct path, with 16 rows an invocation where
    /// there are enough rows (fewer fetches per multiply-add; 3×3 convolutions ran 10 % faster), and one or two
    /// where there are few.
    public static func forShape(m: Int, n: Int, device: VulkanDeviceType) -> GemmTiling {
        if device == .cpu {
            if n < 8 {
                // One or two rows an invocation where there are few rows: the face mesh's presence logit (1 row)
                // ran its 64-row tile as 64 invocations on one thread (73 → 30 µs).
                let rows = m < 32 ? (m <= 8 ? 1 : 2) : 8
                return GemmTiling(blockM: m < 32 ? rows : 64, blockN: 8, blockK: 1, threadM: rows, threadN: 1, sharedTiles: false, chunkedLoads: true)
            }
            if n <= 16 {
                return GemmTiling(blockM: 64, blockN: 16, blockK: 1, threadM: 8, threadN: 8, sharedTiles: false, chunkedLoads: true)
            }
            if m < 32 {
                // Few rows (the face mesh's 3×3 and 1×1 maps): tall tiles would compute rows that do not exist;
                // the mesh's 1-row output convolution ran 7× faster with one row an invocation.
                let rows = m <= 8 ? 1 : 2
                return GemmTiling(blockM: rows, blockN: 64, blockK: 1, threadM: rows, threadN: 8, sharedTiles: false, chunkedLoads: true)
            }
            if n <= 32 {
                // A 64-wide tile would compute half its columns for nothing (the face mesh's 32-channel layers: −35 %).
                return GemmTiling(blockM: 64, blockN: 32, blockK: 1, threadM: 8, threadN: 8, sharedTiles: false, chunkedLoads: true)
            }
            return m >= 8192
                ? GemmTiling(blockM: 128, blockN: 64, blockK: 1, threadM: 16, threadN: 8, sharedTiles: false, chunkedLoads: true)
                : GemmTiling(blockM: 64, blockN: 64, blockK: 1, threadM: 8, threadN: 8, sharedTiles: false, chunkedLoads: true)
        }
        return n <= 16
            ? GemmTiling(blockM: 128, blockN: 16, blockK: 16, threadM: 8, threadN: 1)
            : GemmTiling(blockM: 64, blockN: 64, blockK: 16, threadM: 4, threadN: 4)
    }

    var specialization: [UInt32: UInt32] {
        [0: UInt32(threads), 1: UInt32(blockM), 2: UInt32(blockN), 3: UInt32(blockK), 4: UInt32(threadM), 5: UInt32(threadN),
         11: sharedTiles ? 1 : 0, 12: chunkedLoads ? 1 : 0]
    }
}
