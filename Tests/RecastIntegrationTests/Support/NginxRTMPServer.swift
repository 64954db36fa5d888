import Foundation

/// A real nginx with libnginx-mod-rtmp on 127.0.0.1, started for one test.
/// Every stream published to application `live` is recorded as FLV under
/// `recordings`, so the test can inspect what recastd published.
final class NginxRTMPServer {
    let port: Int
    let directory: URL
    let recordings: URL
    private var process: ChildProcess?
    private let nginx: String

    init() throws {
        nginx = try TestTools.tool("nginx")
        let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
        guard FileManager.default.fileExists(atPath: module) else {
            throw TestFailure("\(module) is missing: apt-get install libnginx-mod-rtmp")
        }
        port = try freeTCPPort()
        directory = try TestTools.temporaryDirectory("nginx")
        recordings = directory.appendingPathComponent("recordings")
        // nginx's worker drops root privileges; it must still be able to write recordings.
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let configuration = """
        load_module \(module);
        daemon off;
        worker_processes 1;
        pid \(directory.path)/nginx.pid;
        error_log \(directory.path)/logs/error.log info;
        events { worker_connections 64; }
        rtmp {
            server {
                listen 127.0.0.1:\(port);
                chunk_size 4096;
                application live {
                    live on;
                    record all;
                    record_path \(recordings.path);
                    record_unique on;
                }
            }
        }
        """
        try configuration.write(to: directory.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        try start()
    }

    func url(_ key: String) -> String { "rtmp://127.0.0.1:\(port)/live/\(key)" }

    func start() throws {
        let child = try ChildProcess(nginx, ["-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path])
        process = child
        guard ChildProcess.waitUntil(timeout: 10, { canConnect(port: port) }) else {
            throw TestFailure("nginx did not start listening on \(port): \(child.stderr)")
        }
    }

    /// Stops nginx at once, as a crash or an operator's restart would, dropping every connection.
    func stop() throws {
        guard let process else { return }
        process.signal(SIGTERM)
        try process.wait(timeout: 10)
        self.process = nil
        _ = ChildProcess.waitUntil(timeout: 5) { !canConnect(port: port) }
    }

    /// Recordings of a stream key, oldest first (record_unique adds a time suffix).
    func recordings(of key: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: recordings.path)) ?? []
        return names.filter { $0.hasPrefix("\(key)-") && $0.hasSuffix(".flv") }.sorted()
            .map { recordings.appendingPathComponent($0) }
    }

    deinit { try? stop() }
}

func freeTCPPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw TestFailure("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something listens on a local TCP port, read from /proc/net/tcp
/// (connecting would take the one connection a listening recastd accepts).
func isListening(port: Int) -> Bool {
    let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
    let local = String(format: ":%04X", port)
    return table.split(separator: "\n").contains { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[1].hasSuffix(local) && fields[3] == "0A"
    }
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
