import RecastGPU

public enum ResizeMode: UInt32, Sendable, CaseIterable {
    case nearest = 0
    case bilinear = 1
}

public enum PoolMode: UInt32, Sendable, CaseIterable {
    case max = 0
    case average = 1
}

public enum PadMode: Sendable, Equatable {
    case constant(Float)
    case replicate
    case reflect

    var code: UInt32 {
        switch self {
        case .constant: 0
        case .replicate: 1
        case .reflect: 2
        }
    }
}

extension TensorEngine {
    /// Records a resize of NHWC `input` to `output`'s height and width.
    public func encodeResize(_ input: Tensor, mode: ResizeMode, output: Tensor, into recorder: CommandRecorder) throws {
        guard input.rank == 4, output.rank == 4, input.shape[0] == output.shape[0], input.shape[3] == output.shape[3],
              input.elementCount > 0, output.elementCount > 0
        else {
            throw NNError.shapeMismatch(op: "resize", detail: "input \(input.shape), output \(output.shape)")
        }
        let chunk = precision.elementsPerTexel
        // The texel path: one invocation per pixel and chunk.
        let chunks = takesTexelPath(width: input.shape[3], [input, output]) ? input.shape[3] / chunk : 0
        let resize = try kernel(
            "resize", bindings: [.read, .write, .texels, .writeTexels], pushConstantBytes: 28,
            specialization: [0: mode.rawValue, 1: UInt32(chunks)])
        let count = chunks > 0 ? output.elementCount / chunk : output.elementCount
        let grid = linearGroups(count: count, perGroup: 256)
        try recorder.dispatch(
            resize, buffers: [input.buffer, output.buffer, input.buffer, output.buffer],
            pushConstants: [count, grid.x, input.shape[1], input.shape[2], output.shape[1], output.shape[2], input.shape[3]].map { UInt32($0) },
            groups: grid, label: "resize")
    }

    public func resize(_ input: Tensor, height: Int, width: Int, mode: ResizeMode) throws -> Tensor {
        let output = try makeTensor(shape: [input.shape[0], height, width, input.shape[3]])
        try run { try encodeResize(input, mode: mode, output: output, into: $0) }
        return output
    }

    /// Records max or average pooling of NHWC `input` (square window, PyTorch output size).
    public func encodePool(
        _ input: Tensor, mode: PoolMode, kernel: Int, stride: Int, padding: Int = 0, output: Tensor, into recorder: CommandRecorder
    ) throws {
        let outH = (input.shape[1] + 2 * padding - kernel) / stride + 1
        let outW = (input.shape[2] + 2 * padding - kernel) / stride + 1
        guard input.rank == 4, kernel > 0, stride > 0, padding * 2 <= kernel, outH > 0, outW > 0,
              output.shape == [input.shape[0], outH, outW, input.shape[3]]
        else {
            throw NNError.shapeMismatch(op: "pool", detail: "input \(input.shape), kernel \(kernel), stride \(stride), padding \(padding), output \(output.shape)")
        }
        let chunk = precision.elementsPerTexel
        // The texel path: one invocation per pixel and chunk.
        let chunks = takesTexelPath(width: input.shape[3], [input, output]) ? input.shape[3] / chunk : 0
        let pool = try self.kernel(
            "pool", bindings: [.read, .write, .texels, .writeTexels], pushConstantBytes: 36,
            specialization: [0: mode.rawValue, 1: UInt32(chunks), 2: UInt32(kernel), 3: UInt32(stride)])
        let count = chunks > 0 ? output.elementCount / chunk : output.elementCount
        let grid = linearGroups(count: count, perGroup: 256)
        try recorder.dispatch(
            pool, buffers: [input.buffer, output.buffer, input.buffer, output.buffer],
            pushConstants: [count, grid.x, input.shape[1], input.shape[2], outH, outW, input.shape[3], padding, padding]
                .map { UInt32($0) },
            groups: grid, label: "pool")
    }

    public func pool(_ input: Tensor, mode: PoolMode, kernel: Int, stride: Int, padding: Int = 0) throws -> Tensor {
        let outH = (input.shape[1] + 2 * padding - kernel) / stride + 1
        let outW = (input.shape[2] + 2 * padding - kernel) / stride + 1
        let output = try makeTensor(shape: [input.shape[0], max(outH, 0), max(outW, 0), input.shape[3]])
        try run { try encodePool(input, mode: mode, kernel: kernel, stride: stride, padding: padding, output: output, into: $0) }
        return output
    }

    /// Records spatial padding of NHWC `input`; `output` is `top`/`left` larger, the rest at the bottom/right.
    public func encodePad(_ input: Tensor, top: Int, left: Int, mode: PadMode, output: Tensor, into recorder: CommandRecorder) throws {
        let bottom = output.shape[1] - input.shape[1] - top
        let right = output.shape[2] - input.shape[2] - left
        let reflectFits = mode != .reflect || (max(top, bottom) < input.shape[1] && max(left, right) < input.shape[2])
        guard input.rank == 4, output.rank == 4, top >= 0, left >= 0, bottom >= 0, right >= 0, reflectFits,
              input.shape[0] == output.shape[0], input.shape[3] == output.shape[3], input.elementCount > 0
        else {
            throw NNError.shapeMismatch(op: "pad", detail: "input \(input.shape), output \(output.shape), top \(top), left \(left), \(mode)")
        }
        let value: Float = if case let .constant(v) = mode { v } else { 0 }
        try encodeImageMap(
            "pad", mode: mode.code, input: input, output: output,
            extra: [input.shape[1], input.shape[2], output.shape[1], output.shape[2], input.shape[3], top, left].map { UInt32($0) } + [value.word],
            pushConstantBytes: 40, into: recorder)
    }

    public func pad(_ input: Tensor, top: Int, bottom: Int, left: Int, right: Int, mode: PadMode) throws -> Tensor {
        let output = try makeTensor(shape: [input.shape[0], input.shape[1] + top + bottom, input.shape[2] + left + right, input.shape[3]])
        try run { try encodePad(input, top: top, left: left, mode: mode, output: output, into: $0) }
        return output
    }

    /// One invocation per output element; push constants are [count, groupsX] + `extra`.
    private func encodeImageMap(
        _ family: String, mode: UInt32, input: Tensor, output: Tensor, extra: [UInt32], pushConstantBytes: Int,
        into recorder: CommandRecorder
    ) throws {
        let kernel = try kernel(family, bindings: [.read, .write], pushConstantBytes: pushConstantBytes, specialization: [0: mode])
        let grid = linearGroups(count: output.elementCount, perGroup: 256)
        try recorder.dispatch(
            kernel, buffers: [input.buffer, output.buffer],
            pushConstants: [UInt32(output.elementCount), UInt32(grid.x)] + extra, groups: grid, label: family)
    }
}
