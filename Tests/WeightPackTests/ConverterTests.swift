import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `Converter.convert`: the target format, output-path checks, dtype changes, and the `.wpk` paths.
struct ConverterTests {
    private func writeModel(
        _ tensors: [Tensor]? = nil, metadata: [String: String] = ["format": "pt"], in folder: TemporaryDirectory
    ) throws -> String {
        let path = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try tensors ?? TestTensors.smallModel(), metadata: metadata, to: path)
        return path
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    private func convertError(_ input: String, _ output: String, _ options: ConvertOptions = ConvertOptions())
        -> WeightPackError?
    {
        #expect(throws: WeightPackError.self) {
            try Converter.convert(inputPath: input, outputPath: output, options: options)
        }
    }

    // MARK: progress

    @Test(arguments: ["safetensors", "gguf", "npz"])
    func progressCountsEachTensorOnceInWritingOrderOnTheCallingThread(target: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try TestTensors.smallModel().filter { $0.dtype != .bool }  // GGUF has no bool type
        let input = try writeModel(tensors, in: folder)
        let count = tensors.count
        var updates: [ProgressUpdate] = []
        var offThread = 0
        let caller = Thread.current
        try Converter.convert(
            inputPath: input, outputPath: folder.path("out.\(target)"), options: ConvertOptions(),
            progress: { update in
                if Thread.current !== caller { offThread += 1 }
                updates.append(update)
            })
        #expect(updates.map(\.tensorsDone) == Array(1...count), "each tensor counted once, in order")
        #expect(updates.last?.bytesDone == updates.last?.byteCount)
        #expect(offThread == 0, "the handler runs on the converting thread")
    }

    // MARK: the target format

    @Test func safetensorsToSafetensorsIsByteIdentical() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let summary = try Converter.convert(
            inputPath: input, outputPath: folder.path("copy.safetensors"), options: ConvertOptions())
        #expect(summary.format == .safetensors)
        #expect(summary.tensorCount == 4)
        #expect(summary.writtenPaths == [folder.path("copy.safetensors")])
        #expect(summary.writtenByteCount == (try bytes(input)).count)
        #expect(try bytes(folder.path("copy.safetensors")) == (try bytes(input)))
    }

    @Test(arguments: [
        ("out.wpk", OutputFormat.wpk), ("OUT.SAFETENSORS", .safetensors), ("w.bin", .raw), ("w.raw", .raw),
    ])
    func theTargetComesFromTheOutputExtension(name: String, format: OutputFormat) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel([try TestTensors.random("w", [4, 8], seed: 1)], in: folder)
        let summary = try Converter.convert(inputPath: input, outputPath: folder.path(name), options: ConvertOptions())
        #expect(summary.format == format)
        #expect(summary.writtenPaths == [folder.path(name)])
        #expect(try ModelFormat.locate(path: folder.path(name), raw: format == .raw).format.rawValue == format.rawValue)
    }

    @Test(arguments: ["out.xyz", "out", "out.safetensors.tmp"])
    func anOutputWithoutAKnownExtensionAsksForTo(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let error = convertError(input, folder.path(name))
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains("--to") == true, "\(String(describing: error))")
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test func toOverridesTheExtensionButTheExtensionMustThenMatch() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let error = convertError(input, folder.path("out.bin"), ConvertOptions(target: .safetensors))
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains(".safetensors") == true)
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test(arguments: [OutputFormat.safetensors, .wpk, .raw])
    func quantIsRefusedForATargetOtherThanGGUF(target: OutputFormat) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let output = target == .raw ? folder.path("raw") : folder.path("out.\(target.rawValue)")
        let error = convertError(input, output, ConvertOptions(target: target, ggufQuantization: .q8_0))
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains("--quant") == true && error?.message.contains(target.rawValue) == true)
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test(arguments: [DType.int8, .int64, .bool])
    func aNonFloatDTypeIsRefused(dtype: DType) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let error = convertError(input, folder.path("out.safetensors"), ConvertOptions(floatDType: dtype))
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains(dtype.name) == true)
    }

    // MARK: output paths

    @Test func anOutputEqualToTheInputIsRefusedAndTheInputIsUnchanged() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let before = try bytes(input)
        let error = convertError(input, input, ConvertOptions(floatDType: .float16))
        #expect(error?.code == .outputIsInput)
        let relative = convertError(input, folder.url.appendingPathComponent("./sub/../model.safetensors").path)
        #expect(relative?.code == .outputIsInput)
        #expect(try bytes(input) == before)
    }

    @Test func aFolderOutputMustBeNewOrEmpty() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let busy = folder.path("busy")
        try FileManager.default.createDirectory(atPath: busy, withIntermediateDirectories: true)
        try Data([1]).write(to: URL(fileURLWithPath: busy).appendingPathComponent("keep.txt"))
        let error = convertError(input, busy, ConvertOptions(target: .raw))
        #expect(error?.code == .invalidOutput)
        #expect(try FileManager.default.contentsOfDirectory(atPath: busy) == ["keep.txt"])

        let empty = folder.path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try Converter.convert(inputPath: input, outputPath: empty, options: ConvertOptions(target: .raw))
        #expect(
            try Converter.convert(
                inputPath: input, outputPath: folder.path("new"), options: ConvertOptions(target: .raw)
            ).tensorCount == 4)
        #expect(try RawSource(folder: empty).tensorInfos.count == 4)
    }

    @Test func aFolderOutputMayNotBeAnExistingFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try Data([1]).write(to: URL(fileURLWithPath: folder.path("taken")))
        #expect(convertError(input, folder.path("taken"), ConvertOptions(target: .raw))?.code == .invalidOutput)
    }

    @Test func aRawFileTargetNeedsAOneTensorModel() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let error = convertError(input, folder.path("w.bin"))
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains("4") == true && error?.message.contains("folder") == true)
        #expect(try folder.contents() == ["model.safetensors"])
    }

    // MARK: raw round trips

    @Test func rawFolderAndBackIsByteIdentical() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(
            try TestTensors.smallModel() + [try TestTensors.random("a/b", [3], dtype: .bfloat16, seed: 3)],
            metadata: ["format": "pt"], in: folder)
        let summary = try Converter.convert(
            inputPath: input, outputPath: folder.path("raw"), options: ConvertOptions(target: .raw))
        #expect(summary.format == .raw)
        #expect(summary.tensorCount == 5)
        #expect(summary.writtenPaths.count == 6, "five tensor files and the manifest")
        #expect(summary.writtenPaths.contains(folder.path("raw/manifest.json")))
        #expect(summary.writtenByteCount == summary.writtenPaths.reduce(0) { $0 + ((try? bytes($1).count) ?? 0) })
        try Converter.convert(
            inputPath: folder.path("raw"), outputPath: folder.path("back.safetensors"), options: ConvertOptions())
        #expect(try bytes(folder.path("back.safetensors")) == (try bytes(input)))
    }

    @Test func aRawFileConvertsWithItsOptions() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensor = try TestTensors.random("x", [2, 3], seed: 4)
        let swapped = ByteSwap.swapped(tensor.data, width: 4)
        try (Data([9, 9, 9]) + swapped).write(to: URL(fileURLWithPath: folder.path("x.bin")))
        let options = ConvertOptions(
            raw: RawInputOptions(dtype: .float32, shape: [2, 3], byteOffset: 3, byteOrder: .big))
        try Converter.convert(
            inputPath: folder.path("x.bin"), outputPath: folder.path("x.safetensors"), options: options)
        let read = try TestTensors.readSafetensors(folder.path("x.safetensors"))
        #expect(read.names == ["x"])
        #expect(read["x"]?.data == tensor.data)
    }

    // MARK: dtypes

    @Test(arguments: [DType.float16, .bfloat16, .float32, .float64])
    func floatDTypeConvertsOnlyFloatTensors(dtype: DType) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try TestTensors.smallModel() + [try TestTensors.random("half", [4], dtype: .float16, seed: 7)]
        let input = try writeModel(tensors, in: folder)
        try Converter.convert(
            inputPath: input, outputPath: folder.path("out.safetensors"), options: ConvertOptions(floatDType: dtype))
        let read = try TestTensors.readSafetensors(folder.path("out.safetensors"))
        #expect(read.metadata == ["format": "pt"])
        for tensor in tensors {
            let converted = try #require(read[tensor.name])
            #expect(converted.shape == tensor.shape)
            if tensor.dtype.isFloatingPoint {
                #expect(converted.dtype == dtype, "\(tensor.name)")
                let expected = try Tensor(
                    name: tensor.name, shape: tensor.shape, float32Values: try tensor.float32Values(), dtype: dtype)
                #expect(converted.data == expected.data, "\(tensor.name): round to nearest even")
            } else {
                #expect(converted == tensor, "\(tensor.name) is written bit for bit")
            }
        }
    }

    // MARK: .wpk

    @Test func aWPKTargetIsTheSameFileAsPack() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let options = try PackOptions(quantization: .int8, codec: .lz4)
        let summary = try Converter.convert(
            inputPath: input, outputPath: folder.path("converted.wpk"), options: ConvertOptions(pack: options))
        try Packer.pack(inputPath: input, outputPath: folder.path("packed.wpk"), options: options)
        #expect(summary.format == .wpk)
        #expect(summary.tensorCount == 4)
        #expect(summary.writtenByteCount == (try bytes(folder.path("packed.wpk"))).count)
        #expect(try bytes(folder.path("converted.wpk")) == (try bytes(folder.path("packed.wpk"))))
    }

    @Test(arguments: [DType.float16, .bfloat16, .float64])
    func aLossyWPKConvertsBackToItsSourceDType(dtype: DType) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = [
            try TestTensors.random("w", [8, 16], dtype: dtype, seed: 2),
            try TestTensors.integers("ids", [3], [1, 2, 3] as [Int64], dtype: .int64),
        ]
        let input = try writeModel(tensors, in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("m.wpk"), options: PackOptions(quantization: .int8))
        #expect(
            try WPKReader(path: folder.path("m.wpk")).index.tensors.first { $0.name == "w" }?.stages.first?.name
                == "quant")
        try Converter.convert(
            inputPath: folder.path("m.wpk"), outputPath: folder.path("back.safetensors"), options: ConvertOptions())
        let back = try TestTensors.readSafetensors(folder.path("back.safetensors"))
        #expect(back["w"]?.dtype == dtype)
        #expect(back["ids"] == tensors[1])
        try Converter.convert(
            inputPath: folder.path("m.wpk"), outputPath: folder.path("raw"), options: ConvertOptions(target: .raw))
        let raw = try RawSource(folder: folder.path("raw"))
        #expect(raw.tensorInfos.first { $0.name == "w" }?.dtype == dtype)
    }

    @Test func aLosslessWPKConvertsToTheSourceBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try Packer.pack(
            inputPath: input, outputPath: folder.path("m.wpk"),
            options: PackOptions(quantization: .none, codec: .zstd(level: 3)))
        try Converter.convert(
            inputPath: folder.path("m.wpk"), outputPath: folder.path("back.safetensors"), options: ConvertOptions())
        #expect(try bytes(folder.path("back.safetensors")) == (try bytes(input)))
    }

    @Test func aDamagedInputLeavesNoOutput() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("m.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        let gamma = try #require(try WPKReader(path: path).index.tensors.first { $0.name == "gamma" })
        try WPKSurgery.editBytes(ofFileAt: path) { $0[gamma.offset] ^= 0x01 }
        for (output, target) in [("out.safetensors", OutputFormat.safetensors), ("raw", .raw)] {
            let error = convertError(path, folder.path(output), ConvertOptions(target: target))
            #expect(error?.tensorName == "gamma", "\(output)")
            #expect((error?.underlying as? FormatError)?.code == .checksumMismatch, "\(output)")
        }
        #expect(try folder.contents() == ["m.wpk"])
    }

    /// A second tensor whose file name is too long for the file system (over 255 bytes) fails the raw folder
    /// write after the first file is written; the converter promises that no output is left.
    @Test func aRawFolderWriteFailingMidwayLeavesNoOutput() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let long = String(repeating: "layer.", count: 50) + "weight"
        let input = try writeModel(
            [try TestTensors.random("a", [2], seed: 1), try TestTensors.random(long, [2], seed: 2)], in: folder)
        let error = convertError(input, folder.path("raw"), ConvertOptions(target: .raw))
        #expect(error != nil)
        let left = try folder.contents()
        #expect(left == ["model.safetensors"])

    }
}
