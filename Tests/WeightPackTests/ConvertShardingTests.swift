import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `Converter.convert` with a maximum shard size: Hugging Face sharded checkpoints in and out.
struct ConvertShardingTests {
    /// Six Float32 tensors of 64, 64, 64, 16, 256 and 8 bytes, and an int64 of 24 bytes.
    private func tensors() throws -> [Tensor] {
        [
            try TestTensors.random("layer.0.weight", [4, 4], seed: 1),
            try TestTensors.random("layer.1.weight", [4, 4], seed: 2),
            try TestTensors.random("layer.2.weight", [4, 4], seed: 3),
            try TestTensors.random("layer.2.bias", [4], seed: 4),
            try TestTensors.random("embed.weight", [8, 8], seed: 5),
            try TestTensors.random("norm.bias", [2], seed: 6),
            try TestTensors.integers("position_ids", [3], [0, 1, 2] as [Int64], dtype: .int64),
        ]
    }

    private func writeModel(in folder: TemporaryDirectory) throws -> String {
        let path = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try tensors(), metadata: ["format": "pt"], to: path)
        return path
    }

    private func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Converts `model.safetensors` in `folder` to `out/model.safetensors` with `limit`.
    private func shard(_ input: String, limit: Int, in folder: TemporaryDirectory) throws -> ConvertSummary {
        try FileManager.default.createDirectory(atPath: folder.path("out"), withIntermediateDirectories: true)
        return try Converter.convert(
            inputPath: input, outputPath: folder.path("out/model.safetensors"),
            options: ConvertOptions(maximumShardByteCount: limit))
    }

    @Test func aSmallLimitWritesShardsAndAnIndexThatReadBack() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let summary = try shard(input, limit: 128, in: folder)
        let out = try FileManager.default.contentsOfDirectory(atPath: folder.path("out")).sorted()
        // Source order is safetensors order: position_ids (I64) first, then the F32 tensors by name.
        #expect(out == (1...4).map { "model-0000\($0)-of-00004.safetensors" } + ["model.safetensors.index.json"])
        #expect(summary.writtenPaths == out.map { folder.path("out/\($0)") })
        #expect(summary.tensorCount == 7)
        #expect(summary.writtenByteCount == summary.writtenPaths.reduce(0) { $0 + ((try? bytes($1).count) ?? 0) })
        let reader = try ShardedSafetensorsReader(indexPath: folder.path("out/model.safetensors.index.json"))
        #expect(reader.index.totalSize == 64 * 3 + 16 + 256 + 8 + 24)
        #expect(reader.metadata == ["format": "pt"])
        let files = Dictionary(grouping: reader.index.weightMap, by: \.file)
        let groups = files.keys.sorted().map { file in files[file]!.map(\.name).sorted() }
        #expect(
            groups == [
                ["embed.weight"], ["layer.0.weight", "position_ids"], ["layer.1.weight", "layer.2.bias"],
                ["layer.2.weight", "norm.bias"],
            ])
        for (position, item) in reader.entries.enumerated() {
            let tensor = try reader.shards[item.shard].tensor(item.entry)
            #expect(try tensors().contains(tensor), "entry \(position): \(item.entry.name)")
        }
    }

    @Test func aLimitTheModelFitsWritesOnePlainFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let summary = try shard(input, limit: 10_000, in: folder)
        #expect(summary.writtenPaths == [folder.path("out/model.safetensors")])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("out")) == ["model.safetensors"])
        #expect(try bytes(folder.path("out/model.safetensors")) == (try bytes(input)))
    }

    @Test(arguments: [8, 100, 128, 300])
    func shardedAndBackIsByteIdentical(limit: Int) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        _ = try shard(input, limit: limit, in: folder)
        for source in [folder.path("out/model.safetensors.index.json"), folder.path("out")] {
            let back = folder.path("back.safetensors")
            try? FileManager.default.removeItem(atPath: back)
            let summary = try Converter.convert(inputPath: source, outputPath: back, options: ConvertOptions())
            #expect(summary.tensorCount == 7)
            #expect(try bytes(back) == (try bytes(input)), "from \(source)")
        }
    }

    @Test func shardingWithADTypeConvertsFloatTensorsOnly() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        try FileManager.default.createDirectory(atPath: folder.path("out"), withIntermediateDirectories: true)
        try Converter.convert(
            inputPath: input, outputPath: folder.path("out/model.safetensors"),
            options: ConvertOptions(floatDType: .bfloat16, maximumShardByteCount: 64))
        let source = try openTensorSource(path: folder.path("out"))
        #expect(source.format == .shardedSafetensors)
        for info in source.tensorInfos {
            #expect(info.dtype == (info.name == "position_ids" ? .int64 : .bfloat16), "\(info.name)")
        }
        let reader = try ShardedSafetensorsReader(indexPath: folder.path("out/model.safetensors.index.json"))
        #expect(reader.index.totalSize == (64 * 3 + 16 + 256 + 8) / 2 + 24)
    }

    @Test func aShardedSourceIsOneTensorSource() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        _ = try shard(input, limit: 100, in: folder)
        let source = try ShardedSafetensorsSource(indexPath: folder.path("out/model.safetensors.index.json"))
        #expect(source.format == .shardedSafetensors)
        #expect(source.metadata == ["format": "pt"])
        #expect(Set(source.tensorInfos.map(\.name)) == Set(try tensors().map(\.name)))
        #expect(source.tensorInfos.map(\.position) == Array(0..<7))
        let shardBytes = try FileManager.default.contentsOfDirectory(atPath: folder.path("out"))
            .filter { $0.hasSuffix(".safetensors") }.reduce(0) { $0 + (try bytes(folder.path("out/\($1)"))).count }
        #expect(source.fileByteCount == shardBytes)
        var info = try #require(source.tensorInfos.first)
        info.position = 7
        #expect(throws: WeightPackError.self) { try source.decodedTensor(info) }
    }

    @Test func aDamagedTensorMidwayRemovesTheShardsAlreadyWritten() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("m.wpk")
        try WPKSurgery.writeThreeTensorFile(at: path)
        let gamma = try #require(try WPKReader(path: path).index.tensors.first { $0.name == "gamma" })
        try WPKSurgery.editBytes(ofFileAt: path) { $0[gamma.offset] ^= 0x01 }
        let error = #expect(throws: WeightPackError.self) {
            try Converter.convert(
                inputPath: path, outputPath: folder.path("out.safetensors"),
                options: ConvertOptions(maximumShardByteCount: 64))
        }
        #expect(error?.tensorName == "gamma")
        #expect(try folder.contents() == ["m.wpk"], "shards 1 and 2 are removed; no index is written")
    }

    /// Re-sharding a checkpoint onto its own stem in its own folder would replace the input's shards and
    /// index while they are read (and a failure midway would delete them): it should be refused as
    /// output-is-input, as a plain file onto itself is.
    @Test func reshardingOntoTheInputsOwnFilesIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        _ = try shard(input, limit: 100, in: folder)
        let index = folder.path("out/model.safetensors.index.json")
        let before = try bytes(index)
        let error = #expect(throws: WeightPackError.self) {
            try Converter.convert(
                inputPath: index, outputPath: folder.path("out/model.safetensors"),
                options: ConvertOptions(floatDType: .float16, maximumShardByteCount: 100))
        }
        #expect(error?.code == .outputIsInput)

        let after = try bytes(index)
        #expect(after == before)

    }
}
