import Glibc

/// A failed system call, with the errno it left and what was being done.
public struct SystemCallError: Error, CustomStringConvertible, Equatable {
    public let operation: String
    public let errno: Int32

    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(errno)))"
    }
}

/// Runs one system call, retrying while it is interrupted by a signal, and
/// throws the errno it fails with. Every syscall in Recast goes through here.
@discardableResult
public func systemCall<Result: BinaryInteger>(
    _ operation: @autoclosure () -> String,
    _ body: () -> Result
) throws(SystemCallError) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemCallError(operation: operation(), errno: code)
    }
}

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC, the clock V4L2 stamps buffers with).
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
