import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// End-to-end runs of `weightpack convert`, and of the raw input options on `convert`, `pack` and `inspect`:
/// exit codes 0 success, 2 bad input or failure, 64 usage error.
@Suite(.enabled(if: CommandLineTool.isAvailable, "build the weightpack executable first (swift build)"))
struct ConvertCommandLineTests {
    private func writeModel(in folder: TemporaryDirectory) throws -> String {
        let path = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), metadata: ["format": "pt"], to: path)
        return path
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Expects exit 64 with an `error: ` line naming `flag`, nothing on standard output, and no new file.
    private func expectUsageError(_ arguments: [String], naming flag: String, in folder: TemporaryDirectory) throws {
        let before = try folder.contents()
        let result = try CommandLineTool.run(arguments, in: folder)
        #expect(result.status == 64, "\(arguments): \(result.standardError)")
        #expect(result.standardError.hasPrefix("error: "), "\(arguments)")
        #expect(result.standardError.contains(flag), "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(try folder.contents() == before, "\(arguments) writes nothing")
    }

    // MARK: help

    @Test func convertHelpListsEveryOption() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let result = try CommandLineTool.run(["convert", "--help"], in: folder)
        #expect(result.status == 0)
        for option in [
            "<input>", "<output>", "--to", "--dtype", "--quant", "--dequantize", "--max-shard-size", "--compress",
            "--raw-dtype", "--shape", "--offset", "--byte-order", "--quiet",
        ] {
            #expect(result.standardOutput.contains(option), "\(option) missing from:\n\(result.standardOutput)")
        }
        let root = try CommandLineTool.run(["help"], in: folder)
        #expect(root.standardOutput.contains("convert"))
    }

    @Test(arguments: ["pack", "inspect"])
    func packAndInspectHelpListTheRawOptions(command: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let result = try CommandLineTool.run([command, "--help"], in: folder)
        #expect(result.status == 0)
        for option in ["--raw-dtype", "--shape", "--offset", "--byte-order"] {
            #expect(result.standardOutput.contains(option), "\(command): \(option)")
        }
    }

    // MARK: success

    @Test func convertPrintsWhatItWroteOrNothingWithQuiet() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let result = try CommandLineTool.run(["convert", "model.safetensors", "copy.safetensors"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let size = try bytes(input).count
        #expect(
            result.standardOutput == """
                converted 4 tensors to safetensors: copy.safetensors
                \(HumanFormat.bytes(size)) in 1 file

                """)
        #expect(result.standardError.isEmpty)
        #expect(try bytes(folder.path("copy.safetensors")) == (try bytes(input)))
        let quiet = try CommandLineTool.run(
            ["convert", "model.safetensors", "raw-tensors", "--to", "RAW", "-q"], in: folder)
        #expect(quiet.status == 0, "\(quiet.standardError)")
        #expect(quiet.standardOutput.isEmpty && quiet.standardError.isEmpty)
        #expect(try RawSource(folder: folder.path("raw-tensors")).tensorInfos.count == 4)
    }

    /// A folder named `raw` (or `bin`) has no extension; `--to raw` must write a folder there.
    @Test func toRawIntoAFolderNamedRawWritesAFolder() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(["convert", "model.safetensors", "raw", "--to", "raw", "-q"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")

    }

    @Test func convertShardsWithAMaximumShardSizeAndBack() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try FileManager.default.createDirectory(atPath: folder.path("out"), withIntermediateDirectories: true)
        let result = try CommandLineTool.run(
            ["convert", "model.safetensors", "out/model.safetensors", "--max-shard-size", "512B"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path("out")).sorted()
        // The 1,536-byte weight is over the limit: a shard of its own, numbered first (as Hugging Face does);
        // position_ids, the bias and the mask share the second.
        #expect(files == (1...2).map { "model-0000\($0)-of-00002.safetensors" } + ["model.safetensors.index.json"])
        #expect(
            result.standardOutput.hasPrefix("converted 4 tensors to safetensors: out/model.safetensors.index.json\n"))
        #expect(result.standardOutput.contains(" in 3 files\n"), "\(result.standardOutput)")
        let back = try CommandLineTool.run(["convert", "out", "back.safetensors", "-q"], in: folder)
        #expect(back.status == 0, "\(back.standardError)")
        #expect(try bytes(folder.path("back.safetensors")) == (try bytes(input)))
    }

    @Test func convertDTypeF16ConvertsTheFloatTensors() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(
            ["convert", "model.safetensors", "half.safetensors", "--dtype", "F16", "-q"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        let read = try TestTensors.readSafetensors(folder.path("half.safetensors"))
        #expect(read["encoder.layer.0.attention.query.weight"]?.dtype == .float16)
        #expect(read["embeddings.position_ids"]?.dtype == .int64)
    }

    // MARK: usage errors (64)

    @Test func badConvertOptionsAreUsageErrors() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let convert = ["convert", "model.safetensors", "out.safetensors"]
        try expectUsageError(convert + ["--to", "onnx"], naming: "--to", in: folder)
        try expectUsageError(convert + ["--dtype", "i8"], naming: "--dtype", in: folder)
        try expectUsageError(convert + ["--dtype", "f64"], naming: "--dtype", in: folder)
        try expectUsageError(convert + ["--quant", "q5_k"], naming: "--quant", in: folder)
        try expectUsageError(convert + ["--max-shard-size", "10XB"], naming: "--max-shard-size", in: folder)
        try expectUsageError(convert + ["--max-shard-size", "0"], naming: "--max-shard-size", in: folder)
    }

    @Test func badToListsTheFormats() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let result = try CommandLineTool.run(["convert", "model.safetensors", "out", "--to", "onnx"], in: folder)
        #expect(result.standardError.contains("safetensors, npz, npy, npy-dir, raw, gguf, wpk; got 'onnx'"))
    }

    @Test(arguments: ["convert", "pack", "inspect"])
    func badRawOptionsAreUsageErrors(command: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 32).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let base =
            switch command {
            case "convert": ["convert", "w.bin", "w.safetensors"]
            case "pack": ["pack", "w.bin", "-o", "w.wpk"]
            default: ["inspect", "w.bin"]
            }
        try expectUsageError(base + ["--raw-dtype", "f32"], naming: "--shape", in: folder)
        try expectUsageError(base + ["--shape", "8"], naming: "--raw-dtype", in: folder)
        try expectUsageError(base + ["--raw-dtype", "float", "--shape", "8"], naming: "--raw-dtype", in: folder)
        for shape in ["2,x", "", "2,,4", "=-1,2", "1.5"] {
            let arguments = shape.hasPrefix("=") ? ["--shape\(shape)"] : ["--shape", shape]
            try expectUsageError(base + ["--raw-dtype", "f32"] + arguments, naming: "--shape", in: folder)
        }
        try expectUsageError(
            base + ["--raw-dtype", "f32", "--shape", "8", "--byte-order", "middle"], naming: "--byte-order", in: folder)
        try expectUsageError(
            base + ["--raw-dtype", "f32", "--shape", "8", "--offset=-4"], naming: "--offset", in: folder)
    }

    @Test func aBadByteOrderIsAUsageErrorEvenWithoutRawDType() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        try expectUsageError(
            ["convert", "model.safetensors", "out.safetensors", "--byte-order", "middle"], naming: "--byte-order",
            in: folder)

    }

    // MARK: bad input (2)

    @Test(arguments: ["convert", "pack", "inspect"])
    func aRawSizeMismatchExits2WithOneLineNamingBothByteCounts(command: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 30).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let base =
            switch command {
            case "convert": ["convert", "w.bin", "w.safetensors"]
            case "pack": ["pack", "w.bin", "-o", "w.wpk"]
            default: ["inspect", "w.bin"]
            }
        let result = try CommandLineTool.run(base + ["--raw-dtype", "f32", "--shape", "2,4"], in: folder)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError == "error: w.bin, tensor 'w': 30 bytes after offset 0; f32 × [2, 4] needs 32\n")
        #expect(result.standardOutput.isEmpty)
        #expect(try folder.contents() == ["w.bin"])
    }

    @Test func aMissingInputUnknownOutputOrQuantForSafetensorsExits2() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        let cases: [([String], String)] = [
            (["convert", "absent.safetensors", "out.safetensors"], "absent.safetensors"),
            (["convert", "model.safetensors", "out.xyz"], "--to"),
            (["convert", "model.safetensors", "model.safetensors"], "overwrite the input"),
        ]
        for (arguments, needle) in cases {
            let result = try CommandLineTool.run(arguments, in: folder)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.hasPrefix("error: ") && result.standardError.contains(needle), "\(arguments)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
        }
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test func quantForAnOutputThatIsNotGGUFIsAUsageError() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try writeModel(in: folder)
        for arguments in [
            ["convert", "model.safetensors", "out.safetensors", "--quant", "q8_0"],
            ["convert", "model.safetensors", "out.gguf", "--to", "npz", "--quant", "q4_0"],
        ] {
            let result = try CommandLineTool.run(arguments, in: folder)
            #expect(result.status == 64, "\(arguments): \(result.standardError)")
            #expect(
                result.standardError.hasPrefix("error: --quant applies to GGUF output only"), "\(result.standardError)")
        }
        let accepted = try CommandLineTool.run(
            ["convert", "model.safetensors", "out.bin", "--to", "gguf", "--quant", "q8_0", "-q"], in: folder)
        #expect(
            accepted.status == 2,
            "--to gguf passes validation; the .bin name is then refused: \(accepted.standardError)")
        #expect(try folder.contents() == ["model.safetensors"])
    }

    // MARK: raw input through pack and inspect

    @Test func packAndInspectReadABigEndianRawFileWithAnOffset() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensor = try TestTensors.random("w", [4, 8], seed: 3)
        try (Data([1, 2, 3, 4]) + ByteSwap.swapped(tensor.data, width: 4)).write(
            to: URL(fileURLWithPath: folder.path("w.raw")))
        let raw = ["--raw-dtype", "f32", "--shape", "4,8", "--offset", "4", "--byte-order", "big"]
        let inspect = try CommandLineTool.run(["inspect", "w.raw", "--json"] + raw, in: folder)
        #expect(inspect.status == 0, "\(inspect.standardError)")
        let json = try JSONSerialization.jsonObject(with: Data(inspect.standardOutput.utf8)) as? [String: Any]
        #expect(json?["format"] as? String == "raw")
        let rows = json?["tensors"] as? [[String: Any]]
        #expect(rows?.first?["name"] as? String == "w")
        #expect(rows?.first?["shape"] as? [Int] == [4, 8])
        let pack = try CommandLineTool.run(["pack", "w.raw", "-o", "w.wpk", "--quant", "none", "-q"] + raw, in: folder)
        #expect(pack.status == 0, "\(pack.standardError)")
        let unpack = try CommandLineTool.run(["unpack", "w.wpk", "-o", "w.safetensors", "-q"], in: folder)
        #expect(unpack.status == 0, "\(unpack.standardError)")
        #expect(try TestTensors.readSafetensors(folder.path("w.safetensors"))["w"]?.data == tensor.data)
        let convert = try CommandLineTool.run(["convert", "w.raw", "c.safetensors", "-q"] + raw, in: folder)
        #expect(convert.status == 0, "\(convert.standardError)")
        #expect(try bytes(folder.path("c.safetensors")) == (try bytes(folder.path("w.safetensors"))))
    }
}
