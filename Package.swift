// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "WeightPack",
    products: [
        .library(name: "WeightPack", targets: ["WeightPack"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .executable(name: "weightpack", targets: ["weightpack"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(
            name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),
        .systemLibrary(
            name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"]), .brew(["xxhash"])]),
        .systemLibrary(
            name: "CLapack", pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev", "libopenblas-dev"]), .brew(["lapack", "openblas"])]),
        .target(name: "TensorCore", exclude: ["README.md"]),
        .target(
            name: "Formats",
            dependencies: ["TensorCore", "CXXHash", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["README.md"]),
        .target(
            name: "Codecs", dependencies: ["TensorCore", "CZstd", "CLZ4"], exclude: ["README.md"]),
        .target(
            name: "Transforms", dependencies: ["TensorCore", "CLapack"], exclude: ["README.md"]),
        .target(
            name: "WeightPack", dependencies: ["TensorCore", "Formats", "Codecs", "Transforms"],
            exclude: ["README.md"]),
        .executableTarget(
            name: "weightpack",
            dependencies: [
                "WeightPack", "TensorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "weightpack-bench", dependencies: ["WeightPack", "Transforms", "Codecs", "TensorCore"],
            path: "bench/kernels"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "TestSupport"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "TensorCore", "TestSupport"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "TensorCore", "TestSupport"]),
        .testTarget(name: "TransformsTests", dependencies: ["Transforms", "TensorCore", "TestSupport"]),
        .testTarget(name: "WeightPackTests", dependencies: ["WeightPack", "Formats", "TensorCore", "TestSupport"]),
    ]
)
