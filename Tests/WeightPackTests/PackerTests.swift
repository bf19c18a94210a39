import Formats
import Foundation
import TensorCore
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
        withKnownIssue(
            "Packer: the NaN error names the tensor twice and no file (TransformError.description is nested)"
        ) {
            #expect(description.components(separatedBy: "encoder.bad.weight").count == 2, "\(description)")
            #expect(error?.path != nil, "\(description)")
        }
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
        #expect((error?.underlying as? FormatError)?.code == .ioFailure)
        #expect(error?.description.contains(input) == true, "\(error?.description ?? "")")
        #expect(try folder.contents().isEmpty)
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
        // f16 → int8 → (decoded to f32) → packed again with --quant none: the second file must still decode.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors([try TestTensors.random("w", [8, 8], dtype: .float16, seed: 4)], to: input)
        try Packer.pack(inputPath: input, outputPath: folder.path("a.wpk"), options: PackOptions())
        let repacked = folder.path("b.wpk")
        withKnownIssue("Packer records the source dtype (f16) with the decoded f32 bytes of a lossy .wpk input") {
            try Packer.pack(
                inputPath: folder.path("a.wpk"), outputPath: repacked,
                options: PackOptions(quantization: .none, codec: .none))
            let report = try Verifier.verify(referencePath: folder.path("a.wpk"), candidatePath: repacked)
            #expect(report.tensors.first?.snrDecibels == .infinity)
        }
    }
}
