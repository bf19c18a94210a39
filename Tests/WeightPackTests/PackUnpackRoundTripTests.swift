import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `pack` then `unpack`, checked against the source tensors (docs/FORMAT.md §4–5).
struct PackUnpackRoundTripTests {
    /// Writes `tensors` as `model.safetensors`, packs it with `options`, unpacks it to `unpacked.safetensors`, and
    /// returns what came back, the pack summary and the `.wpk` reader.
    private func roundTrip(
        _ tensors: [Tensor], metadata: [String: String] = [:], options: PackOptions, floatDType: DType? = nil,
        in folder: TemporaryDirectory
    ) throws -> (TensorCollection, PackSummary, WPKReader) {
        let input = folder.path("model.safetensors")
        let packed = folder.path("model.wpk")
        let output = folder.path("unpacked.safetensors")
        try TestTensors.writeSafetensors(tensors, metadata: metadata, to: input)
        let summary = try Packer.pack(inputPath: input, outputPath: packed, options: options)
        let written = try Unpacker.unpack(inputPath: packed, outputPath: output, floatDType: floatDType)
        #expect(written == (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int))
        return (try TestTensors.readSafetensors(output), summary, try WPKReader(path: packed))
    }

    @Test func int8ZstdKeepsIntegerAnd1DTensorsBitExactAnd2DFloatsWithinHalfScale() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = try TestTensors.smallModel()
        let (unpacked, summary, _) = try roundTrip(
            source, options: PackOptions(quantization: .int8, codec: .zstd(level: 3)), in: folder)

        let weight = source[0]
        let decodedWeight = try #require(unpacked[weight.name])
        #expect(decodedWeight.dtype == .float32 && decodedWeight.shape == weight.shape)
        let violations = QuantizationBounds.violations(
            source: try weight.float32Values(), decoded: try decodedWeight.float32Values(), rows: 16)
        #expect(violations.isEmpty, "elements beyond scale / 2: \(violations)")
        #expect(decodedWeight.data != weight.data, "a quantized weight is not stored as is")

        for tensor in source.dropFirst() {
            let decoded = try #require(unpacked[tensor.name])
            #expect(decoded == tensor, "\(tensor.name) is bit-exact")
        }
        let stages = Dictionary(uniqueKeysWithValues: summary.tensors.map { ($0.name, $0.stageNames) })
        #expect(stages[weight.name]?.first == "quant")
        #expect(stages["encoder.layer.0.attention.query.bias"]?.contains("quant") == false)
        #expect(stages["embeddings.position_ids"]?.contains("quant") == false)
    }

    @Test(arguments: ["zstd", "zstd:19", "lz4", "none"])
    func losslessPackingUnpacksToTheSourceBytes(codecName: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        // A compressible float tensor, so that the codec stage is applied.
        let steps = try TestTensors.floats("steps", [32, 32], (0..<1024).map { Float($0 % 16) * 0.25 })
        let tensors = try TestTensors.smallModel() + [steps]
        let codec = try PackOptions.Codec(parsing: codecName)
        let (unpacked, summary, _) = try roundTrip(
            tensors, metadata: ["format": "pt"], options: PackOptions(quantization: .none, codec: codec), in: folder)

        #expect(
            try Data(contentsOf: folder.url.appendingPathComponent("unpacked.safetensors"))
                == Data(contentsOf: folder.url.appendingPathComponent("model.safetensors")))
        #expect(unpacked.metadata == ["format": "pt"])
        #expect(Set(unpacked.names) == Set(tensors.map(\.name)))
        for tensor in tensors { #expect(unpacked[tensor.name] == tensor, "\(tensor.name)") }
        let stepsStages = summary.tensors.first { $0.name == "steps" }?.stageNames
        let expectedStage = String(codecName.prefix { $0 != ":" })
        #expect(stepsStages == (codec == .none ? [] : [expectedStage]))
        #expect(summary.tensors.allSatisfy { !$0.stageNames.contains("quant") })
    }

    @Test(arguments: [DType.float16, .bfloat16, .float64])
    func otherFloatSourcesAreQuantizedAndUnpackToTheirSourceDType(dtype: DType) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let weight = try TestTensors.random("w", [12, 20], dtype: dtype, magnitude: 2, seed: 7)
        let (unpacked, summary, reader) = try roundTrip([weight], options: PackOptions(), in: folder)

        #expect(summary.tensors.first?.stageNames.first == "quant")
        #expect(reader.index.tensors.first?.dtype == dtype, "the index records the source dtype")
        let decoded = try #require(unpacked["w"])
        #expect(decoded.dtype == dtype)
        #expect(decoded.shape == weight.shape)
        let relative = QuantizationBounds.relativeHalfUlp(dtype)
        let violations = QuantizationBounds.violations(
            source: try weight.float32Values(), decoded: try decoded.float32Values(), rows: 12
        ) { value, scale in (abs(value) + scale) * relative + scale * 0x1p-16 }
        #expect(violations.isEmpty, "elements beyond scale / 2 plus one \(dtype.name) rounding: \(violations)")
    }

    @Test(arguments: [DType.float16, .bfloat16, .float32])
    func unpackDTypeConvertsOnlyFloatTensors(floatDType: DType) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let source = try TestTensors.smallModel()
        let (unpacked, _, _) = try roundTrip(source, options: PackOptions(), floatDType: floatDType, in: folder)

        for tensor in source {
            let decoded = try #require(unpacked[tensor.name])
            if tensor.dtype.isFloatingPoint {
                #expect(decoded.dtype == floatDType, "\(tensor.name)")
            } else {
                #expect(decoded == tensor, "\(tensor.name) is written bit for bit")
            }
        }
        let bias = source[1]
        let decodedBias = try #require(unpacked[bias.name])
        let expected = try Tensor(
            name: bias.name, shape: bias.shape, float32Values: bias.float32Values(), dtype: floatDType)
        #expect(decodedBias.data == expected.data, "an unquantized bias is only rounded to the new dtype")
    }

    @Test func unpackRefusesANonFloatDType() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let error = #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: input, outputPath: folder.path("out.safetensors"), floatDType: .int8)
        }
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains("i8") == true)
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test(arguments: ["out.wpk", "out.st", "out"])
    func unpackRefusesAnOutputThatIsNotSafetensors(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        try Packer.pack(inputPath: input, outputPath: folder.path("model.wpk"), options: PackOptions())
        let before = try folder.contents()
        let error = #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: folder.path("model.wpk"), outputPath: folder.path(name))
        }
        #expect(error?.code == .invalidOutput)
        #expect(error?.message.contains("*.safetensors") == true, "\(error?.message ?? "")")
        #expect(try folder.contents() == before)
    }

    @Test func unpackOntoItsOwnInputIsRefusedAsSuch() throws {
        // The identity check comes before the extension check: a .wpk output that is the input says so.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let packed = folder.path("model.wpk")
        try Packer.pack(inputPath: input, outputPath: packed, options: PackOptions())
        let error = #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: packed, outputPath: packed)
        }
        #expect(error?.code == .outputIsInput)
    }

    @Test func metadataIsCarriedThroughBothWays() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let metadata = ["format": "pt", "producer": "unit test", "quote": "\"x\" / y"]
        let (unpacked, _, reader) = try roundTrip(
            try TestTensors.smallModel(), metadata: metadata, options: PackOptions(), in: folder)
        #expect(reader.index.metadata == metadata)
        let inputSize = try #require(
            try FileManager.default.attributesOfItem(atPath: folder.path("model.safetensors"))[.size] as? Int)
        #expect(reader.index.source == ["format": "safetensors", "bytes": String(inputSize)])
        #expect(unpacked.metadata == metadata)
    }

    @Test(arguments: ["zstd", "lz4"])
    func aCodecIsSkippedWhenItDoesNotShrinkTheBytes(codecName: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let noise = try Tensor(
            name: "noise", dtype: .uint8, shape: [4096], data: TestTensors.randomBytes(4096, seed: 99))
        let (unpacked, summary, reader) = try roundTrip(
            [noise], options: PackOptions(quantization: .int8, codec: try .init(parsing: codecName)), in: folder)
        let record = try #require(reader.index.tensors.first)
        #expect(record.stages.isEmpty)
        #expect(record.length == 4096)
        #expect(summary.tensors.first?.stageNames == [])
        #expect(summary.tensors.first?.storedByteCount == 4096)
        #expect(unpacked["noise"] == noise)
    }

    @Test func packRoundTripsEmptyAndScalarTensors() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = [
            try TestTensors.floats("empty.rows", [0, 4], []),
            try TestTensors.floats("empty.columns", [4, 0], []),
            try TestTensors.floats("scalar", [], [3.5]),
            try TestTensors.floats("vector.empty", [0], []),
        ]
        let (unpacked, _, _) = try roundTrip(tensors, options: PackOptions(), in: folder)
        for tensor in tensors {
            #expect(unpacked[tensor.name] == tensor, "\(tensor.name)")
        }
    }

    @Test func aWPKCanBeRepackedWithAnotherCodec() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        try Packer.pack(inputPath: input, outputPath: folder.path("a.wpk"), options: PackOptions())
        try Packer.pack(
            inputPath: folder.path("a.wpk"), outputPath: folder.path("b.wpk"),
            options: PackOptions(quantization: .none, codec: .lz4))
        let report = try Verifier.verify(referencePath: folder.path("a.wpk"), candidatePath: folder.path("b.wpk"))
        #expect(report.namesAndShapesMatch)
        #expect(report.tensors.allSatisfy { $0.snrDecibels == .infinity })
        let source = try WPKReader(path: folder.path("b.wpk")).index.source
        #expect(source["format"] == "wpk")
    }
}
