/// Collects dispatches, then turns them into a `CommandSequence` that can be replayed.
/// Not Sendable: one recorder belongs to the code recording it.
public final class CommandRecorder {
    struct Dispatch {
        let kernel: ComputeKernel
        let buffers: [GPUBuffer]
        let pushConstants: [UInt32]
        let groups: (x: UInt32, y: UInt32, z: UInt32)
        let label: String
    }

    let context: GPUContext
    private(set) var dispatches: [Dispatch] = []

    init(context: GPUContext) {
        self.context = context
    }

    /// Appends one dispatch of `kernel` over `groups` workgroups with `buffers` at bindings 0, 1, ….
    /// `pushConstants` are 32-bit words (floats by bit pattern), zero-padded to the kernel's size.
    public func dispatch(
        _ kernel: ComputeKernel, buffers: [GPUBuffer], pushConstants: [UInt32] = [],
        groups: (x: Int, y: Int, z: Int), label: String? = nil
    ) throws {
        guard buffers.count == kernel.bindings.count else {
            throw GPUError.bindingCountMismatch(kernel: kernel.name, expected: kernel.bindings.count, got: buffers.count)
        }
        guard pushConstants.count * 4 <= kernel.pushConstantBytes else {
            throw GPUError.pushConstantsTooLarge(kernel: kernel.name, bytes: pushConstants.count * 4, limit: kernel.pushConstantBytes)
        }
        let padded = pushConstants + Array(repeating: 0, count: kernel.pushConstantBytes / 4 - pushConstants.count)
        dispatches.append(Dispatch(
            kernel: kernel, buffers: buffers, pushConstants: padded,
            groups: (UInt32(max(groups.x, 1)), UInt32(max(groups.y, 1)), UInt32(max(groups.z, 1))),
            label: label ?? kernel.name))
    }

    /// Records the dispatches into a command buffer, with a barrier before each dispatch that
    /// reads or overwrites what an earlier dispatch since the last barrier wrote (or overwrites
    /// what it read), and no other barrier. With `profiling` (by default the context's `profilesDispatches`), each
    /// dispatch is timed.
    public func finish(profiling: Bool? = nil) throws -> CommandSequence {
        try CommandSequence(
            context: context, dispatches: dispatches, barriersBefore: Self.barrierPlan(dispatches),
            profiling: profiling ?? context.profilesDispatches)
    }

    /// For each dispatch, whether a memory barrier must precede it.
    static func barrierPlan(_ dispatches: [Dispatch]) -> [Bool] {
        var pendingWrites: [GPUBuffer] = []
        var pendingReads: [GPUBuffer] = []
        return dispatches.map { dispatch in
            let accesses = zip(dispatch.buffers, dispatch.kernel.bindings)
            let needsBarrier = accesses.contains { buffer, access in
                (access.reads && pendingWrites.contains { $0.overlaps(buffer) })
                    || (access.writes && (pendingWrites + pendingReads).contains { $0.overlaps(buffer) })
            }
            if needsBarrier {
                pendingWrites.removeAll()
                pendingReads.removeAll()
            }
            for (buffer, access) in accesses {
                if access.writes { pendingWrites.append(buffer) }
                if access.reads { pendingReads.append(buffer) }
            }
            return needsBarrier
        }
    }
}
