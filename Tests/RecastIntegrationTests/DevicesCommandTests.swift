import Testing

@Suite("recastd devices")
struct DevicesCommandTests {
    @Test("lists the Vulkan devices, lavapipe included, and says when there is no V4L2 device")
    func listsVulkanDevices() throws {
        let result = try runTool(TestTools.recastdPath, ["devices"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Vulkan devices"))
        #expect(result.stdout.contains("llvmpipe"), "lavapipe (mesa-vulkan-drivers) is not listed:\n\(result.stdout)")
        #expect(result.stdout.contains("16-bit storage yes"))
    }
}
