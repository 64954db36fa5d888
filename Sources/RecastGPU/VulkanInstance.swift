import CVulkan
import Foundation

/// Whether the Khronos validation layer is loaded.
public enum ValidationMode: Sendable {
    /// Off unless the environment sets RECAST_VULKAN_VALIDATION=1.
    case fromEnvironment
    case disabled
    /// Fails with `GPUError.validationLayerUnavailable` when the layer is not installed.
    case required
}

/// Owns a VkInstance and, when validation is on, its debug messenger.
/// `@unchecked Sendable`: the handles are immutable after init, and vkDestroy* runs only in deinit.
public final class VulkanInstance: @unchecked Sendable {
    static let validationLayerName = "VK_LAYER_KHRONOS_validation"
    static let debugUtilsExtensionName = "VK_EXT_debug_utils"

    let handle: VkInstance
    private var messenger: VkDebugUtilsMessengerEXT?
    public let validationEnabled: Bool
    public let messages = ValidationMessageLog()

    public init(validation: ValidationMode = .fromEnvironment) throws {
        let wantValidation: Bool
        switch validation {
        case .disabled: wantValidation = false
        case .required: wantValidation = true
        case .fromEnvironment: wantValidation = ProcessInfo.processInfo.environment["RECAST_VULKAN_VALIDATION"] == "1"
        }
        let layerAvailable = try Self.availableLayers().contains(Self.validationLayerName)
        if validation == .required && !layerAvailable {
            throw GPUError.validationLayerUnavailable
        }
        validationEnabled = wantValidation && layerAvailable
        let debugUtilsAvailable = try Self.availableExtensions().contains(Self.debugUtilsExtensionName)
        let layers = validationEnabled ? [Self.validationLayerName] : []
        let extensions = debugUtilsAvailable ? [Self.debugUtilsExtensionName] : []
        if validation == .required && !debugUtilsAvailable {
            throw GPUError.missingRequiredFeature(device: "Vulkan loader", feature: Self.debugUtilsExtensionName)
        }

        var appInfo = VkApplicationInfo()
        appInfo.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
        appInfo.apiVersion = VulkanVersion(major: 1, minor: 3).packed

        var instance: VkInstance?
        try withUnsafePointer(to: &appInfo) { appInfoPointer in
            try withCStringArray(layers) { layerNames in
                try withCStringArray(extensions) { extensionNames in
                    var info = VkInstanceCreateInfo()
                    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                    info.pApplicationInfo = appInfoPointer
                    info.enabledLayerCount = UInt32(layers.count)
                    info.ppEnabledLayerNames = layerNames
                    info.enabledExtensionCount = UInt32(extensions.count)
                    info.ppEnabledExtensionNames = extensionNames
                    try vkCheck(vkCreateInstance(&info, nil, &instance), "vkCreateInstance")
                }
            }
        }
        handle = instance!
        if debugUtilsAvailable && validationEnabled {
            messenger = try createMessenger()
        }
    }

    deinit {
        if let messenger, let destroy = instanceFunction("vkDestroyDebugUtilsMessengerEXT", as: PFN_vkDestroyDebugUtilsMessengerEXT.self) {
            destroy(handle, messenger, nil)
        }
        vkDestroyInstance(handle, nil)
    }

    /// The physical devices, in the loader's order (that order is what RECAST_VULKAN_DEVICE=index refers to).
    func physicalDevices() throws -> [VkPhysicalDevice] {
        var count: UInt32 = 0
        try vkCheck(vkEnumeratePhysicalDevices(handle, &count, nil), "vkEnumeratePhysicalDevices")
        var devices = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        try vkCheck(vkEnumeratePhysicalDevices(handle, &count, &devices), "vkEnumeratePhysicalDevices")
        return devices.prefix(Int(count)).compactMap { $0 }
    }

    private func instanceFunction<F>(_ name: String, as type: F.Type) -> F? {
        guard let function = vkGetInstanceProcAddr(handle, name) else { return nil }
        return unsafeBitCast(function, to: type)
    }

    private func createMessenger() throws -> VkDebugUtilsMessengerEXT? {
        guard let create = instanceFunction("vkCreateDebugUtilsMessengerEXT", as: PFN_vkCreateDebugUtilsMessengerEXT.self) else {
            throw GPUError.missingRequiredFeature(device: "Vulkan loader", feature: "vkCreateDebugUtilsMessengerEXT")
        }
        var info = VkDebugUtilsMessengerCreateInfoEXT()
        info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
        info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue
        info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue
            | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue
        info.pfnUserCallback = { severity, _, callbackData, userData in
            guard let userData else { return 0 }
            let log = Unmanaged<ValidationMessageLog>.fromOpaque(userData).takeUnretainedValue()
            let text = callbackData?.pointee.pMessage.map { String(cString: $0) } ?? ""
            let level: ValidationMessage.Severity =
                severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue != 0 ? .error
                : severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue != 0 ? .warning
                : .info
            log.record(ValidationMessage(severity: level, text: text))
            return 0
        }
        // The log lives as long as this instance, which outlives the messenger.
        info.pUserData = Unmanaged.passUnretained(messages).toOpaque()
        var messenger: VkDebugUtilsMessengerEXT?
        try vkCheck(create(handle, &info, nil, &messenger), "vkCreateDebugUtilsMessengerEXT")
        return messenger
    }

    private static func availableLayers() throws -> Set<String> {
        var count: UInt32 = 0
        try vkCheck(vkEnumerateInstanceLayerProperties(&count, nil), "vkEnumerateInstanceLayerProperties")
        var properties = [VkLayerProperties](repeating: VkLayerProperties(), count: Int(count))
        try vkCheck(vkEnumerateInstanceLayerProperties(&count, &properties), "vkEnumerateInstanceLayerProperties")
        return Set(properties.prefix(Int(count)).map { stringFromCCharTuple($0.layerName) })
    }

    private static func availableExtensions() throws -> Set<String> {
        var count: UInt32 = 0
        try vkCheck(vkEnumerateInstanceExtensionProperties(nil, &count, nil), "vkEnumerateInstanceExtensionProperties")
        var properties = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
        try vkCheck(vkEnumerateInstanceExtensionProperties(nil, &count, &properties), "vkEnumerateInstanceExtensionProperties")
        return Set(properties.prefix(Int(count)).map { stringFromCCharTuple($0.extensionName) })
    }
}
