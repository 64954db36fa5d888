/// GPU time of one dispatch, measured with timestamps around it.
public struct DispatchTiming: Sendable, CustomStringConvertible {
    public let label: String
    public let nanoseconds: Double

    public var description: String { "\(label): \(nanoseconds / 1000) µs" }
}
