import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `prune:S:global`: one magnitude threshold over every 2-D float tensor (docs/FORMAT.md §5.7).
struct GlobalPruneTests {
    /// Three weights of different scales, so that a global cut prunes them unevenly, and a bias.
    static func model() throws -> [Tensor] {
        [
            try TestTensors.random("layer.0.weight", [16, 32], magnitude: 1, seed: 21),
            try TestTensors.random("layer.1.weight", [32, 32], magnitude: 0.1, seed: 22),
            try TestModels.laplace("layer.2.weight", [8, 64], scale: 0.2, seed: 23),
            try TestTensors.random("layer.2.bias", [64], magnitude: 0.01, seed: 24),
        ]
    }

    @Test(arguments: [0.5, 0.25, 0.9])
    func globalPruneZeroesThatShareOfAllWeightsTogether(sparsity: Double) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = try Self.model()
        let input = folder.path("model.safetensors")
        let packed = folder.path("model.wpk")
        try TestTensors.writeSafetensors(source, to: input)
        let options = PackOptions(recipe: try Recipe.parse("prune:\(sparsity):global|zstd"))
        try Packer.pack(inputPath: input, outputPath: packed, options: options)
        try Unpacker.unpack(inputPath: packed, outputPath: folder.path("out.safetensors"))
        let unpacked = try TestTensors.readSafetensors(folder.path("out.safetensors"))

        let weights = source.filter { $0.shape.count == 2 }
        let magnitudes = try weights.flatMap { try $0.float32Values().map(abs) }.sorted()
        let pruned = Int((sparsity * Double(magnitudes.count)).rounded(.toNearestOrAwayFromZero))
        // Ties at the cut are kept (§5.7), so up to that many fewer than `pruned` may be zero.
        let cut = magnitudes[min(pruned, magnitudes.count - 1)]
        let ties = magnitudes.filter { $0 == cut }.count - 1
        var zeros = 0
        var zerosPerTensor: [String: Int] = [:]
        for weight in weights {
            let original = try weight.float32Values()
            let decoded = try #require(unpacked[weight.name]).float32Values()
            let count = decoded.filter { $0 == 0 }.count
            zerosPerTensor[weight.name] = count
            zeros += count
            for (value, back) in zip(original, decoded) where back != 0 {
                #expect(back == value, "a survivor keeps its value (\(weight.name))")
                if back != value { break }
            }
            for (value, back) in zip(original, decoded) where back == 0 {
                #expect(abs(value) <= cut, "only magnitudes at or below the cut are pruned (\(weight.name))")
                if abs(value) > cut { break }
            }
        }
        #expect(zeros <= pruned && zeros >= pruned - ties, "\(zeros) zeros; \(pruned) expected, \(ties) ties")

        // One threshold, so the small-scale tensor loses more than its share and the large one less.
        let small = Double(zerosPerTensor["layer.1.weight"] ?? 0) / 1024
        let large = Double(zerosPerTensor["layer.0.weight"] ?? 0) / 512
        #expect(small > sparsity || small == 1, "layer.1.weight: \(small)")
        #expect(large < sparsity, "layer.0.weight: \(large)")

        #expect(unpacked["layer.2.bias"] == source[3], "a bias is not pruned")
        let records = try WPKReader(path: packed).index.tensors.filter { $0.shape.count == 2 }
        let thresholds = Set(records.compactMap { $0.stages.first?.parameters["threshold"] })
        #expect(records.allSatisfy { $0.stages.first?.name == "prune" })
        #expect(thresholds.count == 1, "every weight records the same threshold: \(thresholds)")
    }
}
