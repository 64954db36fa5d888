import Foundation
import Testing

@Suite("systemd")
struct SystemdTests {
    @Test("systemd-analyze verify accepts the unit with no warnings")
    func unitVerifies() throws {
        let unit = TestTools.packageRoot.appendingPathComponent("systemd/recastd@.service")
        let text = try String(contentsOf: unit, encoding: .utf8)
        // Verified as installed: an instance of the template, next to the binary it starts.
        let installed = text.replacingOccurrences(of: "/usr/local/bin/recastd", with: try TestTools.recastdPath)
        #expect(installed != text, "the unit no longer starts /usr/local/bin/recastd")
        let directory = try TestTools.temporaryDirectory("unit")
        let instance = directory.appendingPathComponent("recastd@cam0.service")
        try installed.write(to: instance, atomically: true, encoding: .utf8)
        let result = try runTool(TestTools.tool("systemd-analyze"), ["verify", instance.path])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "systemd-analyze verify complained:\n\(result.stderr)")
    }

    @Test("READY=1 after the first frame, WATCHDOG=1 while frames flow, STOPPING=1 at the end")
    func notifyProtocol() throws {
        let socketPath = try TestTools.temporaryDirectory("notify").appendingPathComponent("notify.sock").path
        let listener = try DatagramListener(path: socketPath)
        let recastd = try ChildProcess(TestTools.recastdPath, ["run", "--swap", "off", "--input", "testsrc", "--size", "160x120", "--output", "null"],
                                       environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "1000000"])
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && messages.filter({ $0.contains("WATCHDOG=1") }).count < 3 {
            if let message = listener.receive(timeout: 1) { messages.append(message) }
        }
        recastd.signal(SIGTERM)
        #expect(try recastd.wait(timeout: 20) == 0)
        while let message = listener.receive(timeout: 1) { messages.append(message) }
        let ready = messages.firstIndex { $0.contains("READY=1") }
        let firstWatchdog = messages.firstIndex { $0.contains("WATCHDOG=1") }
        #expect(ready != nil, "no READY=1 in \(messages)")
        #expect(firstWatchdog != nil && ready! < firstWatchdog!, "watchdog before ready: \(messages)")
        #expect(messages.filter { $0.contains("WATCHDOG=1") }.count >= 3, "\(messages)")
        #expect(messages.last?.contains("STOPPING=1") == true, "\(messages)")
    }

    @Test("the example configuration is valid")
    func exampleConfigParses() throws {
        let example = TestTools.packageRoot.appendingPathComponent("systemd/cam0.toml").path
        // --output null replaces the camera outputs and --identity the image an installation supplies;
        // a missing camera must then be the only complaint.
        let identity = TestTools.packageRoot.appendingPathComponent("Models/identity/obama.jpg").path
        let result = try runTool(TestTools.recastdPath, ["run", "--config", example, "--output", "null", "--identity", identity,
                                                         "--log-level", "critical"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/dev/video0 does not exist"), "\(result.stderr)")
    }
}

/// A bound AF_UNIX datagram socket standing in for systemd's notify socket.
final class DatagramListener {
    private let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestFailure("cannot bind \(path)") }
    }

    func receive(timeout: Double) -> String? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    deinit { close(fd) }
}
