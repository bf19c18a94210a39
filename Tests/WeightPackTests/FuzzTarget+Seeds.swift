import Codecs
import Foundation
import TensorCore
import Transforms
import WeightPack

extension FuzzTarget {
    /// Recipe arguments whose encoded output seeds each stage target: every format, packing and index kind.
    static let stageArguments: [FuzzTarget: [[String]]] = [
        .quant: [
            ["int8"], ["int4", "group=32"], ["int8", "asym", "per_tensor", "scale=f16", "packing=bytes"],
            ["int4", "asym", "group=16"], ["int4", "per_channel", "packing=bits"],
        ],
        .prune: [["0.5"], ["0.9", "index=bitmap"], ["0.3", "index=relative"], ["0.99"], ["0"]],
        .cluster: [["4bit"], ["2bit", "codebook=f16", "packing=bits"], ["8bit", "packing=bytes"], ["1bit"]],
        .ecsq: [["rel=0.1"], ["step=0.05"], ["snr=30"]],
        .ggml: [["q8_0"], ["q4_0"], ["q4_1"], ["q5_0"], ["q5_1"]],
        .lowrank: [["rank=2"], ["energy=0.9"], ["rank=1"]],
    ]

    /// Seeded values in `-1...1` (a fixed linear congruential sequence), with a few zeros.
    static func sampleValues(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { position in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return position % 7 == 0 ? 0 : Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
    }

    /// The inputs to start from: the committed fixtures of this target's format (when `fixtures` is given, the
    /// `fixtures/` folder) and inputs encoded here from valid data. Deterministic. Saved failing inputs are not
    /// among them (see ``savedInputs(fixtures:)``).
    func seeds(fixtures: URL?) -> [[UInt8]] {
        var seeds = generatedSeeds()
        if let fixtures, let fileExtension, self != .wpkIndex {
            seeds += Self.files(under: fixtures, extension: fileExtension, excluding: "fuzz-corpus")
        }
        return seeds
    }

    /// The inputs saved in `fixtures/fuzz-corpus/<target>/` because they once made this target fail, with their
    /// file names, in name order.
    func savedInputs(fixtures: URL) -> [(name: String, bytes: [UInt8])] {
        let folder = fixtures.appendingPathComponent("fuzz-corpus/\(rawValue)")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter {
            !$0.hasPrefix(".")
        }.sorted()
        return names.compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, [UInt8]($0)) }
        }
    }

    /// The seeds built in memory from valid data.
    func generatedSeeds() -> [[UInt8]] {
        switch self {
        case .safetensors, .npy, .npz, .gguf: return []
        case .wpk: return FuzzContainers.templates.map(\.bytes)
        case .wpkPayload:
            return FuzzContainers.payloadSlots.indices.map { [UInt8($0 % 256)] + FuzzContainers.payload(of: $0) }
        case .wpkIndex:
            return FuzzContainers.templates.indices.map { [UInt8($0)] + FuzzContainers.indexBytes(of: $0) }
        case .huffman, .zstd, .lz4: return codecSeeds()
        case .shuffle: return shuffleSeeds()
        case .quant, .prune, .cluster, .ecsq, .ggml, .lowrank: return stageSeeds()
        }
    }

    /// Sample section contents: empty, one symbol, all equal, skewed small integers, random, float bytes.
    private static func codecInputs() -> [[UInt8]] {
        let floats = sampleValues(512, seed: 3).flatMap { value in
            withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
        }
        return [
            [], [7], [UInt8](repeating: 42, count: 4096), (0..<4096).map { UInt8(($0 * $0 / 97) % 5) },
            (0..<2048).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }, floats,
        ]
    }

    private func codecSeeds() -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        for input in Self.codecInputs() {
            input.withUnsafeBytes { raw in
                switch self {
                case .huffman:
                    for (selector, width) in HuffmanCodec.supportedWidths.enumerated() where input.count % width == 0 {
                        if let frame = try? HuffmanCodec(width: width).encode(raw) {
                            seeds.append([UInt8(selector)] + Self.codecPrefix(decodedByteCount: input.count) + frame)
                        }
                    }
                case .zstd:
                    if let frame = try? ZstdCodec(level: 3).encode(raw) {
                        seeds.append(Self.codecPrefix(decodedByteCount: input.count) + frame)
                    }
                default:
                    if let frame = try? LZ4Codec().encode(raw) {
                        seeds.append(Self.codecPrefix(decodedByteCount: input.count) + frame)
                    }
                }
            }
        }
        return seeds
    }

    private func stageSeeds() -> [[UInt8]] {
        guard let type = StageRegistry.standard.transform(named: rawValue) else { return [] }
        var seeds: [[UInt8]] = []
        for arguments in Self.stageArguments[self] ?? [] {
            for shape in [[16, 64], [2, 32], [64]] as [[Int]] {
                let count = shape.reduce(1, *)
                guard let transform = try? type.init(recipeArguments: arguments),
                    let output = try? transform.encode(
                        Self.sampleValues(count, seed: UInt64(count)), shape: Shape(shape), tensorName: "seed")
                else { continue }
                let input = FuzzStageInput(
                    shape: shape, dtype: .float32, parameters: output.parameters,
                    sections: output.sections.map { [UInt8]($0.bytes) })
                seeds.append(input.serialized())
            }
        }
        return seeds
    }

    private func shuffleSeeds() -> [[UInt8]] {
        [DType.float32, .float16, .bfloat16, .int64, .uint8].compactMap { dtype in
            let count = 48
            let bytes = Data((0..<(count * dtype.byteWidth)).map { UInt8(truncatingIfNeeded: $0 &* 37 >> 2) })
            guard let output = try? ByteShuffle().encode(bytes, dtype: dtype, tensorName: "seed") else { return nil }
            return FuzzStageInput(
                shape: [count], dtype: dtype, parameters: output.parameters,
                sections: output.sections.map { [UInt8]($0.bytes) }
            ).serialized()
        }
    }

    /// The contents of the regular files under `folder` (recursively) named `*.fileExtension` (any name when
    /// `nil`), skipping a subfolder named `excluded`, in sorted path order.
    static func files(under folder: URL, extension fileExtension: String?, excluding excluded: String? = nil)
        -> [[UInt8]]
    {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return []
        }
        var paths: [String] = []
        for case let url as URL in enumerator {
            if let excluded, url.lastPathComponent == excluded {
                enumerator.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !url.lastPathComponent.hasPrefix("."), fileExtension.map({ url.pathExtension == $0 }) ?? true
            else { continue }
            paths.append(url.path)
        }
        return paths.sorted().compactMap { path in
            (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) }
        }
    }
}
