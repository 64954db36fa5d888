@testable import RecastGPU
import Testing

@Suite("Device selection and capability probe")
struct DeviceSelectionTests {
    func device(_ name: String, _ type: VulkanDeviceType, sharedMemory: Int = 32768) -> DeviceCapabilities {
        DeviceCapabilities(
            name: name, type: type, apiVersion: VulkanVersion(major: 1, minor: 3), driverName: "test", driverInfo: "",
            vendorID: 0, deviceID: 0, pipelineCacheUUID: [], storageBuffer16BitAccess: true, shaderFloat16: false,
            subgroupSize: 32, maxComputeSharedMemorySize: sharedMemory, maxStorageBufferRange: 1 << 27,
            maxComputeWorkGroupInvocations: 1024, maxPushConstantsSize: 128, minStorageBufferOffsetAlignment: 64,
            minTexelBufferOffsetAlignment: 16, maxTexelBufferElements: 1 << 27,
            cooperativeMatrix: false, timestampPeriod: 1, computeQueueFamily: 0, computeQueueTimestamps: true)
    }

    @Test func prefersDiscreteThenIntegratedThenVirtualThenCPU() throws {
        let devices = [device("llvmpipe", .cpu), device("virtio", .virtual), device("iGPU", .integrated), device("dGPU", .discrete)]
        #expect(try DeviceSelector().select(from: devices) == 3)
        #expect(try DeviceSelector().select(from: Array(devices.prefix(3))) == 2)
        #expect(try DeviceSelector().select(from: Array(devices.prefix(2))) == 1)
        #expect(try DeviceSelector().select(from: Array(devices.prefix(1))) == 0)
    }

    @Test func overrideByIndexOrName() throws {
        let devices = [device("llvmpipe (LLVM 15)", .cpu), device("NVIDIA GeForce", .discrete)]
        #expect(try DeviceSelector(override: "0").select(from: devices) == 0)
        #expect(try DeviceSelector(override: "LLVMPIPE").select(from: devices) == 0)
        #expect(try DeviceSelector(override: "geforce").select(from: devices) == 1)
        #expect(throws: GPUError.deviceOverrideNotFound(override: "radeon", available: devices.map(\.name))) {
            try DeviceSelector(override: "radeon").select(from: devices)
        }
    }

    @Test func refusesDeviceLackingFeatureAndNamesIt() throws {
        let small = device("tiny", .discrete, sharedMemory: 8192)
        let error = #expect(throws: GPUError.self) { try DeviceSelector().select(from: [small]) }
        #expect(error?.description.contains("maxComputeSharedMemorySize") == true)
        #expect(error?.description.contains("tiny") == true)
        // A lesser device that qualifies wins over a better one that does not.
        #expect(try DeviceSelector().select(from: [small, device("llvmpipe", .cpu)]) == 1)
        let overridden = #expect(throws: GPUError.self) { try DeviceSelector(override: "tiny").select(from: [small, device("llvmpipe", .cpu)]) }
        #expect(overridden?.description.contains("maxComputeSharedMemorySize") == true)
    }

    @Test func listsAvailableDevicesWithKeyLimits() throws {
        let devices = try VulkanDeviceSummary.availableDevices()
        #expect(!devices.isEmpty)
        for summary in devices {
            #expect(summary.description.contains(summary.name))
            #expect(summary.capabilities.maxStorageBufferRange > 0)
            #expect(summary.apiVersion >= VulkanVersion(major: 1, minor: 0))
        }
    }

    @Test func probesTheSelectedDevice() throws {
        let context = try testContext()
        let capabilities = context.capabilities
        #expect(capabilities.subgroupSize >= 1)
        #expect(capabilities.maxComputeSharedMemorySize >= 16384)
        #expect(capabilities.maxStorageBufferRange >= 1 << 20)
        #expect(capabilities.computeQueueFamily != nil)
        #expect(context.instance.validationEnabled)
        expectNoValidationErrors(context)
    }
}
