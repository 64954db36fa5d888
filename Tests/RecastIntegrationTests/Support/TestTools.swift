import Foundation
import Testing

/// Paths and process helpers shared by the integration tests, which drive the
/// real `recastd` binary and real servers.
enum TestTools {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The recastd binary built next to this test bundle (swift test builds it).
    static var recastdPath: String {
        get throws {
            let testRunner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let candidates: [String] = [
                ProcessInfo.processInfo.environment["RECASTD"],
                testRunner.deletingLastPathComponent().appendingPathComponent("recastd").path,
                packageRoot.appendingPathComponent(".build/debug/recastd").path,
            ].compactMap { $0 }
            for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
                return path
            }
            throw TestFailure("recastd binary not found (looked in \(candidates)); build it with `swift build`")
        }
    }

    /// Finds a program on PATH or fails the test loudly.
    static func tool(_ name: String) throws -> String {
        let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        for dir in searchPath.split(separator: ":").map(String.init) {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("\(name) is not installed; .ci/run installs it (apt-get)")
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recast-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process whose output is collected to files (no pipe buffers to fill).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        let dir = try TestTools.temporaryDirectory("proc")
        stdoutURL = dir.appendingPathComponent("stdout")
        stderrURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    /// Exit status once known (signals as 128 + number, like a shell).
    private var exitStatus: Int32?

    /// Reaps the child ourselves: Foundation's Process on Linux has been seen to
    /// leave an exited child a zombie and report it running forever.
    private func poll() -> Int32? {
        if let exitStatus { return exitStatus }
        var raw: Int32 = 0
        let pid = process.processIdentifier
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            let signal = raw & 0x7f
            exitStatus = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        } else if result == -1 && errno == ECHILD && !process.isRunning {
            exitStatus = process.terminationStatus
        }
        return exitStatus
    }

    var isRunning: Bool { poll() == nil }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for exit; kills the process and fails if it outlives the timeout.
    @discardableResult
    func wait(timeout: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGTERM)
                Thread.sleep(forTimeInterval: 0.5)
                if isRunning { kill(process.processIdentifier, SIGKILL) }
                let command = ([process.executableURL!.lastPathComponent] + (process.arguments ?? [])).joined(separator: " ")
                throw TestFailure("`\(command)` did not exit within \(timeout) s; stderr:\n\(stderr)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return exitStatus!
    }

    /// Polls a condition until it holds or the timeout passes.
    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    deinit {
        if isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Runs a program to completion and returns its status and output.
@discardableResult
func runTool(_ executable: String, _ arguments: [String], timeout: Double = 120) throws -> (status: Int32, stdout: String, stderr: String) {
    let child = try ChildProcess(executable, arguments)
    let status = try child.wait(timeout: timeout)
    return (status, child.stdout, child.stderr)
}
