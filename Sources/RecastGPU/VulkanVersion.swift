/// A packed Vulkan API version (VK_MAKE_API_VERSION, which Swift cannot import).
public struct VulkanVersion: Sendable, Comparable, CustomStringConvertible {
    public let packed: UInt32

    public init(packed: UInt32) { self.packed = packed }

    public init(major: UInt32, minor: UInt32, patch: UInt32 = 0) {
        packed = (major << 22) | (minor << 12) | patch
    }

    public var major: UInt32 { (packed >> 22) & 0x7F }
    public var minor: UInt32 { (packed >> 12) & 0x3FF }
    public var patch: UInt32 { packed & 0xFFF }
    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
