import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// What `pack` refuses, and what it leaves on disk when it does.
struct PackerTests {
    enum OutputSpelling: String, CaseIterable, Sendable {
        case samePath, dotSegment, symbolicLink, hardLink
    }

    @Test(arguments: OutputSpelling.allCases)
    func packRefusesToOverwriteItsInput(spelling: OutputSpelling) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let output: String
        switch spelling {
        case .samePath: output = input
        case .dotSegment: output = folder.url.path + "/./model.safetensors"
        case .symbolicLink:
            output = folder.path("link.safetensors")
            try FileManager.default.createSymbolicLink(atPath: output, withDestinationPath: input)
        case .hardLink:
            output = folder.path("hard.safetensors")
            try FileManager.default.linkItem(atPath: input, toPath: output)
        }
        let contents = try folder.contents()

        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: input, outputPath: output, options: PackOptions())
        }
        #expect(error?.code == .outputIsInput)
        #expect(error?.message.contains(input) == true, "\(error?.message ?? "")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "the input is untouched")
        #expect(try folder.contents() == contents, "no file was added")
    }

    @Test func nanInA2DFloatTensorFailsNamingTheTensorAndLeavesNoFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        var values = (0..<12).map { Float($0) - 5 }
        values[7] = .nan
        let tensors = [
            try TestTensors.random("a.good.weight", [4, 4], seed: 3),
            try TestTensors.floats("encoder.bad.weight", [3, 4], values),
        ]
        try TestTensors.writeSafetensors(tensors, to: input)

        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        }
        let description = error?.description ?? ""
        #expect(description.contains("'encoder.bad.weight'"), "\(description)")
        #expect(description.contains("1 of 12 elements are NaN or infinite"), "\(description)")
        #expect(error?.tensorName == "encoder.bad.weight")
        #expect(try folder.contents() == ["model.safetensors"], "neither the output nor its temporary file remains")
        // The input file and the tensor, each named once.
        #expect(error?.path == input)
        #expect(error?.code == .underlying)
        let message =
            "1 of 12 elements are NaN or infinite as Float32; stage 'quant:int8' cannot represent them "
            + "(pack --nan zero sets them to 0; --nan keep-float keeps this tensor lossless)"
        #expect(error?.message == message)
        #expect(description == "\(input), tensor 'encoder.bad.weight': \(message)")
        #expect(description.components(separatedBy: "encoder.bad.weight").count == 2, "\(description)")
        #expect(description.components(separatedBy: input).count == 2, "\(description)")
    }

    @Test func nanInA1DTensorIsStoredAsIs() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        let bias = try TestTensors.floats("bias", [4], [1, .nan, -.infinity, 2])
        try TestTensors.writeSafetensors([bias], to: input)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        try Unpacker.unpack(inputPath: folder.path("model.wpk"), outputPath: folder.path("out.safetensors"))
        #expect(try TestTensors.readSafetensors(folder.path("out.safetensors"))["bias"] == bias)
    }

    @Test func anOutOfRangeZstdLevelIsRefusedBeforeWriting() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(
                inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions(codec: .zstd(level: 99)))
        }
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains("99") == true, "\(error?.message ?? "")")
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test func aMissingInputFailsNamingIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("absent.safetensors")
        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message == "no such file")
        #expect(error?.path == input)
        #expect(error?.underlying == nil)
        #expect(error?.description == "\(input): no such file")
        #expect(try folder.contents().isEmpty)
    }

    @Test func aFolderAsInputFailsNamingIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: false)
        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.path == input)
        #expect(error?.message.hasPrefix("is a folder") == true, "\(error?.message ?? "")")
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test(arguments: ["model.safetensors", "model.WPK.bak", "model"])
    func packRefusesAnOutputThatIsNotAWPK(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("in.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: input, outputPath: folder.path(name), options: PackOptions())
        }
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains("*.wpk") == true, "\(error?.message ?? "")")
        #expect(try folder.contents() == ["in.safetensors"])
    }

    @Test func aFailedPackLeavesAnExistingOutputAsItWas() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        let output = folder.path("model.wpk")
        try TestTensors.writeSafetensors([try TestTensors.floats("w", [2, 2], [1, .infinity, 3, 4])], to: input)
        try Data("previous".utf8).write(to: URL(fileURLWithPath: output))
        #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: input, outputPath: output, options: PackOptions())
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data("previous".utf8))
        #expect(try folder.contents() == ["model.safetensors", "model.wpk"])
    }

    @Test func summaryCountsBytesPerTensorAndForTheFiles() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        let output = folder.path("model.wpk")
        let tensors = try TestTensors.smallModel()
        try TestTensors.writeSafetensors(tensors, to: input)
        let summary = try Packer.pack(inputPath: input, outputPath: output, options: PackOptions())
        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int }
        #expect(summary.inputFileByteCount == (try size(input)))
        #expect(summary.outputFileByteCount == (try size(output)))
        let records = try WPKReader(path: output).index.tensors
        #expect(summary.tensors.map(\.name) == records.map(\.name))
        for (row, record) in zip(summary.tensors, records) {
            #expect(row.storedByteCount == record.length)
            #expect(row.stageNames == record.stages.map(\.name))
            #expect(row.originalByteCount == (try record.shape.byteCount(of: record.dtype)))
        }
    }

    @Test func repackingAQuantizedHalfPrecisionWPKLosslesslyStaysReadable() throws {
        // f16 → int8 → (decoded to f32, converted back to f16) → packed again with --quant none: the second file
        // records f16 with f16 bytes, decodes, and unpacks to the same bytes as the first.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors([try TestTensors.random("w", [8, 8], dtype: .float16, seed: 4)], to: input)
        try Packer.pack(inputPath: input, outputPath: folder.path("a.wpk"), options: PackOptions())
        let repacked = folder.path("b.wpk")
        try Packer.pack(
            inputPath: folder.path("a.wpk"), outputPath: repacked,
            options: PackOptions(quantization: .none, codec: .none))

        let record = try #require(try WPKReader(path: repacked).index.tensors.first)
        #expect(record.dtype == .float16)
        #expect(record.stages.isEmpty)
        #expect(record.length == 8 * 8 * 2)
        let first = try WPKSource(path: folder.path("a.wpk"))
        let second = try WPKSource(path: repacked)
        let decoded = try first.decodedTensor(try #require(first.tensorInfos.first))
        let stored = try second.decodedTensor(try #require(second.tensorInfos.first))
        #expect(stored.dtype == .float16)
        #expect(
            stored
                == (try Tensor(name: "w", shape: [8, 8], float32Values: decoded.float32Values(), dtype: .float16)),
            "the f32 decode of the int8 stage, rounded once to f16")

        try Unpacker.unpack(inputPath: folder.path("a.wpk"), outputPath: folder.path("a.safetensors"))
        try Unpacker.unpack(inputPath: repacked, outputPath: folder.path("b.safetensors"))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: folder.path("a.safetensors")))
                == (try Data(contentsOf: URL(fileURLWithPath: folder.path("b.safetensors")))))
        let report = try Verifier.verify(referencePath: folder.path("a.safetensors"), candidatePath: repacked)
        #expect(report.tensors.first?.bitExact == true)
        #expect(report.tensors.first?.snrDecibels == .infinity)
    }
}
