import Foundation

/// Picks the device to run on: RECAST_VULKAN_DEVICE (an index or part of a name) when set,
/// otherwise the most capable kind (discrete > integrated > virtual > CPU) that qualifies.
public struct DeviceSelector: Sendable {
    public var override: String?
    public var requirements: DeviceRequirements

    public init(override: String? = nil, requirements: DeviceRequirements = DeviceRequirements()) {
        self.override = override
        self.requirements = requirements
    }

    /// Returns the index into `devices` to use, or throws naming why none fits.
    public func select(from devices: [DeviceCapabilities]) throws -> Int {
        guard !devices.isEmpty else { throw GPUError.noVulkanDevice }
        if let override, !override.isEmpty {
            let chosen: Int
            if let index = Int(override), devices.indices.contains(index) {
                chosen = index
            } else if let index = devices.firstIndex(where: { $0.name.localizedCaseInsensitiveContains(override) }) {
                chosen = index
            } else {
                throw GPUError.deviceOverrideNotFound(override: override, available: devices.map(\.name))
            }
            if let missing = requirements.missingFeature(in: devices[chosen]) {
                throw GPUError.missingRequiredFeature(device: devices[chosen].name, feature: missing)
            }
            return chosen
        }
        let qualifying = devices.indices.filter { requirements.missingFeature(in: devices[$0]) == nil }
        guard let best = qualifying.min(by: { devices[$0].type.preferenceRank < devices[$1].type.preferenceRank }) else {
            if devices.count == 1, let missing = requirements.missingFeature(in: devices[0]) {
                throw GPUError.missingRequiredFeature(device: devices[0].name, feature: missing)
            }
            throw GPUError.noSuitableDevice(reasons: devices.map {
                "\($0.name): missing \(requirements.missingFeature(in: $0) ?? "nothing")"
            })
        }
        return best
    }
}
