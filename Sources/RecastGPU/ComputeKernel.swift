import CVulkan
import Foundation

/// How a kernel uses one of its buffer bindings; the recorder derives barriers from it.
public enum BindingAccess: Sendable {
    /// Storage buffers.
    case read, write, readWrite
    /// Read-only, as a uniform texel buffer of 16-byte texels (`usamplerBuffer`, RGBA32UI).
    /// CPU implementations fetch texels with vector gathers, where a storage-buffer load is a
    /// bounds-checked loop over the SIMD lanes, one per 32-bit word.
    case texels
    /// Write-only, as a storage texel buffer of 16-byte texels (`uimageBuffer`, RGBA32UI): on
    /// CPU implementations one store a lane per texel instead of one per 32-bit word.
    case writeTexels

    var reads: Bool { self != .write && self != .writeTexels }
    var writes: Bool { self == .write || self == .readWrite || self == .writeTexels }
    /// Bound through a buffer view of RGBA32UI texels. The view covers at most the device's
    /// `maxTexelBufferElements` texels: a kernel must not access beyond that.
    var isTexelView: Bool { self == .texels || self == .writeTexels }
    var descriptorType: VkDescriptorType {
        switch self {
        case .read, .write, .readWrite: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
        case .texels: VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
        case .writeTexels: VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER
        }
    }
}

/// A compute pipeline built from SPIR-V with its specialization constants applied.
/// Binding i of descriptor set 0 is buffer i (see `BindingAccess`); shapes go in push constants.
/// `@unchecked Sendable`: all handles are immutable after init and destroyed only in deinit.
public final class ComputeKernel: @unchecked Sendable {
    let device: LogicalDevice
    public let name: String
    public let bindings: [BindingAccess]
    public let pushConstantBytes: Int
    let descriptorSetLayout: VkDescriptorSetLayout
    let pipelineLayout: VkPipelineLayout
    let pipeline: VkPipeline

    /// - Parameter specialization: constant_id → 32-bit value (ints, uints, bools and floats by bit pattern).
    init(
        device: LogicalDevice, cache: PipelineCache, name: String, spirv: [UInt32],
        bindings: [BindingAccess], pushConstantBytes: Int, specialization: [UInt32: UInt32]
    ) throws {
        guard spirv.first == 0x0723_0203 else {
            throw GPUError.invalidSPIRV(kernel: name, reason: "missing the SPIR-V magic number")
        }
        guard pushConstantBytes <= device.capabilities.maxPushConstantsSize else {
            throw GPUError.pushConstantsTooLarge(kernel: name, bytes: pushConstantBytes, limit: device.capabilities.maxPushConstantsSize)
        }
        self.device = device
        self.name = name
        self.bindings = bindings
        self.pushConstantBytes = pushConstantBytes

        var layoutBindings = bindings.enumerated().map { index, access in
            var binding = VkDescriptorSetLayoutBinding()
            binding.binding = UInt32(index)
            binding.descriptorType = access.descriptorType
            binding.descriptorCount = 1
            binding.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT.rawValue
            return binding
        }
        var setLayout: VkDescriptorSetLayout?
        var setInfo = VkDescriptorSetLayoutCreateInfo()
        setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO
        setInfo.bindingCount = UInt32(layoutBindings.count)
        try layoutBindings.withUnsafeMutableBufferPointer { pointer in
            setInfo.pBindings = UnsafePointer(pointer.baseAddress)
            try vkCheck(vkCreateDescriptorSetLayout(device.handle, &setInfo, nil, &setLayout), "vkCreateDescriptorSetLayout")
        }
        descriptorSetLayout = setLayout!

        var pushRange = VkPushConstantRange()
        pushRange.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT.rawValue
        pushRange.size = UInt32(pushConstantBytes)
        var pipelineLayout: VkPipelineLayout?
        var layoutInfo = VkPipelineLayoutCreateInfo()
        layoutInfo.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO
        layoutInfo.setLayoutCount = 1
        try withUnsafePointer(to: &setLayout) { setLayoutPointer in
            try withUnsafePointer(to: &pushRange) { rangePointer in
                layoutInfo.pSetLayouts = setLayoutPointer
                layoutInfo.pushConstantRangeCount = pushConstantBytes > 0 ? 1 : 0
                layoutInfo.pPushConstantRanges = pushConstantBytes > 0 ? rangePointer : nil
                try vkCheck(vkCreatePipelineLayout(device.handle, &layoutInfo, nil, &pipelineLayout), "vkCreatePipelineLayout")
            }
        }
        self.pipelineLayout = pipelineLayout!

        var module: VkShaderModule?
        var moduleInfo = VkShaderModuleCreateInfo()
        moduleInfo.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO
        moduleInfo.codeSize = spirv.count * 4
        try spirv.withUnsafeBufferPointer { code in
            moduleInfo.pCode = code.baseAddress
            try vkCheck(vkCreateShaderModule(device.handle, &moduleInfo, nil, &module), "vkCreateShaderModule(\(name))")
        }
        defer { vkDestroyShaderModule(device.handle, module, nil) }

        let sortedConstants = specialization.sorted { $0.key < $1.key }
        var entries = sortedConstants.enumerated().map { index, constant in
            VkSpecializationMapEntry(constantID: constant.key, offset: UInt32(index * 4), size: 4)
        }
        var values = sortedConstants.map(\.value)
        var pipeline: VkPipeline?
        try entries.withUnsafeMutableBufferPointer { entryPointer in
            try values.withUnsafeMutableBytes { valueBytes in
                var specializationInfo = VkSpecializationInfo()
                specializationInfo.mapEntryCount = UInt32(entryPointer.count)
                specializationInfo.pMapEntries = UnsafePointer(entryPointer.baseAddress)
                specializationInfo.dataSize = valueBytes.count
                specializationInfo.pData = UnsafeRawPointer(valueBytes.baseAddress)
                try withUnsafePointer(to: &specializationInfo) { specializationPointer in
                    try "main".withCString { entryName in
                        var stage = VkPipelineShaderStageCreateInfo()
                        stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
                        stage.stage = VK_SHADER_STAGE_COMPUTE_BIT
                        stage.module = module
                        stage.pName = entryName
                        stage.pSpecializationInfo = specializationPointer
                        var info = VkComputePipelineCreateInfo()
                        info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO
                        info.stage = stage
                        info.layout = pipelineLayout
                        try vkCheck(
                            vkCreateComputePipelines(device.handle, cache.handle, 1, &info, nil, &pipeline),
                            "vkCreateComputePipelines(\(name))")
                    }
                }
            }
        }
        self.pipeline = pipeline!
    }

    deinit {
        vkDestroyPipeline(device.handle, pipeline, nil)
        vkDestroyPipelineLayout(device.handle, pipelineLayout, nil)
        vkDestroyDescriptorSetLayout(device.handle, descriptorSetLayout, nil)
    }
}
