import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `tune` (docs/TUNE.md): each budget is checked on the file it writes — SNR measured by ``Verifier``, bits per
/// weight by ``Inspector``, the file's size on disk — never on the plan's own numbers.
struct TuneTests {
    /// A short candidate list spanning about 2 to 9 bits per weight, so that every budget below is reachable.
    static let candidates = [
        "ecsq:rel=0.05|huffman", "ecsq:rel=0.2|huffman", "ecsq:rel=0.8|huffman", "quant:int8|zstd",
        "quant:int4:group=32|zstd",
    ]

    /// Three 64 × 256 weights of different statistics (uniform, heavy-tailed, low-rank), a bias and an integer
    /// tensor; the last two are never tuned.
    static func model() throws -> [Tensor] {
        [
            try TestTensors.random("layers.0.uniform.weight", [64, 256], magnitude: 0.5, seed: 31),
            try TestModels.laplace("layers.1.laplace.weight", [64, 256], scale: 0.05, seed: 32),
            try TestModels.lowRank("layers.2.lowrank.weight", 64, 256, rank: 8, noise: 0.1, seed: 33),
            try TestTensors.random("layers.2.bias", [256], magnitude: 0.1, seed: 34),
            try TestTensors.integers("position_ids", [1, 64], (0..<64).map(Int64.init), dtype: .int64),
        ]
    }

    static let tunedNames: Set = ["layers.0.uniform.weight", "layers.1.laplace.weight", "layers.2.lowrank.weight"]

    private func writeModel(in folder: TemporaryDirectory) throws -> String {
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try Self.model(), metadata: ["format": "pt"], to: input)
        return input
    }

    private func tune(_ input: String, to output: String?, _ budget: TuneBudget) throws -> TuneOutcome {
        try Tuner.tune(
            inputPath: input, outputPath: output, options: TuneOptions(budget: budget, candidates: Self.candidates))
    }

    private func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    /// Σ elements × ε² over the tuned tensors, from a verification of `candidate` against `reference`.
    private func weightedError(_ reference: String, _ candidate: String) throws -> Double {
        try Verifier.verify(referencePath: reference, candidatePath: candidate).tensors
            .filter { Self.tunedNames.contains($0.name) }
            .reduce(0) { $0 + Double($1.elementCount) * ($1.bitExact ? 0 : pow(10, -$1.snrDecibels / 10)) }
    }

    @Test func minimumSNRHoldsForEveryTunedTensorOfTheWrittenFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        var sizes: [Int] = []
        for decibels in [20.0, 30, 40] {
            let output = folder.path("snr\(Int(decibels)).wpk")
            _ = try tune(input, to: output, .minimumSNR(decibels))
            let report = try Verifier.verify(referencePath: input, candidatePath: output)
            #expect(report.namesAndShapesMatch)
            for comparison in report.tensors {
                if Self.tunedNames.contains(comparison.name) {
                    #expect(
                        comparison.bitExact || comparison.snrDecibels >= decibels,
                        "\(decibels) dB: \(comparison.name) measures \(comparison.snrDecibels) dB")
                } else {
                    #expect(comparison.bitExact, "\(comparison.name) is not tuned and stays exact")
                }
            }
            #expect(
                report.tensors.contains { Self.tunedNames.contains($0.name) && !$0.bitExact },
                "\(decibels) dB is reachable with a lossy candidate")
            sizes.append(try fileSize(output))
        }
        #expect(sizes == sizes.sorted() && sizes[0] < sizes[2], "a higher SNR costs bytes: \(sizes)")
    }

    @Test func targetBitsPerWeightHoldsForTheTunedTensorsOfTheWrittenFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        var errors: [Double] = []
        for bits in [3.0, 5] {
            let output = folder.path("bpw\(Int(bits)).wpk")
            _ = try tune(input, to: output, .targetBitsPerWeight(bits))
            let rows = try Inspector.inspect(path: output).tensors.filter { Self.tunedNames.contains($0.name) }
            #expect(rows.count == 3)
            let measured =
                8 * Double(rows.reduce(0) { $0 + $1.storedBytes }) / Double(rows.reduce(0) { $0 + $1.elementCount })
            #expect(measured <= bits, "\(measured) stored bits per tuned weight for a target of \(bits)")
            #expect(measured > bits - 1.5, "\(measured) bits per weight leaves most of \(bits) unused")
            errors.append(try weightedError(input, output))
        }
        #expect(errors[1] < errors[0], "more bits give less error: \(errors)")
    }

    @Test(arguments: [4, 7])
    func maximumSizeHoldsForTheWrittenFile(fraction: Int) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let limit = try fileSize(input) / fraction
        let output = folder.path("small.wpk")
        let outcome = try tune(input, to: output, .maximumBytes(limit))
        let size = try fileSize(output)
        #expect(size <= limit, "\(size) bytes for a limit of \(limit)")
        #expect(outcome.pack?.outputFileByteCount == size)
        #expect(try WPKSource(path: output).tensorInfos.count == 5)
    }

    @Test func aSizeNoCandidateReachesIsRefusedWithoutAFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let error = #expect(throws: WeightPackError.self) {
            try tune(input, to: folder.path("tiny.wpk"), .maximumBytes(1000))
        }
        #expect(error?.code == .invalidOption)
        #expect(error?.message.hasPrefix("no candidate mix fits in") == true, "\(error?.message ?? "")")
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test func packWithThePlanReproducesTheTunedTensorBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let outcome = try tune(input, to: folder.path("tuned.wpk"), .minimumSNR(30))
        try outcome.result.plan.json().write(toFile: folder.path("plan.json"), atomically: true, encoding: .utf8)
        let plan = try TunePlan.read(path: folder.path("plan.json"))
        #expect(plan == outcome.result.plan, "the plan file reads back to the plan")
        #expect(Set(plan.tensors.map(\.recipe)).count > 1, "the plan mixes recipes")
        try Packer.pack(inputPath: input, outputPath: folder.path("again.wpk"), options: try plan.packOptions())

        let tuned = try WPKReader(path: folder.path("tuned.wpk"))
        let again = try WPKReader(path: folder.path("again.wpk"))
        #expect(tuned.index.tensors.map(\.name) == again.index.tensors.map(\.name))
        for (first, second) in zip(tuned.index.tensors, again.index.tensors) {
            #expect(first.stages == second.stages, "\(first.name)")
            #expect(try tuned.verifiedStoredBytes(of: first) == (try again.verifiedStoredBytes(of: second)))
        }
        for entry in plan.tensors {
            let record = try #require(tuned.index.tensors.first { $0.name == entry.name })
            #expect(record.length == entry.storedBytes, "\(entry.name): the plan's bytes are the file's")
        }
    }

    @Test func dryRunsOfTuneAndPackWriteNothing() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let outcome = try tune(input, to: nil, .targetBitsPerWeight(4))
        #expect(outcome.pack == nil)
        #expect(try folder.contents() == ["model.safetensors"])

        let predicted = try Packer.dryRun(inputPath: input, options: try outcome.result.plan.packOptions())
        #expect(try folder.contents() == ["model.safetensors"])
        #expect(predicted.tensors.map(\.storedBytes) == outcome.result.plan.tensors.map(\.storedBytes))

        try Packer.pack(
            inputPath: input, outputPath: folder.path("real.wpk"), options: try outcome.result.plan.packOptions())
        let lengths = try WPKReader(path: folder.path("real.wpk")).index.tensors.map(\.length)
        #expect(predicted.tensors.map(\.storedBytes) == lengths, "a dry run predicts the stored bytes exactly")
    }
}

/// `weightpack tune` end to end.
@Suite(.enabled(if: CommandLineTool.isAvailable, "build the weightpack executable first (swift build)"))
struct TuneCommandLineTests {
    @Test func tuneWritesAFileAndAPlanThatPackReproduces() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TuneTests.model(), to: input)
        let candidates = TuneTests.candidates.joined(separator: ",")

        let dryRun = try CommandLineTool.run(
            ["tune", "model.safetensors", "--dry-run", "--min-snr", "30", "--candidates", candidates], in: folder)
        #expect(dryRun.status == 0, "\(dryRun.standardError)")
        #expect(dryRun.standardOutput.contains("budget: every tensor ≥ 30.0 dB"), "\(dryRun.standardOutput)")
        #expect(try folder.contents() == ["model.safetensors"], "a dry run writes nothing")

        let tune = try CommandLineTool.run(
            [
                "tune", "model.safetensors", "-o", "tuned.wpk", "--min-snr", "30", "--candidates", candidates,
                "--plan", "plan.json", "-q",
            ], in: folder)
        #expect(tune.status == 0, "\(tune.standardError)")
        #expect(tune.standardOutput.isEmpty)
        let verify = try CommandLineTool.run(
            ["verify", "model.safetensors", "tuned.wpk", "--min-snr", "30", "--json"], in: folder)
        #expect(verify.status == 0, "every tensor reaches 30 dB: \(verify.standardOutput)")

        let pack = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "again.wpk", "--plan", "plan.json", "-q"], in: folder)
        #expect(pack.status == 0, "\(pack.standardError)")
        let tuned = try WPKReader(path: folder.path("tuned.wpk")).index.tensors
        let again = try WPKReader(path: folder.path("again.wpk")).index.tensors
        #expect(tuned.map(\.checksum) == again.map(\.checksum))
        #expect(tuned.map(\.length) == again.map(\.length))
    }

    @Test func tuneWithoutABudgetIsAUsageError() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: folder.path("model.safetensors"))
        let result = try CommandLineTool.run(["tune", "model.safetensors", "-o", "t.wpk"], in: folder)
        #expect(result.status == 64)
        #expect(result.standardError.contains("give exactly one of --min-snr"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("t.wpk")))
    }
}
