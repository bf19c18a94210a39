import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Every preset and a few chains, packed and unpacked on a small seeded model (docs/FORMAT.md §4–5): lossless
/// recipes give back the source file's tensors bit for bit, lossy ones stay above a stated SNR, and tensors that
/// are not 2-D floats keep their values whatever the recipe.
struct StageChainRoundTripTests {
    /// A recipe, the stages before its entropy stage that `inspect` shows on a 2-D weight, and the least SNR (dB)
    /// each 2-D weight reaches after unpacking (`nil`: bit-exact).
    struct Case: Sendable, CustomTestStringConvertible {
        var recipe: String
        var stages: [String]
        var minimumSNR: Double?
        var testDescription: String { recipe }
    }

    /// SNR floors, each 2–6 dB under what the method gives on these weights (uniform quantization of b bits: about
    /// 6b dB less the peak-to-RMS ratio of a row; pruning half of a bell-shaped tensor: about 12 dB; a relative
    /// ECSQ step r: about 10 log10(12 / r²) dB; `ec:30` is the stage's own target).
    static let cases: [Case] = [
        Case(recipe: "lossless", stages: ["shuffle"], minimumSNR: nil),
        Case(recipe: "shuffle|zstd:19", stages: ["shuffle"], minimumSNR: nil),
        Case(recipe: "lz4", stages: [], minimumSNR: nil),
        Case(recipe: "none", stages: [], minimumSNR: nil),
        Case(recipe: "int8", stages: ["quant"], minimumSNR: 40),
        Case(recipe: "int4", stages: ["quant"], minimumSNR: 18),
        Case(recipe: "q8_0", stages: ["ggml"], minimumSNR: 40),
        Case(recipe: "q4_0", stages: ["ggml"], minimumSNR: 18),
        Case(recipe: "cluster4", stages: ["cluster"], minimumSNR: 17),
        Case(recipe: "deep", stages: ["prune", "cluster"], minimumSNR: 10),
        Case(recipe: "ec:30", stages: ["ecsq"], minimumSNR: 30),
        Case(recipe: "prune:0.5|cluster:4bit|huffman", stages: ["prune", "cluster"], minimumSNR: 10),
        Case(recipe: "lowrank:rank=4|quant:int8|zstd", stages: ["lowrank", "quant"], minimumSNR: 30),
        Case(recipe: "quant:int4:group=32:asym|lz4", stages: ["quant"], minimumSNR: 19),
        Case(recipe: "ecsq:rel=0.1|zstd", stages: ["ecsq"], minimumSNR: 28),
    ]

    /// Two low-rank-plus-noise weights (so that `lowrank:rank=4` applies), a bias, a norm, an integer tensor and a
    /// bool mask. Every row length is a multiple of 32 (GGML blocks, int4 groups).
    static func model() throws -> [Tensor] {
        [
            try TestModels.lowRank("layers.0.attention.weight", 32, 64, rank: 4, noise: 0.01, seed: 11),
            try TestModels.lowRank("layers.0.mlp.weight", 64, 32, rank: 2, noise: 0.02, seed: 12),
            try TestTensors.random("layers.0.mlp.bias", [32], magnitude: 0.1, seed: 13),
            try TestTensors.floats("layers.0.norm.weight", [64], (0..<64).map { 1 + Float($0 % 5) / 64 }),
            try TestTensors.integers("position_ids", [1, 40], (0..<40).map(Int64.init), dtype: .int64),
            try TestTensors.integers("mask", [8], [1, 0, 1, 1, 0, 0, 1, 0] as [UInt8], dtype: .bool),
        ]
    }

    static let weightNames: Set = ["layers.0.attention.weight", "layers.0.mlp.weight"]

    @Test(arguments: cases)
    func recipeRoundTripsThroughPackAndUnpack(_ testCase: Case) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = try Self.model()
        let input = folder.path("model.safetensors")
        let packed = folder.path("model.wpk")
        try TestTensors.writeSafetensors(source, metadata: ["format": "pt"], to: input)
        let recipe = try Recipe.parse(testCase.recipe)
        try Packer.pack(inputPath: input, outputPath: packed, options: PackOptions(recipe: recipe))
        try Unpacker.unpack(inputPath: packed, outputPath: folder.path("out.safetensors"))
        let unpacked = try TestTensors.readSafetensors(folder.path("out.safetensors"))

        if testCase.minimumSNR == nil {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: folder.path("out.safetensors")))
                    == Data(contentsOf: URL(fileURLWithPath: input)),
                "a lossless recipe unpacks to the source file byte for byte")
        }
        for tensor in source {
            let decoded = try #require(unpacked[tensor.name])
            #expect(decoded.dtype == tensor.dtype && decoded.shape == tensor.shape, "\(tensor.name)")
            if let minimumSNR = testCase.minimumSNR, Self.weightNames.contains(tensor.name) {
                let snr = TestModels.snrDecibels(try tensor.float32Values(), try decoded.float32Values())
                #expect(snr >= minimumSNR, "\(tensor.name): \(snr) dB")
                #expect(snr.isFinite, "\(tensor.name) is changed by a lossy recipe")
            } else {
                #expect(decoded == tensor, "\(tensor.name) keeps its values")
            }
        }

        let entropy = recipe.entropy?.stageName
        for row in try Inspector.inspect(path: packed).tensors {
            let isWeight = Self.weightNames.contains(row.name)
            // Other tensors get the recipe's lossless part: its shuffle, whatever their dtype, and its entropy stage.
            let expected = isWeight ? testCase.stages : testCase.stages.filter { $0 == "shuffle" }
            // A lossless chain whose payload is no smaller than the elements stores them as they are (§4).
            if !recipe.isLossy, row.stages.isEmpty {
                #expect(row.storedBytes == row.originalBytes, "\(row.name)")
                continue
            }
            // An entropy stage that leaves every section raw is dropped (§5.2), so it may be absent.
            let rest = Array(row.stages.dropFirst(expected.count))
            #expect(Array(row.stages.prefix(expected.count)) == expected, "\(row.name): \(row.stages)")
            #expect(rest.isEmpty || (rest.count == 1 && rest.first == entropy), "\(row.name): \(row.stages)")
            #expect(row.bytesAfterStage.count == row.stages.count)
            #expect(row.bytesAfterStage.last ?? row.originalBytes == row.storedBytes)
        }
    }

    @Test func lossyStagesShrinkTheWeightsBelowTheirBitBudget() throws {
        // Stored bits per weight (tables and scales included) for recipes whose code width bounds them.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try Self.model(), to: input)
        for (recipe, bits) in [("int8", 8.0 + 1.5), ("int4", 4.0 + 1.5), ("q4_0", 4.5 + 0.5), ("cluster4", 4.0 + 0.5)] {
            let packed = folder.path("\(recipe).wpk")
            try Packer.pack(
                inputPath: input, outputPath: packed, options: PackOptions(recipe: try Recipe.parse(recipe)))
            for row in try Inspector.inspect(path: packed).tensors where Self.weightNames.contains(row.name) {
                #expect(row.bitsPerWeight <= bits, "\(recipe) \(row.name): \(row.bitsPerWeight) bits per weight")
            }
        }
    }
}
