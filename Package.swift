// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Recast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "recastd", targets: ["recastd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg"),
        .systemLibrary(name: "CV4L2", path: "Sources/CV4L2", pkgConfig: "libv4l2",
                       providers: [.apt(["libv4l-dev"])]),
        .systemLibrary(name: "CVulkan", path: "Sources/CVulkan", pkgConfig: "vulkan",
                       providers: [.apt(["libvulkan-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .plugin(name: "ShaderCompilerPlugin", capability: .buildTool()),
        .target(
            name: "CRecastShims",
            dependencies: ["CFFmpeg", "CV4L2"],
            linkerSettings: [.linkedLibrary("avutil"), .linkedLibrary("v4l2")]
        ),
        .target(name: "CHalfFloat"),
        .target(name: "RecastSystem"),
        .target(
            name: "RecastMedia",
            dependencies: [
                "CFFmpeg", "CV4L2", "CRecastShims", "RecastSystem",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "RecastGPU", dependencies: ["CVulkan"]),
        .target(name: "RecastNN", dependencies: ["RecastGPU", "RecastSystem", "CHalfFloat"], plugins: ["ShaderCompilerPlugin"]),
        .target(name: "RecastSwap", dependencies: ["RecastNN", "RecastGPU", "RecastMedia"]),
        .target(
            name: "RecastDaemon",
            dependencies: [
                "RecastMedia", "RecastGPU", "RecastSwap",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "recastd",
            dependencies: [
                "RecastDaemon", "RecastMedia", "RecastGPU", "RecastNN", "RecastSwap", "COpenBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RecastMediaTests", dependencies: ["RecastMedia"]),
        .testTarget(name: "RecastDaemonTests", dependencies: ["RecastDaemon", "RecastMedia", "RecastSwap"]),
        .testTarget(name: "RecastGPUTests", dependencies: ["RecastGPU", "RecastNN"]),
        .testTarget(name: "RecastNNTests", dependencies: ["RecastNN", "RecastGPU", "CHalfFloat"]),
        .testTarget(name: "RecastModelTests", dependencies: ["RecastNN", "RecastGPU"]),
        .testTarget(name: "RecastSwapTests", dependencies: ["RecastSwap", "RecastNN", "RecastGPU", "RecastMedia"]),
        .testTarget(name: "RecastIntegrationTests", dependencies: ["RecastMedia", "RecastNN"]),
    ],
    swiftLanguageModes: [.v6]
)
