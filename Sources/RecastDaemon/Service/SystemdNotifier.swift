import Glibc
import RecastMedia

/// Speaks systemd's notify protocol (READY=1, WATCHDOG=1, STATUS=…) by writing
/// datagrams to $NOTIFY_SOCKET directly, so recastd needs no libsystemd.
public struct SystemdNotifier: Sendable {
    let socketPath: String?
    /// Half the watchdog period systemd expects pings within, if it set one.
    public let watchdogInterval: Double?

    public init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdogInterval = usec / 2e6
        } else {
            watchdogInterval = nil
        }
    }

    public var isActive: Bool { socketPath != nil }

    public func notify(_ state: String) throws(SystemCallError) {
        guard let socketPath else { return }
        let fd = try systemCall("socket(AF_UNIX) for NOTIFY_SOCKET") { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        // A leading '@' names a socket in the abstract namespace (first byte NUL).
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw SystemCallError(operation: "NOTIFY_SOCKET path too long", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let message = Array(state.utf8)
        try withUnsafePointer(to: &address) { pointer throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress throws(SystemCallError) in
                _ = try systemCall("sending \(state) to NOTIFY_SOCKET") {
                    sendto(fd, message, message.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
    }
}
