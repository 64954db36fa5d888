import RecastGPU

/// Elementwise ops over whole tensors (Shaders/elementwise.comp).
public enum ElementwiseOp: Sendable, Equatable {
    /// a + b, b repeated to a's size (same shape, or one value per channel).
    case add
    /// a * b, b repeated like `add`.
    case multiply
    /// a * scale + offset.
    case scale(Float, offset: Float = 0)
    /// min(max(a, lower), upper).
    case clamp(lower: Float, upper: Float)
    /// The activation alone (PReLU takes its per-channel slopes as b).
    case activation

    var code: UInt32 {
        switch self {
        case .add: 0
        case .multiply: 1
        case .scale: 2
        case .clamp: 3
        case .activation: 4
        }
    }

    var parameters: (Float, Float) {
        switch self {
        case let .scale(scale, offset): (scale, offset)
        case let .clamp(lower, upper): (lower, upper)
        default: (0, 0)
        }
    }

    var usesB: Bool {
        switch self {
        case .add, .multiply: true
        default: false
        }
    }
}

extension TensorEngine {
    /// Records `output = activation(op(a, b))`. `b` must divide a's element count.
    public func encodeElementwise(
        _ op: ElementwiseOp, _ a: Tensor, _ b: Tensor? = nil, activation: Activation = .none,
        output: Tensor, into recorder: CommandRecorder
    ) throws {
        let needsB = op.usesB || activation == .prelu
        let operand = needsB ? b : (b ?? a)
        guard let operand else {
            throw NNError.shapeMismatch(op: "elementwise", detail: "\(op) with \(activation) needs a second tensor")
        }
        guard output.elementCount == a.elementCount,
              operand.elementCount > 0, a.elementCount % operand.elementCount == 0 || !needsB
        else {
            throw NNError.shapeMismatch(op: "elementwise", detail: "a \(a.shape), b \(operand.shape), output \(output.shape)")
        }
        // The texel path: one invocation per chunk, where both operands are whole chunks.
        let chunk = precision.elementsPerTexel
        let texels = takesTexelPath(width: a.elementCount, [a, operand, output]) && operand.elementCount % chunk == 0
        let kernel = try kernel(
            "elementwise", bindings: [.read, .read, .write, .texels, .texels, .writeTexels], pushConstantBytes: 20,
            specialization: [0: op.code, 1: UInt32(activation.rawValue), 2: texels ? 1 : 0])
        let (count, operandCount) = texels ? (a.elementCount / chunk, operand.elementCount / chunk) : (a.elementCount, operand.elementCount)
        let groups = linearGroups(count: count, perGroup: 256)
        let (p0, p1) = op.parameters
        try recorder.dispatch(
            kernel, buffers: [a.buffer, operand.buffer, output.buffer, a.buffer, operand.buffer, output.buffer],
            pushConstants: [UInt32(count), UInt32(operandCount), UInt32(groups.x), p0.word, p1.word],
            groups: groups, label: "elementwise")
    }

    /// Runs `activation(op(a, b))` and returns the result.
    public func elementwise(_ op: ElementwiseOp, _ a: Tensor, _ b: Tensor? = nil, activation: Activation = .none) throws -> Tensor {
        let output = try makeTensor(shape: a.shape)
        try run { try encodeElementwise(op, a, b, activation: activation, output: output, into: $0) }
        return output
    }
}
