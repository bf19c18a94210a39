// swift-tools-version: 6.1
import PackageDescription

/// The fuzz targets: one libFuzzer executable `fuzz-NAME` each (see FuzzTarget in Tests/WeightPackTests).
let targetNames = [
    "safetensors", "npy", "npz", "gguf", "wpk", "wpk-payload", "wpk-index", "huffman", "zstd", "lz4",
    "quant", "prune", "cluster", "ecsq", "ggml", "lowrank", "shuffle",
]

// A separate package, so that `swift test` of WeightPack never resolves or builds it. Build (scripts/fuzz.sh does):
//   swift build --package-path Fuzz --scratch-path .build-fuzz-pkg -c release \
//     -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
let package = Package(
    name: "WeightPackFuzz",
    dependencies: [
        // name: is required: a path dependency's identity is its folder's name, which a clone may change.
        .package(name: "WeightPack", path: "..")
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        // The entry points are the test suite's own files (symbolic links), so both fuzz the same code.
        .target(
            name: "FuzzTargets",
            dependencies: [
                "CLibFuzzer", .product(name: "WeightPack", package: "WeightPack"),
                .product(name: "TensorCore", package: "WeightPack"),
            ]),
    ]
        + targetNames.map { name in
            .executableTarget(
                name: "fuzz-\(name)", dependencies: ["FuzzTargets"], path: "Sources/Executables/fuzz-\(name)")
        }
)
