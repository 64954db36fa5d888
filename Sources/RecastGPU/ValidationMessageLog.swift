import Foundation

/// One message from VK_EXT_debug_utils (the validation layer or the driver).
public struct ValidationMessage: Sendable, CustomStringConvertible {
    public enum Severity: Int, Sendable, Comparable {
        case verbose, info, warning, error
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let severity: Severity
    public let text: String
    public var description: String { "[\(severity)] \(text)" }
}

/// Collects debug-utils messages so tests can fail on any validation error.
/// `@unchecked Sendable`: the Vulkan callback may run on any thread; all state is behind `lock`.
public final class ValidationMessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [ValidationMessage] = []

    public init() {}

    func record(_ message: ValidationMessage) {
        lock.withLock { messages.append(message) }
    }

    /// Messages at or above `severity` recorded so far.
    public func messages(atLeast severity: ValidationMessage.Severity) -> [ValidationMessage] {
        lock.withLock { messages.filter { $0.severity >= severity } }
    }

    /// Returns and forgets every message recorded so far.
    public func drain() -> [ValidationMessage] {
        lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }
}
