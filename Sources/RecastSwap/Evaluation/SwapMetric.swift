/// The figures `recastd eval` reports per clip, with the goals the swap is held to (issue 6).
public enum SwapMetric: String, CaseIterable, Sendable {
    case similarityToReference, similarityToSource, closerToReference, mouthCorrelation, eyeCorrelation
    case headPositionError, flickerRatio

    public enum Goal: Sendable {
        case atLeast(Double), atMost(Double)
    }

    public var goal: Goal? {
        switch self {
        case .closerToReference: .atLeast(0.9)
        case .mouthCorrelation: .atLeast(0.8)
        case .eyeCorrelation: .atLeast(0.7)
        case .flickerRatio: .atMost(1.3)
        case .similarityToReference, .similarityToSource, .headPositionError: nil
        }
    }

    /// Whether `value` meets the goal; an undefined value (nil) never does. Nil when the figure has no goal.
    public func meetsGoal(_ value: Double?) -> Bool? {
        guard let goal else { return nil }
        guard let value else { return false }
        switch goal {
        case .atLeast(let bound): return value >= bound
        case .atMost(let bound): return value <= bound
        }
    }
}
