import Foundation
import TensorCore
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
        let passing = try CommandLineTool.run(
            ["verify", "model.safetensors", "model.wpk", "--min-snr", "20"], in: folder)
        #expect(passing.status == 0, "\(passing.standardError)")
    }

    @Test func packUnpackAndInspectSucceedEndToEnd() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let pack = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "--codec", "lz4"], in: folder)
        #expect(pack.status == 0, "\(pack.standardError)")
        #expect(pack.standardOutput.hasPrefix("packed 4 tensors: model.safetensors"))
        let inspect = try CommandLineTool.run(["inspect", "model.wpk", "--json"], in: folder)
        #expect(inspect.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(inspect.standardOutput.utf8)) as? [String: Any]
        #expect(json?["schema"] as? String == "weightpack.inspect/1")
        let unpack = try CommandLineTool.run(
            ["unpack", "model.wpk", "-o", "out.safetensors", "--dtype", "bf16", "-q"], in: folder)
        #expect(unpack.status == 0, "\(unpack.standardError)")
        #expect(unpack.standardOutput.isEmpty)
        let unpacked = try TestTensors.readSafetensors(folder.path("out.safetensors"))
        #expect(unpacked["encoder.layer.0.attention.query.weight"]?.dtype == .bfloat16)
        #expect(unpacked["embeddings.position_ids"]?.dtype == .int64)
    }

    @Test func packWithAnUnknownCodecExits2() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(
            ["pack", "model.safetensors", "-o", "model.wpk", "--codec", "gzip"], in: folder)
        #expect(result.status == 2)
        #expect(result.standardError.contains("codec 'gzip' is not known"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("model.wpk")))
    }
}
