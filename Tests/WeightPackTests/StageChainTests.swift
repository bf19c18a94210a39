import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Decoding stage chains through ``WPKSource`` (docs/FORMAT.md §4–6).
struct StageChainTests {
    /// A 2-D weight that `quant:int8` then zstd both apply to, a compressible integer tensor, and a bias.
    private static func tensors() throws -> [Tensor] {
        [
            try TestTensors.floats("layer.0.weight", [16, 16], (0..<256).map { Float($0 % 8) - 3.5 }),
            try TestTensors.integers("layer.0.ids", [64], (0..<64).map { Int32($0 / 8) }, dtype: .int32),
            try TestTensors.floats("layer.0.bias", [16], (0..<16).map { Float($0) / 16 }),
        ]
    }

    /// Packs ``tensors()`` with `quant:int8` and `codec` into `model.wpk` and returns its path.
    private func packedFile(in folder: TemporaryDirectory, codec: PackOptions.Codec = .zstd(level: 3)) throws -> String
    {
        let input = folder.path("model.safetensors")
        let output = folder.path("model.wpk")
        try TestTensors.writeSafetensors(try Self.tensors(), to: input)
        try Packer.pack(inputPath: input, outputPath: output, options: PackOptions(quantization: .int8, codec: codec))
        return output
    }

    private func position(of name: String, in path: String) throws -> Int {
        try #require(try WPKSurgery.records(ofFileAt: path).firstIndex { $0["name"] as? String == name })
    }

    @Test(arguments: ["zstd", "lz4"])
    func chainsDecodeLastStageFirst(codecName: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder, codec: try .init(parsing: codecName))
        let source = try WPKSource(path: path)
        let infos = Dictionary(uniqueKeysWithValues: source.tensorInfos.map { ($0.name, $0) })

        let weightInfo = try #require(infos["layer.0.weight"])
        #expect(weightInfo.stages.map(\.name) == ["quant", codecName])
        // The payload after `quant` (§5.1): a table of two section lengths, 16 scales, 256 codes.
        #expect(weightInfo.stages.first?.outputByteCount == 4 + 2 * 8 + 16 * 4 + 256)
        // Every row holds -3.5...3.5, so scale = 3.5 / 127 and ±0.5 steps fall near codes.
        let weight = try source.decodedTensor(weightInfo)
        #expect(weight.dtype == .float32)
        let violations = QuantizationBounds.violations(
            source: try Self.tensors()[0].float32Values(), decoded: try weight.float32Values(), rows: 16)
        #expect(violations.isEmpty)

        let idsInfo = try #require(infos["layer.0.ids"])
        #expect(idsInfo.stages.map(\.name) == [codecName])
        #expect(try source.decodedTensor(idsInfo) == (try Self.tensors()[1]))
        #expect(try source.decodedTensor(try #require(infos["layer.0.bias"])) == (try Self.tensors()[2]))
    }

    @Test func anUnknownStageRefusesThatTensorOnly() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.ids", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            stages[stages.count - 1]["name"] = "brotli"
            record["stages"] = stages
        }

        let source = try WPKSource(path: path)  // the index itself is consistent
        let ids = try #require(source.tensorInfos.first { $0.name == "layer.0.ids" })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(ids) }
        #expect(error?.code == .unknownStage)
        #expect(error?.message.contains("'brotli'") == true, "\(error?.message ?? "")")
        #expect(error?.tensorName == "layer.0.ids")
        #expect(error?.path == path)
        #expect(
            error?.description
                == "\(path), tensor 'layer.0.ids': stage 'brotli' is not known to this version of WeightPack")
        for info in source.tensorInfos where info.name != ids.name {
            #expect(try source.decodedTensor(info).shape == info.shape, "\(info.name) still decodes")
        }
        #expect(try Inspector.inspect(path: path).tensors.first { $0.name == "layer.0.ids" }?.stages == ["brotli"])
    }

    /// `int8` was the quantization stage's name in version 1; version 2 calls it `quant` and knows no `int8`.
    @Test(arguments: ["int4", "int8"])
    func unpackOfAFileWithAnUnknownStageFailsAndLeavesNoOutput(stageName: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.weight", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            stages[0]["name"] = stageName
            record["stages"] = stages
        }
        let before = try folder.contents()
        let error = #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: path, outputPath: folder.path("out.safetensors"))
        }
        #expect(error?.code == .unknownStage)
        #expect(error?.message == "stage '\(stageName)' is not known to this version of WeightPack")
        #expect(error?.tensorName == "layer.0.weight")
        #expect(try folder.contents() == before)
    }

    @Test func quantOnAnIntegerTensorIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder, codec: .none)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.ids", in: path), ofFileAt: path) { record in
            record["stages"] = [
                [
                    "name": "quant",
                    "params": Self.quantParameters.merging(["rows": "1", "columns": "64"]) { $1 },
                    "output_bytes": 256,
                ]
            ]
        }
        let source = try WPKSource(path: path)
        let ids = try #require(source.tensorInfos.first { $0.name == "layer.0.ids" })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(ids) }
        #expect(error?.code == .invalidStageParameters)
        #expect(error?.message.contains("'quant' needs float values") == true, "\(error?.message ?? "")")
        #expect(error?.tensorName == "layer.0.ids")
    }

    @Test func anIntermediateOutputByteCountIsInformative() throws {
        // §3: only the last stage's output_bytes is checked (against the segment's length); the others are for
        // `inspect`, so a wrong one changes nothing the decoder does.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        let before = try WPKSource(path: path)
        let weightBefore = try before.decodedTensor(
            try #require(before.tensorInfos.first { $0.name == "layer.0.weight" }))
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.weight", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            stages[0]["output_bytes"] = (stages[0]["output_bytes"] as? Int ?? 0) + 1
            record["stages"] = stages
        }
        let source = try WPKSource(path: path)
        let weight = try #require(source.tensorInfos.first { $0.name == "layer.0.weight" })
        #expect(weight.stages.first?.outputByteCount == 4 + 2 * 8 + 16 * 4 + 256 + 1)
        #expect(try source.decodedTensor(weight) == weightBefore)
    }

    /// The `quant` parameters `pack` records for the `[16, 16]` weight with `quant:int8` (16 scales, 256 codes).
    static let quantParameters: [String: String] = [
        "format": "int8", "mode": "sym", "granularity": "per_channel", "scale": "f32", "packing": "bits",
        "rows": "16", "columns": "16",
    ]

    /// `quant` parameters of the `[16, 16]` weight, damaged in the index (`nil` removes a key); the code of the
    /// error that starts the failure and its message (docs/FORMAT.md §5.3): parameters first, then `rows` and
    /// `columns` against the shape, then the sections against the parameters.
    static let damagedQuantParameters: [([String: String?], String, String)] = [
        (
            ["rows": "8"], "invalidParameter",
            "stage 'quant' parameter 'rows' is '8'; shape [16, 16] has 16"
        ),
        (
            ["rows": nil], "invalidParameter",
            "stage 'quant' parameter 'rows' is missing; shape [16, 16] has 16"
        ),
        (
            ["granularity": "per_tensor", "rows": "2", "columns": "128"], "invalidParameter",
            "stage 'quant' parameter 'rows' is '2'; shape [16, 16] has 16"
        ),
        (
            ["granularity": "per_row"], "invalidParameter",
            "stage 'quant' needs parameter 'granularity' as one of per_tensor, per_channel, group; found 'per_row'"
        ),
        (
            ["format": nil], "invalidParameter",
            "stage 'quant' needs parameter 'format' as one of int8, int4, int2; found none"
        ),
        (
            ["format": "int4"], "corruptPayload",
            "stage 'quant:int4' codes section holds 256 bytes; 16 scales and 256 elements of shape need 128"
        ),
        (
            ["granularity": "per_tensor"], "corruptPayload",
            "stage 'quant:int8:per_tensor' scales section holds 64 bytes; 1 scales and 256 elements of shape need 4"
        ),
        (
            ["granularity": "group", "group": "7"], "blockSizeNotDivisor",
            "stage 'quant:int8:group=7': group size 7 does not divide the row length 16 of shape [16, 16]"
        ),
        (
            ["mode": "asym"], "corruptIndex",
            "payload holds 2 sections; its stage chain produces 3"
        ),
    ]

    @Test(arguments: damagedQuantParameters)
    func quantParametersThatDisagreeWithTheShapeOrPayloadAreRejected(
        edit: [String: String?], code: String, message: String
    ) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.weight", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            var parameters = try #require(stages[0]["params"] as? [String: String])
            #expect(parameters == Self.quantParameters, "pack records every parameter")
            for (key, value) in edit { parameters[key] = value }
            stages[0]["params"] = parameters
            record["stages"] = stages
        }
        let source = try WPKSource(path: path)
        let weight = try #require(source.tensorInfos.first { $0.name == "layer.0.weight" })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(weight) }
        #expect(error?.originalCode == code)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
        #expect(error?.tensorName == "layer.0.weight")
        #expect(error?.path == path)
        for info in source.tensorInfos where info.name != weight.name {
            #expect(try source.decodedTensor(info).shape == info.shape, "\(info.name) still decodes")
        }
    }
}
