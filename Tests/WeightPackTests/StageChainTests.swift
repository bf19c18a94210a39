import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Decoding stage chains through ``WPKSource`` (docs/FORMAT.md §4–6).
struct StageChainTests {
    /// A 2-D weight that int8 then zstd both apply to, a compressible integer tensor, and a bias.
    private static func tensors() throws -> [Tensor] {
        [
            try TestTensors.floats("layer.0.weight", [16, 16], (0..<256).map { Float($0 % 8) - 3.5 }),
            try TestTensors.integers("layer.0.ids", [64], (0..<64).map { Int32($0 / 8) }, dtype: .int32),
            try TestTensors.floats("layer.0.bias", [16], (0..<16).map { Float($0) / 16 }),
        ]
    }

    /// Packs ``tensors()`` with int8 and `codec` into `model.wpk` and returns its path.
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
        #expect(weightInfo.stages.map(\.name) == ["int8", codecName])
        #expect(weightInfo.stages.first?.outputByteCount == 16 * 4 + 256)
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

    @Test func unpackOfAFileWithAnUnknownStageFailsAndLeavesNoOutput() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.weight", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            stages[0]["name"] = "int4"
            record["stages"] = stages
        }
        let before = try folder.contents()
        let error = #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: path, outputPath: folder.path("out.safetensors"))
        }
        #expect(error?.code == .unknownStage)
        #expect(error?.message.contains("'int4'") == true)
        #expect(try folder.contents() == before)
    }

    @Test func int8OnAnIntegerTensorIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder, codec: .none)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.ids", in: path), ofFileAt: path) { record in
            record["stages"] = [
                [
                    "name": "int8", "params": ["granularity": "per_tensor", "rows": "1", "columns": "64"],
                    "output_bytes": 256,
                ]
            ]
        }
        let source = try WPKSource(path: path)
        let ids = try #require(source.tensorInfos.first { $0.name == "layer.0.ids" })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(ids) }
        #expect(error?.code == .invalidStageParameters)
        #expect(error?.message.contains("float tensor") == true, "\(error?.message ?? "")")
    }

    @Test func aStageYieldingTheWrongByteCountIsRejected() throws {
        // §4: int8 recorded one byte more than it produced, so zstd must yield that many and cannot.
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.weight", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            stages[0]["output_bytes"] = (stages[0]["output_bytes"] as? Int ?? 0) + 1
            record["stages"] = stages
        }
        let source = try WPKSource(path: path)
        let weight = try #require(source.tensorInfos.first { $0.name == "layer.0.weight" })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(weight) }
        #expect(error?.code == .underlying)
        #expect(error?.tensorName == "layer.0.weight")
    }

    /// int8 parameters of a `[16, 16]` weight (16 scales, 256 codes: 320 bytes), damaged in the index; the
    /// code and message expected. Granularity and rows are checked against the shape first (docs/FORMAT.md §5.1),
    /// then the dequantizer checks rows × columns and the byte count.
    static let damagedInt8Parameters: [([String: String], String, String)] = [
        (
            ["granularity": "per_channel", "rows": "8", "columns": "16"], "invalidStageParameters",
            "int8 per_channel records 8 rows; shape [16, 16] needs 16"
        ),
        (
            ["granularity": "per_channel", "columns": "16"], "invalidStageParameters",
            "int8 per_channel records no rows; shape [16, 16] needs 16"
        ),
        (
            ["granularity": "per_tensor", "rows": "2", "columns": "128"], "invalidStageParameters",
            "int8 per_tensor records 2 rows; it needs 1"
        ),
        (
            ["granularity": "per_row", "rows": "16", "columns": "16"], "invalidStageParameters",
            "int8 granularity 'per_row' is not per_channel or per_tensor"
        ),
        (
            ["granularity": "per_channel", "rows": "16", "columns": "8"], "underlying",
            "int8 parameters 'rows' × 'columns' = 16 × 8, but the shape has 256 elements"
        ),
        (
            ["granularity": "per_tensor", "rows": "1", "columns": "256"], "underlying",
            "int8 stage holds 320 bytes; 1 scales and 256 codes need 1 × 4 + 256"
        ),
    ]

    @Test(arguments: damagedInt8Parameters)
    func int8ParametersThatDisagreeWithTheShapeAreRejected(
        parameters: [String: String], code: String, message: String
    ) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try packedFile(in: folder)
        try WPKSurgery.rewriteRecord(try position(of: "layer.0.weight", in: path), ofFileAt: path) { record in
            var stages = try #require(record["stages"] as? [[String: Any]])
            stages[0]["params"] = parameters
            record["stages"] = stages
        }
        let source = try WPKSource(path: path)
        let weight = try #require(source.tensorInfos.first { $0.name == "layer.0.weight" })
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(weight) }
        #expect(error?.code == WeightPackError.Code(rawValue: code))
        #expect(error?.message == message)
        #expect(error?.tensorName == "layer.0.weight")
        #expect(error?.path == path)
        for info in source.tensorInfos where info.name != weight.name {
            #expect(try source.decodedTensor(info).shape == info.shape, "\(info.name) still decodes")
        }
    }
}
