import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// End-to-end runs of the `weightpack` executable: exit codes 0 success, 1 verification failed, 2 bad input,
/// 64 usage error (Sources/weightpack/WeightPackCommand.swift).
@Suite(.enabled(if: CommandLineTool.isAvailable, "build the weightpack executable first (swift build)"))
struct CommandLineTests {
    private func writeModel(in folder: TemporaryDirectory) throws -> String {
        let path = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), metadata: ["format": "pt"], to: path)
        return path
    }

    @Test func packOfAMissingFileExits2WithOneErrorLine() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let result = try CommandLineTool.run(["pack", "missing.safetensors", "-o", "out.wpk"], in: folder)
        #expect(result.status == 2)
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines.last == "", "exactly one line: \(result.standardError)")
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains("missing.safetensors"))
        #expect(result.standardOutput.isEmpty)
        #expect(try folder.contents().isEmpty, "no output file, no temporary file")
    }

    @Test func packOntoItsOwnInputExits2AndLeavesTheFileUnchanged() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let result = try CommandLineTool.run(["pack", "model.safetensors", "-o", "model.safetensors"], in: folder)
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains("overwrite the input"), "\(result.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }

    @Test func unpackWithAnUnknownDTypeIsAUsageError() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        let result = try CommandLineTool.run(
            ["unpack", "model.wpk", "-o", "out.safetensors", "--dtype", "f8"], in: folder)
        #expect(result.status == 64)
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains("--dtype"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("out.safetensors")))
    }

    @Test func verifyBelowTheMinimumSNRExits1() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        let failing = try CommandLineTool.run(
            ["verify", "model.safetensors", "model.wpk", "--min-snr", "300"], in: folder)
        #expect(failing.status == 1, "\(failing.standardError)")
        #expect(failing.standardOutput.contains("FAIL"))
        #expect(failing.standardOutput.contains("\n1 tensor below 300 dB\n"), "\(failing.standardOutput)")
        #expect(!failing.standardOutput.contains("error:"))
        #expect(
            failing.standardError == "error: 1 below 300 dB: encoder.layer.0.attention.query.weight\n",
            "\(failing.standardError)")
        let passing = try CommandLineTool.run(
            ["verify", "model.safetensors", "model.wpk", "--min-snr", "20"], in: folder)
        #expect(passing.status == 0, "\(passing.standardError)")
        #expect(passing.standardError.isEmpty)
    }

    @Test func verifyAcceptsANegativeMinimumSNR() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        let result = try CommandLineTool.run(
            ["verify", "model.safetensors", "model.wpk", "--min-snr", "-5"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("\n0 tensors below -5 dB"), "\(result.standardOutput)")
        #expect(result.standardError.isEmpty)
    }

    @Test(arguments: ["nan", "inf", "-inf", "many"])
    func verifyWithANonFiniteMinimumSNRIsAUsageError(value: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(
            ["verify", "model.safetensors", "model.safetensors", "--min-snr", value], in: folder)
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains("--min-snr"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func verifyPrintsMismatchesToStandardErrorAndExits1() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try TestTensors.writeSafetensors(
            [
                try TestTensors.floats("a", [2], [1, 2]), try TestTensors.floats("b", [2], [3, 4]),
                try TestTensors.floats("w", [2, 3], Array(repeating: 1, count: 6)),
            ], to: folder.path("ref.safetensors"))
        try TestTensors.writeSafetensors(
            [
                try TestTensors.floats("b", [2], [3, 4]), try TestTensors.floats("c", [2], [5, 6]),
                try TestTensors.floats("w", [3, 2], Array(repeating: 1, count: 6)),
            ], to: folder.path("cand.safetensors"))
        let result = try CommandLineTool.run(["verify", "ref.safetensors", "cand.safetensors"], in: folder)
        #expect(result.status == 1, "\(result.standardError)")
        #expect(
            result.standardError == """
                error: 'a' is in the reference only
                error: 'c' is in the candidate only
                error: shapes differ: w: [2, 3] vs [3, 2]

                """)
        #expect(!result.standardOutput.contains("error:"))
        #expect(result.standardOutput.contains("compared 1 tensor: 1 bit-exact, 0 exact in value, 0 lossy"))
        #expect(result.standardOutput.contains("3 tensors missing from one file or of another shape"))
    }

    @Test func verifyJSONCarriesTheSummary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        let result = try CommandLineTool.run(
            ["verify", "model.safetensors", "model.wpk", "--min-snr", "300", "--json"], in: folder)
        #expect(result.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(json?["schema"] as? String == "weightpack.verify/1")
        let summary = json?["summary"] as? [String: Any]
        #expect(summary?["passed"] as? Bool == false)
        #expect(summary?["min_snr_db"] as? Double == 300)
        #expect(result.standardError.hasPrefix("error: 1 below 300 dB"))
    }

    @Test func packUnpackAndInspectSucceedEndToEnd() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let pack = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "--codec", "lz4"], in: folder)
        #expect(pack.status == 0, "\(pack.standardError)")
        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let (inputBytes, outputBytes) = (try size(input), try size(folder.path("model.wpk")))
        let ratio = HumanFormat.fixed(Double(inputBytes) / Double(outputBytes), digits: 2)
        #expect(
            pack.standardOutput == """
                packed 4 tensors (1 with lossy stages)
                \(HumanFormat.bytes(inputBytes)) → \(HumanFormat.bytes(outputBytes)), ratio \(ratio)

                """)
        let inspect = try CommandLineTool.run(["inspect", "model.wpk", "--json"], in: folder)
        #expect(inspect.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(inspect.standardOutput.utf8)) as? [String: Any]
        #expect(json?["schema"] as? String == "weightpack.inspect/1")
        let table = try CommandLineTool.run(["inspect", "model.wpk", "--bytes"], in: folder)
        #expect(table.status == 0)
        #expect(table.standardOutput.hasPrefix("model.wpk\nwpk, \(outputBytes) B, 4 tensors, 1 metadata entry\n"))
        let unpack = try CommandLineTool.run(
            ["unpack", "model.wpk", "-o", "out.safetensors", "--dtype", "bf16", "-q"], in: folder)
        #expect(unpack.status == 0, "\(unpack.standardError)")
        #expect(unpack.standardOutput.isEmpty)
        let unpacked = try TestTensors.readSafetensors(folder.path("out.safetensors"))
        #expect(unpacked["encoder.layer.0.attention.query.weight"]?.dtype == .bfloat16)
        #expect(unpacked["embeddings.position_ids"]?.dtype == .int64)
    }

    @Test func quantAndDTypeAreCaseInsensitive() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let pack = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "--quant", "INT8", "--codec", "ZSTD:1", "-q"], in: folder)
        #expect(pack.status == 0, "\(pack.standardError)")
        #expect(pack.standardOutput.isEmpty)
        let records = try WPKReader(path: folder.path("model.wpk")).index.tensors
        #expect(records.first { $0.name == "encoder.layer.0.attention.query.weight" }?.stages.first?.name == "quant")
        let none = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "plain.wpk", "--quant", "None", "-q"], in: folder)
        #expect(none.status == 0, "\(none.standardError)")
        #expect(
            try WPKReader(path: folder.path("plain.wpk")).index.tensors.allSatisfy { $0.stages.first?.name != "quant" })
        let unpack = try CommandLineTool.run(
            ["unpack", "model.wpk", "-o", "out.safetensors", "--dtype", "F16", "-q"], in: folder)
        #expect(unpack.status == 0, "\(unpack.standardError)")
        let unpacked = try TestTensors.readSafetensors(folder.path("out.safetensors"))
        #expect(unpacked["encoder.layer.0.attention.query.weight"]?.dtype == .float16)
    }

    @Test func packWithAnUnknownCodecIsAUsageError() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "--codec", "gzip"], in: folder)
        #expect(result.status == 64)
        #expect(
            result.standardError.hasPrefix(
                "error: --codec: codec 'gzip' is not known; use zstd, zstd:LEVEL, lz4 or none."),
            "\(result.standardError)")
        #expect(result.standardError.contains("see 'weightpack help'"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.path("model.wpk")))
    }

    @Test(arguments: ["int4", "", "int8 "])
    func packWithAnUnknownQuantIsAUsageError(quant: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "--quant", quant], in: folder)
        #expect(result.status == 64)
        #expect(
            result.standardError.contains("--quant must be int8 or none; got '\(quant)'"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("model.wpk")))
    }

    @Test func versionIs0_1_0() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let result = try CommandLineTool.run(["--version"], in: folder)
        #expect(result.status == 0)
        #expect(result.standardOutput == "0.1.0\n")
        #expect(result.standardError.isEmpty)
    }
}
