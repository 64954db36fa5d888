import RecastGPU

extension TensorEngine {
    /// Records the concatenation of NHWC tensors along channels into `output`.
    public func encodeConcatChannels(_ inputs: [Tensor], output: Tensor, into recorder: CommandRecorder) throws {
        let channels = inputs.reduce(0) { $0 + ($1.shape.last ?? 0) }
        guard let first = inputs.first, output.shape.last == channels,
              inputs.allSatisfy({ Array($0.shape.dropLast()) == Array(first.shape.dropLast()) }),
              Array(output.shape.dropLast()) == Array(first.shape.dropLast())
        else {
            throw NNError.shapeMismatch(op: "concat", detail: "inputs \(inputs.map(\.shape)), output \(output.shape)")
        }
        var offset = 0
        for input in inputs {
            let width = input.shape.last!
            try encodeChannelCopy(from: input, offset: 0, to: output, offset: offset, channels: width, into: recorder)
            offset += width
        }
    }

    /// Records the split of NHWC `input` along channels into `outputs`, in order.
    public func encodeSplitChannels(_ input: Tensor, outputs: [Tensor], into recorder: CommandRecorder) throws {
        let channels = outputs.reduce(0) { $0 + ($1.shape.last ?? 0) }
        guard input.shape.last == channels, outputs.allSatisfy({ Array($0.shape.dropLast()) == Array(input.shape.dropLast()) }) else {
            throw NNError.shapeMismatch(op: "split", detail: "input \(input.shape), outputs \(outputs.map(\.shape))")
        }
        var offset = 0
        for output in outputs {
            let width = output.shape.last!
            try encodeChannelCopy(from: input, offset: offset, to: output, offset: 0, channels: width, into: recorder)
            offset += width
        }
    }

    public func concatChannels(_ inputs: [Tensor]) throws -> Tensor {
        let shape = Array(inputs[0].shape.dropLast()) + [inputs.reduce(0) { $0 + $1.shape.last! }]
        let output = try makeTensor(shape: shape)
        try run { try encodeConcatChannels(inputs, output: output, into: $0) }
        return output
    }

    public func splitChannels(_ input: Tensor, sizes: [Int]) throws -> [Tensor] {
        let outputs = try sizes.map { try makeTensor(shape: Array(input.shape.dropLast()) + [$0]) }
        try run { try encodeSplitChannels(input, outputs: outputs, into: $0) }
        return outputs
    }

    /// Records `output` = NHWC `input` followed by zero channels (output has at least as many channels).
    public func encodePadChannels(_ input: Tensor, output: Tensor, into recorder: CommandRecorder) throws {
        guard Array(input.shape.dropLast()) == Array(output.shape.dropLast()), let channels = input.shape.last,
              let width = output.shape.last, width >= channels
        else {
            throw NNError.shapeMismatch(op: "pad channels", detail: "input \(input.shape), output \(output.shape)")
        }
        try encodeChannelCopy(from: input, offset: 0, to: output, offset: 0, channels: channels, zeroFill: true, into: recorder)
    }

    private func encodeChannelCopy(
        from source: Tensor, offset sourceOffset: Int, to destination: Tensor, offset destinationOffset: Int, channels: Int,
        zeroFill: Bool = false, into recorder: CommandRecorder
    ) throws {
        let pixels = source.elementCount / source.shape.last!
        let width = destination.shape.last!
        let fillTexels = zeroFill && takesTexelPath(width: width, [destination])
        let count = pixels * (fillTexels ? width / precision.elementsPerTexel : zeroFill ? width : channels)
        guard count > 0 else { return }
        let kernel = try kernel(
            "channel_copy", bindings: [.read, .write, .writeTexels], pushConstantBytes: 28,
            specialization: zeroFill ? [0: 1, 1: UInt32(width), 2: fillTexels ? 1 : 0] : [:])
        let grid = linearGroups(count: count, perGroup: 256)
        try recorder.dispatch(
            kernel, buffers: [source.buffer, destination.buffer, destination.buffer],
            pushConstants: [count, grid.x, channels, source.shape.last!, sourceOffset, destination.shape.last!, destinationOffset].map { UInt32($0) },
            groups: grid, label: zeroFill ? "padChannels" : "channelCopy")
    }
}
