import ArgumentParser
import RecastGPU
import RecastMedia

/// `recastd devices`: what can be used as --input and --output on this machine.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List V4L2 cameras (with formats and sizes), v4l2loopback outputs and Vulkan devices."
    )

    func run() throws {
        listVideoDevices()
        listVulkanDevices()
    }

    private func listVulkanDevices() {
        print("Vulkan devices (the first usable one is chosen; RECAST_VULKAN_DEVICE=index|name overrides):")
        do {
            let devices = try VulkanDeviceSummary.availableDevices()
            if devices.isEmpty { print("  none: install a Vulkan driver (mesa-vulkan-drivers provides lavapipe on the CPU)") }
            for device in devices {
                print(device.description.split(separator: "\n").map { "  \($0)" }.joined(separator: "\n"))
            }
        } catch {
            print("  none usable: \(error)")
        }
    }

    private func listVideoDevices() {
        let catalog = V4L2DeviceCatalog.scan()
        if catalog.isEmpty {
            print("no V4L2 devices found (no /dev/video* nodes): plug in a camera, or load v4l2loopback for a virtual camera")
            return
        }
        print("V4L2 capture devices:")
        if catalog.captureDevices.isEmpty { print("  none") }
        for device in catalog.captureDevices {
            print("  \(device.path)  \(device.card)  (driver \(device.driver), \(device.busInfo))")
            if let chosen = device.chosenFormat { print("    recastd uses: \(chosen)") }
            // Cameras often offer many formats at the same sizes: each size list is printed once.
            for group in groupedBySizes(device.formats) {
                let names = group.formats.map { $0.isCompressed ? "\($0.fourCC) (decoded)" : "\($0.fourCC)" }
                print("    \(names.joined(separator: ", ")): \(describe(group.sizes))")
            }
        }
        print("v4l2loopback outputs:")
        if catalog.loopbackDevices.isEmpty { print("  none (load v4l2loopback: see systemd/ for the modprobe files)") }
        for device in catalog.loopbackDevices {
            let state = device.hasWriter ? "in use: another program is writing to it" : "free"
            print("  \(device.path)  \(device.card)  (\(state))")
        }
        if !catalog.unreadable.isEmpty { print("nodes that could not be queried:") }
        for device in catalog.unreadable {
            print("  \(device.reason)")
        }
    }

    private func groupedBySizes(_ formats: [V4L2FormatDescription]) -> [(sizes: V4L2FrameSizes, formats: [V4L2FormatDescription])] {
        var groups: [(sizes: V4L2FrameSizes, formats: [V4L2FormatDescription])] = []
        for format in formats {
            if let index = groups.firstIndex(where: { $0.sizes == format.sizes }) {
                groups[index].formats.append(format)
            } else {
                groups.append((format.sizes, [format]))
            }
        }
        return groups
    }

    private func describe(_ sizes: V4L2FrameSizes) -> String {
        switch sizes {
        case .discrete(let sizes):
            return sizes.map { size in
                guard let fastest = size.framesPerSecond.max(), let slowest = size.framesPerSecond.min() else { return "\(size)" }
                let rates = fastest == slowest ? rate(fastest) : "\(rate(slowest))-\(rate(fastest))"
                return "\(size) (\(rates) fps)"
            }.joined(separator: ", ")
        case .range(let range):
            return "\(range)"
        case .unlisted:
            return "sizes not listed by the driver"
        }
    }

    /// 30, 12.5, 29.97.
    private func rate(_ framesPerSecond: Double) -> String {
        let hundredths = (framesPerSecond * 100).rounded()
        if hundredths.truncatingRemainder(dividingBy: 100) == 0 { return String(Int(hundredths / 100)) }
        return String(hundredths / 100)
    }
}
