extension CPUReference {
    public static func elementwise(_ op: ElementwiseOp, _ a: [Float], _ b: [Float]?, activation: Activation) -> [Float] {
        a.indices.map { i in
            let operand = b.map { $0[i % $0.count] } ?? 0
            let value: Float = switch op {
            case .add: a[i] + operand
            case .multiply: a[i] * operand
            case let .scale(scale, offset): a[i] * scale + offset
            case let .clamp(lower, upper): min(max(a[i], lower), upper)
            case .activation: a[i]
            }
            return activate(value, activation, slope: operand)
        }
    }
}
