import CVulkan
import Foundation

/// A VkPipelineCache persisted on disk, one file per driver build (keyed by pipelineCacheUUID),
/// so the driver's shader compilation is paid once per machine rather than once per start.
/// `@unchecked Sendable`: Vulkan synchronizes pipeline creation against a cache internally;
/// `save` only reads the cache.
public final class PipelineCache: @unchecked Sendable {
    let device: LogicalDevice
    let handle: VkPipelineCache
    /// Where the cache is read from and saved to; nil keeps it in memory only.
    public let fileURL: URL?
    /// Bytes of cache data loaded from disk at creation (0 when there was none).
    public let loadedBytes: Int

    /// `$XDG_CACHE_HOME/recast/pipelines`, or `~/.cache/recast/pipelines` without it.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let cacheHome = environment["XDG_CACHE_HOME"], cacheHome.hasPrefix("/") {
            return URL(fileURLWithPath: cacheHome).appending(path: "recast/pipelines")
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return URL(fileURLWithPath: home).appending(path: ".cache/recast/pipelines")
    }

    init(device: LogicalDevice, directory: URL?) throws {
        self.device = device
        let uuid = device.capabilities.pipelineCacheUUID.map { String(format: "%02x", $0) }.joined()
        fileURL = directory?.appending(path: "\(uuid).bin")
        // The driver checks the header (vendor, device, UUID) and ignores data it cannot use.
        let initialData = fileURL.flatMap { try? Data(contentsOf: $0) } ?? Data()
        var cache: VkPipelineCache?
        try initialData.withUnsafeBytes { bytes in
            var info = VkPipelineCacheCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO
            info.initialDataSize = bytes.count
            info.pInitialData = bytes.baseAddress
            try vkCheck(vkCreatePipelineCache(device.handle, &info, nil, &cache), "vkCreatePipelineCache")
        }
        handle = cache!
        loadedBytes = initialData.count
    }

    deinit {
        try? save()
        vkDestroyPipelineCache(device.handle, handle, nil)
    }

    /// Writes the cache to `fileURL` atomically (a crash never leaves a truncated cache).
    public func save() throws {
        guard let fileURL else { return }
        var size = 0
        try vkCheck(vkGetPipelineCacheData(device.handle, handle, &size, nil), "vkGetPipelineCacheData")
        var data = Data(count: size)
        try data.withUnsafeMutableBytes { bytes in
            try vkCheck(vkGetPipelineCacheData(device.handle, handle, &size, bytes.baseAddress), "vkGetPipelineCacheData")
        }
        try FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.prefix(size).write(to: fileURL, options: .atomic)
    }
}
