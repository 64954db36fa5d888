import Foundation
import Logging
import Testing
@testable import RecastMedia

/// What a user sees for paths that are not usable devices; these need no V4L2
/// in the kernel (the V4L2 integration tests cover real devices in a VM).
@Suite struct V4L2DeviceErrorTests {
    private let logger = Logger(label: "test")

    @Test func missingCameraNamesThePath() {
        let camera = V4L2Camera(path: "/dev/video-recast-missing", requestedSize: nil, requestedFPS: nil, logger: logger)
        #expect(throws: V4L2Error.notFound(path: "/dev/video-recast-missing")) { try camera.open() }
        #expect(V4L2Error.notFound(path: "/dev/video9").description
            == "/dev/video9 does not exist: check the device path (`recastd devices` lists the V4L2 devices present)")
    }

    @Test func nodeThatIsNotV4L2IsSaidToBeSo() {
        let camera = V4L2Camera(path: "/dev/null", requestedSize: (640, 480), requestedFPS: 30, logger: logger)
        #expect(throws: V4L2Error.notV4L2Device(path: "/dev/null")) { try camera.open() }
        let sink = LoopbackSink(path: "/dev/null", logger: logger)
        #expect(throws: V4L2Error.notV4L2Device(path: "/dev/null")) {
            try sink.open(video: VideoStreamFormat(width: 640, height: 480, framesPerSecond: 30), audio: nil)
        }
    }

    @Test func messagesSayWhatToDo() {
        #expect(V4L2Error.busy(path: "/dev/video3").description.hasPrefix("/dev/video3 is busy: another program is capturing from it"))
        #expect(V4L2Error.notLoopbackOutput(path: "/dev/video0", driver: "vivid").description
            .hasPrefix("/dev/video0 is not a v4l2loopback output device (driver: vivid)"))
        #expect(V4L2Error.notCaptureDevice(path: "/dev/video10", driver: "v4l2 loopback").description
            .contains("no program is writing to this loopback"))
    }

    @Test func fourCCsPrintAsText() {
        #expect(V4L2FourCC.yuyv.description == "YUYV")
        #expect(V4L2FourCC.mjpeg.description == "MJPG")
        #expect(V4L2FourCC(rawValue: 0x2036_3159 | 1 << 31).description == "Y16-BE")
        #expect(PixelFormat.allCases.allSatisfy { V4L2FourCC($0).pixelFormat == $0 })
    }

    @Test func catalogScansVideoNodesInNumericOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recast-v4l2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["video10", "video2", "videox", "vbi0"] {
            FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data())
        }
        let catalog = V4L2DeviceCatalog.scan(directory: directory.path)
        #expect(catalog.unreadable.map(\.path) == ["video2", "video10"].map { directory.appendingPathComponent($0).path })
        #expect(catalog.unreadable.allSatisfy { $0.reason.hasSuffix("is not a V4L2 video device") })
        #expect(catalog.captureDevices.isEmpty && catalog.loopbackDevices.isEmpty)
    }

    @Test func thisHostHasNoVideoNodesOrListsThem() {
        // The build machine's kernel has no V4L2: an empty catalog, not an error.
        let catalog = V4L2DeviceCatalog.scan()
        #expect(catalog.isEmpty == V4L2DeviceCatalog.videoNodes(in: "/dev").isEmpty)
    }
}
