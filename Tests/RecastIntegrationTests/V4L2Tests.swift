import Foundation
import Testing

/// recastd with real V4L2 devices: this machine's kernel has none, so one
/// guest is booted for all these tests (tools/v4l2-vm/run-guest.sh: Debian's
/// kernel under qemu over this filesystem, vivid as /dev/video0, v4l2loopback
/// as /dev/video10 and, to play an MJPEG camera, /dev/video11).
/// tools/v4l2-vm/recastd-scenarios.sh runs the real recastd binary there and
/// records what happened; the tests judge it.
@Suite("V4L2 devices in a VM") struct V4L2Tests {
    static let width = 640, height = 480
    /// What each reader of the camera scenario reads (recastd-scenarios.sh).
    static let readerFrames = 100

    /// Booted once, on first use; a missing qemu or kernel fails every test here.
    static let guest = Result { try GuestResults.boot() }

    @Test func cameraToVirtualCameraCarriesVividsPicture() throws {
        let run = try Self.guest.get()
        let loopback = run.text("camera/loopback.txt")
        #expect(loopback.contains("Width/Height      : 640/480"), "\(loopback)")
        #expect(loopback.contains("Pixel Format      : 'YUYV'"), "\(loopback)")
        #expect(loopback.contains("Frames per second: 25.000"), "\(loopback)")

        #expect(run.status("vivid/status") == 0)
        let frames = run.frameHashes("camera/reader1.framemd5")
        #expect(frames.count == Self.readerFrames)
        // vivid stamps a counter on each picture, so a live chain gives distinct frames.
        #expect(Set(frames).count >= Self.readerFrames * 9 / 10, "only \(Set(frames).count) distinct frames")
        let reference = try run.luma("vivid/frame.yuv", format: .yuyv)
        try expectSamePicture(run.luma("camera/reader1.yuv", format: .yuyv), as: reference)
        #expect(run.status("camera/recastd.status") == 0, "SIGINT must end recastd with status 0:\n\(run.text("camera/recastd.stderr"))")
    }

    @Test func twoReadersAtOnceBothGetTheLivePicture() throws {
        let run = try Self.guest.get()
        let reference = try run.luma("vivid/frame.yuv", format: .yuyv)
        // reader1 is ffmpeg (mmap buffers), reader2 reads with read(2).
        let hashes = ["reader1": run.frameHashes("camera/reader1.framemd5"), "reader2": run.lines("camera/reader2.md5")]
        for (reader, frames) in hashes {
            #expect(run.status("camera/\(reader).status") == 0, "\(reader)")
            #expect(frames.count == Self.readerFrames, "\(reader)")
            #expect(Set(frames).count >= Self.readerFrames * 9 / 10, "\(reader): only \(Set(frames).count) distinct frames")
            try expectSamePicture(run.luma("camera/\(reader).yuv", format: .yuyv), as: reference)
        }
        // Frames both readers received prove they read at the same time (each
        // starts when its program has loaded, so their windows only partly overlap).
        let shared = Set(hashes["reader1"] ?? []).intersection(hashes["reader2"] ?? [])
        #expect(!shared.isEmpty, "the two readers never received the same frame")
    }

    @Test func i420OutputFormat() throws {
        let run = try Self.guest.get()
        let loopback = run.text("i420/loopback.txt")
        #expect(loopback.contains("Pixel Format      : 'YU12'"), "\(loopback)")
        #expect(run.status("i420/reader.status") == 0)
        #expect(run.frameHashes("i420/reader.framemd5").count == 30)
        let reference = try run.luma("vivid/frame.yuv", format: .yuyv)
        try expectSamePicture(run.luma("i420/reader.yuv", format: .i420), as: reference)
        #expect(run.status("i420/recastd.status") == 0)
    }

    @Test func mjpegCameraIsDecodedByLibv4lconvert() throws {
        let run = try Self.guest.get()
        let stderr = run.text("mjpeg-camera/recastd.stderr")
        #expect(stderr.contains("/dev/video11 sends MJPG; libv4lconvert converts it to YU12"), "\(stderr)")
        #expect(run.status("mjpeg-camera/recastd.status") == 0, "\(stderr)")
        #expect(run.status("mjpeg-camera/reader.status") == 0)
        #expect(run.frameHashes("mjpeg-camera/reader.framemd5").count == 30)
        // The same bars through the same JPEG encoder, decoded by ffmpeg on this
        // machine and scaled, as Recast scales them, from JPEG's full range to the limited range.
        let reference = try Self.decodedJPEGBars()
        let luma = try run.luma("mjpeg-camera/reader.yuv", format: .yuyv)
        let difference = meanAbsoluteDifference(luma[...], reference[0..<luma.count])
        #expect(difference < 3, "the picture differs from the bars by \(difference) on average")
        #expect(standardDeviation(luma) > 40, "a flat picture (black or no signal), not colour bars")
    }

    /// SMPTE bars encoded as the guest's writer encodes them, decoded to limited-range I420.
    private static func decodedJPEGBars() throws -> [UInt8] {
        let ffmpeg = try TestTools.tool("ffmpeg")
        let directory = try TestTools.temporaryDirectory("bars")
        defer { try? FileManager.default.removeItem(at: directory) }
        let jpeg = directory.appendingPathComponent("bars.jpg").path, raw = directory.appendingPathComponent("bars.yuv").path
        let quiet = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
        let encoded = try runTool(ffmpeg, quiet + ["-f", "lavfi", "-i", "smptebars=size=\(width)x\(height):rate=25",
                                                  "-frames:v", "1", "-c:v", "mjpeg", "-q:v", "2", jpeg])
        try #require(encoded.status == 0, "\(encoded.stderr)")
        let decoded = try runTool(ffmpeg, quiet + ["-i", jpeg, "-f", "rawvideo", "-pix_fmt", "yuv420p", raw])
        try #require(decoded.status == 0, "\(decoded.stderr)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))
    }

    @Test func devicesListsTheCameraAndTheLoopback() throws {
        let run = try Self.guest.get()
        let listing = run.text("camera/devices.txt")
        #expect(listing.contains("/dev/video0  vivid  (driver vivid, platform:vivid-000)"), "\(listing)")
        #expect(listing.contains("recastd uses: YUYV"), "\(listing)")
        #expect(listing.contains("/dev/video10  Recast Camera  (in use: another program is writing to it)"), "\(listing)")
    }

    @Test(arguments: [
        ("not-a-loopback", "/dev/video0 is not a v4l2loopback output device (driver: vivid)"),
        ("missing-camera", "/dev/video99 does not exist"),
        ("idle-loopback-as-camera", "/dev/video10 is not a video capture device yet (driver: v4l2 loopback)"),
        ("busy-camera", "/dev/video0 is busy: another program is capturing from it"),
    ])
    func unusableDeviceEndsWithOneClearLine(scenario: String, message: String) throws {
        let run = try Self.guest.get()
        let status = run.status("\(scenario)/recastd.status")
        let stderr = run.text("\(scenario)/recastd.stderr")
        #expect(status != nil && status != 0 && status != 124, "exit status \(String(describing: status)) (124: it hung)")
        let lines = stderr.split(separator: "\n").filter { $0.contains(message) }
        #expect(lines.count == 1, "expected one line with \"\(message)\" in:\n\(stderr)")
    }

    /// The loopback must show vivid's test picture, not black and not a
    /// no-signal frame. vivid draws a changing caption over the top rows;
    /// below it the luma must match the frame captured straight from vivid.
    private func expectSamePicture(_ luma: [UInt8], as reference: [UInt8]) throws {
        try #require(luma.count == reference.count, "picture has \(luma.count) luma samples, expected \(reference.count)")
        let below = (Self.height / 4 * Self.width)..<luma.count
        let belowCaption = meanAbsoluteDifference(luma[below], reference[below])
        #expect(belowCaption < 1, "differs from vivid's picture by \(belowCaption) on average below the caption")
        #expect(meanAbsoluteDifference(luma[...], reference[...]) < 4)
        #expect(standardDeviation(luma) > 40, "a flat picture (black or no signal), not colour bars")
    }

    private func meanAbsoluteDifference(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    private func standardDeviation(_ samples: [UInt8]) -> Double {
        let mean = Double(samples.reduce(0) { $0 + Int($1) }) / Double(samples.count)
        let variance = samples.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(samples.count)
        return variance.squareRoot()
    }
}

/// The files recastd-scenarios.sh left in the share directory, read into
/// memory (the directory, tens of megabytes of raw video, is removed).
struct GuestResults: Sendable {
    enum RawFormat { case yuyv, i420 }

    /// Contents by path relative to the results directory ("camera/reader1.yuv").
    let files: [String: Data]

    static func boot() throws -> GuestResults {
        _ = try TestTools.tool("qemu-system-x86_64")
        let recastd = try TestTools.recastdPath
        let harness = TestTools.packageRoot.appendingPathComponent("tools/v4l2-vm")
        let share = try TestTools.temporaryDirectory("v4l2-vm")
        defer { try? FileManager.default.removeItem(at: share) }
        let started = Date()
        let (status, stdout, stderr) = try runTool(
            harness.appendingPathComponent("run-guest.sh").path,
            [share.path, harness.appendingPathComponent("recastd-scenarios.sh").path, recastd],
            timeout: 600)
        print("V4L2 guest: status \(status) after \(Int(Date().timeIntervalSince(started))) s; console:\n\(stdout)\(stderr)")
        guard status == 0 else {
            throw TestFailure("the V4L2 guest failed (status \(status); 2: missing package, 124: timeout):\n\(stderr)\n\(stdout.suffix(3000))")
        }
        let results = share.appendingPathComponent("results")
        var files: [String: Data] = [:]
        for case let url as URL in FileManager.default.enumerator(at: results, includingPropertiesForKeys: nil) ?? .init() {
            guard let data = try? Data(contentsOf: url) else { continue }
            files[String(url.path.dropFirst(results.path.count + 1))] = data
        }
        return GuestResults(files: files)
    }

    func data(_ path: String) throws -> Data {
        guard let data = files[path] else { throw TestFailure("the guest left no \(path)") }
        return data
    }

    func text(_ path: String) -> String {
        files[path].map { String(decoding: $0, as: UTF8.self) } ?? "(\(path) missing)"
    }

    func status(_ path: String) -> Int32? {
        Int32(text(path).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func lines(_ path: String) -> [String] {
        text(path).split(separator: "\n").map(String.init)
    }

    /// The hash column of an ffmpeg framemd5 file, one per frame.
    func frameHashes(_ path: String) -> [String] {
        text(path).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && $0.contains(",") }
            .compactMap { $0.split(separator: ",").last?.trimmingCharacters(in: .whitespaces) }
    }

    /// The luma samples of one raw 640×480 frame.
    func luma(_ path: String, format: RawFormat) throws -> [UInt8] {
        let bytes = [UInt8](try data(path))
        let samples = V4L2Tests.width * V4L2Tests.height
        switch format {
        case .yuyv:
            try #require(bytes.count == samples * 2, "\(path) holds \(bytes.count) bytes, not one YUYV frame")
            return stride(from: 0, to: bytes.count, by: 2).map { bytes[$0] }
        case .i420:
            try #require(bytes.count == samples * 3 / 2, "\(path) holds \(bytes.count) bytes, not one I420 frame")
            return Array(bytes[0..<samples])
        }
    }
}
