import Foundation
import Glibc

/// The V4L2 nodes on this machine, as `recastd devices` shows them.
public struct V4L2DeviceCatalog: Sendable {
    public struct CaptureDevice: Sendable {
        public var path: String
        public var card: String
        public var driver: String
        public var busInfo: String
        public var formats: [V4L2FormatDescription]

        /// What `recastd run` asks this camera for when no size is given.
        public var chosenFormat: String? {
            V4L2FormatNegotiation.plan(offered: formats, requestedSize: nil).map { plan in
                plan.isConverted ? "\(plan.source), converted to \(plan.request) by libv4lconvert" : "\(plan.request)"
            }
        }
    }

    public struct LoopbackDevice: Sendable {
        public var path: String
        /// The label given with card_label= ("Recast Camera").
        public var card: String
        /// Another program is writing to it (with exclusive_caps=1 it then offers capture only).
        public var hasWriter: Bool
    }

    /// A node that could not be queried, and why.
    public struct Unreadable: Sendable {
        public var path: String
        public var reason: String
    }

    public var captureDevices: [CaptureDevice] = []
    public var loopbackDevices: [LoopbackDevice] = []
    public var unreadable: [Unreadable] = []

    public var isEmpty: Bool { captureDevices.isEmpty && loopbackDevices.isEmpty && unreadable.isEmpty }

    /// Queries every /dev/videoN node. Nodes that neither capture nor are
    /// loopbacks (metadata nodes of UVC cameras, codecs) are left out.
    public static func scan(directory: String = "/dev") -> V4L2DeviceCatalog {
        var catalog = V4L2DeviceCatalog()
        for path in videoNodes(in: directory) {
            do {
                let device = try V4L2DeviceHandle(path: path, access: .direct, flags: O_RDWR | O_NONBLOCK)
                let capabilities = try device.capabilities()
                if capabilities.isLoopback {
                    catalog.loopbackDevices.append(LoopbackDevice(
                        path: path, card: capabilities.card, hasWriter: !capabilities.canOutput))
                } else if capabilities.canCapture {
                    catalog.captureDevices.append(CaptureDevice(
                        path: path, card: capabilities.card, driver: capabilities.driver,
                        busInfo: capabilities.busInfo, formats: try device.captureFormats(withFrameRates: true)))
                }
            } catch {
                catalog.unreadable.append(Unreadable(path: path, reason: error.description))
            }
        }
        return catalog
    }

    /// `videoN` entries sorted by N.
    static func videoNodes(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names
            .compactMap { name -> (Int, String)? in
                guard name.hasPrefix("video"), let number = Int(name.dropFirst("video".count)) else { return nil }
                return (number, "\(directory)/\(name)")
            }
            .sorted { $0.0 < $1.0 }
            .map(\.1)
    }
}
