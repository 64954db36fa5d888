import CVulkan

/// Errors from the Vulkan runtime. Each message says what failed and what to do.
public enum GPUError: Error, CustomStringConvertible, Equatable {
    case vulkanCallFailed(call: String, result: Int32)
    case noVulkanDevice
    case noSuitableDevice(reasons: [String])
    case deviceOverrideNotFound(override: String, available: [String])
    case missingRequiredFeature(device: String, feature: String)
    case validationLayerUnavailable
    case exceedsBindingLimit(requestedBytes: Int, limitBytes: Int)
    case noCompatibleMemoryType(purpose: String)
    case invalidSPIRV(kernel: String, reason: String)
    case pushConstantsTooLarge(kernel: String, bytes: Int, limit: Int)
    case bindingCountMismatch(kernel: String, expected: Int, got: Int)
    case transferSizeMismatch(bufferBytes: Int, dataBytes: Int)
    case timestampsUnavailable(device: String)

    public var description: String {
        switch self {
        case let .vulkanCallFailed(call, result):
            return "\(call) failed with VkResult \(result) (\(vulkanResultName(result)))"
        case .noVulkanDevice:
            return "no Vulkan device found; install a Vulkan driver (for a CPU fallback: apt-get install mesa-vulkan-drivers)"
        case let .noSuitableDevice(reasons):
            return "no Vulkan device meets Recast's requirements: " + reasons.joined(separator: "; ")
        case let .deviceOverrideNotFound(override, available):
            return "RECAST_VULKAN_DEVICE=\(override) matches no device; available: "
                + available.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", ")
        case let .missingRequiredFeature(device, feature):
            return "Vulkan device '\(device)' lacks required feature: \(feature)"
        case .validationLayerUnavailable:
            return "VK_LAYER_KHRONOS_validation is not installed (apt-get install vulkan-validationlayers)"
        case let .exceedsBindingLimit(requested, limit):
            return "a buffer of \(requested) bytes exceeds the device's storage-buffer binding limit of \(limit) bytes; split the tensor"
        case let .noCompatibleMemoryType(purpose):
            return "the Vulkan device has no memory type usable for \(purpose)"
        case let .invalidSPIRV(kernel, reason):
            return "kernel '\(kernel)': invalid SPIR-V (\(reason)); rebuild so the shader plugin regenerates it"
        case let .pushConstantsTooLarge(kernel, bytes, limit):
            return "kernel '\(kernel)': \(bytes) bytes of push constants exceed the device limit of \(limit)"
        case let .bindingCountMismatch(kernel, expected, got):
            return "kernel '\(kernel)' takes \(expected) buffers but \(got) were bound"
        case let .transferSizeMismatch(bufferBytes, dataBytes):
            return "transfer of \(dataBytes) bytes does not fit a buffer of \(bufferBytes) bytes"
        case let .timestampsUnavailable(device):
            return "Vulkan device '\(device)' cannot write timestamps from its compute queue"
        }
    }
}

func vulkanResultName(_ result: Int32) -> String {
    switch VkResult(rawValue: result) {
    case VK_SUCCESS: "VK_SUCCESS"
    case VK_NOT_READY: "VK_NOT_READY"
    case VK_TIMEOUT: "VK_TIMEOUT"
    case VK_INCOMPLETE: "VK_INCOMPLETE"
    case VK_ERROR_OUT_OF_HOST_MEMORY: "VK_ERROR_OUT_OF_HOST_MEMORY"
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: "VK_ERROR_OUT_OF_DEVICE_MEMORY"
    case VK_ERROR_INITIALIZATION_FAILED: "VK_ERROR_INITIALIZATION_FAILED"
    case VK_ERROR_DEVICE_LOST: "VK_ERROR_DEVICE_LOST"
    case VK_ERROR_LAYER_NOT_PRESENT: "VK_ERROR_LAYER_NOT_PRESENT"
    case VK_ERROR_EXTENSION_NOT_PRESENT: "VK_ERROR_EXTENSION_NOT_PRESENT"
    case VK_ERROR_FEATURE_NOT_PRESENT: "VK_ERROR_FEATURE_NOT_PRESENT"
    case VK_ERROR_INCOMPATIBLE_DRIVER: "VK_ERROR_INCOMPATIBLE_DRIVER"
    default: "unknown"
    }
}

/// Throws `GPUError.vulkanCallFailed` unless `result` is VK_SUCCESS.
@inline(__always)
func vkCheck(_ result: VkResult, _ call: String) throws {
    guard result == VK_SUCCESS else {
        throw GPUError.vulkanCallFailed(call: call, result: result.rawValue)
    }
}
