import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// `ShardedSafetensorsReader`: the index and every shard it names must agree tensor for tensor.
struct ShardedSafetensorsReaderTests {
    private func tensor(_ name: String, _ dtype: DType = .float32, _ shape: Shape = [2], seed: UInt64 = 1) throws
        -> Tensor
    {
        var generator = SplitMix64(seed: seed)
        let bytes = (0..<(try shape.byteCount(of: dtype))).map { _ in generator.byte() }
        return try Tensor(name: name, dtype: dtype, shape: shape, data: Data(bytes))
    }

    /// Writes each shard as a safetensors file and an index listing `weightMap` in that order (default: each
    /// shard's tensors, shard by shard).
    @discardableResult
    private func writeCheckpoint(
        _ shards: [(file: String, tensors: [Tensor])], weightMap: [(String, String)]? = nil,
        metadata: [String: String] = [:], in folder: TemporaryDirectory
    ) throws -> String {
        for shard in shards {
            try SafetensorsWriter.write(
                try TensorCollection(tensors: shard.tensors, metadata: metadata), to: folder.path(shard.file))
        }
        let map = weightMap ?? shards.flatMap { shard in shard.tensors.map { ($0.name, shard.file) } }
        // Written here in the order given (`encoded()` would sort the names); the test names need no escaping.
        let entries = map.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ")
        let path = folder.path("model.safetensors.index.json")
        try Data("{\"weight_map\": {\(entries)}}".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func openError(_ path: String) -> FormatError? {
        #expect(throws: FormatError.self) { try ShardedSafetensorsReader(indexPath: path) }
    }

    // MARK: valid checkpoints

    @Test func readsEveryTensorShardByShardWithTheFirstShardsMetadata() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let first = [try tensor("b", seed: 1), try tensor("a", .int64, [3], seed: 2)]
        let second = [try tensor("c", .float16, [2, 2], seed: 3)]
        let path = try writeCheckpoint(
            [("m-00001-of-00002.safetensors", first), ("m-00002-of-00002.safetensors", second)],
            metadata: ["format": "pt"], in: folder)
        let reader = try ShardedSafetensorsReader(indexPath: path)
        #expect(reader.indexPath == path)
        #expect(reader.shards.count == 2)
        // Within a shard, file order: I64 before F32 (safetensors' dtype order), then by name.
        #expect(reader.entries.map(\.entry.name) == ["a", "b", "c"])
        #expect(reader.entries.map(\.shard) == [0, 0, 1])
        #expect(reader.metadata == ["format": "pt"])
        for (shard, entry) in reader.entries {
            let expected = (first + second).first { $0.name == entry.name }
            #expect(try reader.shards[shard].tensor(entry) == expected)
        }
    }

    @Test func shardsFollowTheOrderOfFirstAppearanceInTheWeightMap() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [("x.safetensors", [try tensor("x")]), ("y.safetensors", [try tensor("y")])],
            weightMap: [("y", "y.safetensors"), ("x", "x.safetensors")], in: folder)
        let reader = try ShardedSafetensorsReader(indexPath: path)
        #expect(
            reader.shards.map { URL(fileURLWithPath: $0.file.path).lastPathComponent } == [
                "y.safetensors", "x.safetensors",
            ])
    }

    @Test func anEmptyWeightMapIsAnEmptyCheckpoint() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint([], in: folder)
        let reader = try ShardedSafetensorsReader(indexPath: path)
        #expect(reader.entries.isEmpty && reader.shards.isEmpty && reader.metadata.isEmpty)
    }

    // MARK: inconsistent checkpoints, one per error

    @Test func aMissingShardIsAnIOFailureNamingTheShard() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [("a.safetensors", [try tensor("a")])], weightMap: [("a", "a.safetensors"), ("b", "b.safetensors")],
            in: folder)
        let error = openError(path)
        #expect(error?.code == .ioFailure)
        #expect(error?.path == folder.path("b.safetensors"))
    }

    @Test func aTensorInAShardButNotInTheWeightMapIsACorruptIndex() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [("a.safetensors", [try tensor("a"), try tensor("stray")])], weightMap: [("a", "a.safetensors")],
            in: folder)
        let error = openError(path)
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "stray")
        #expect(error?.path == folder.path("a.safetensors"))
        #expect(error?.message.contains("does not list") == true, "\(String(describing: error))")
    }

    @Test func aWeightMapEntryMissingFromItsShardIsACorruptIndex() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [("a.safetensors", [try tensor("a")])], weightMap: [("a", "a.safetensors"), ("ghost", "a.safetensors")],
            in: folder)
        let error = openError(path)
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "ghost")
        #expect(error?.path == path)
        #expect(error?.message.contains("'a.safetensors'") == true)
    }

    @Test func aTensorTheIndexPlacesInAnotherShardIsACorruptIndex() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [("a.safetensors", [try tensor("a"), try tensor("w")]), ("b.safetensors", [try tensor("b")])],
            weightMap: [("a", "a.safetensors"), ("b", "b.safetensors"), ("w", "b.safetensors")], in: folder)
        let error = openError(path)
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("'b.safetensors'") == true)
    }

    @Test func aTensorInTwoShardsIsADuplicateWhenTheIndexNamesTheFirst() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        // `v` puts b.safetensors in the weight map, so both shards are opened.
        let path = try writeCheckpoint(
            [
                ("a.safetensors", [try tensor("w", seed: 1)]),
                ("b.safetensors", [try tensor("w", seed: 2), try tensor("v", seed: 3)]),
            ], weightMap: [("w", "a.safetensors"), ("v", "b.safetensors")], in: folder)
        let error = openError(path)
        #expect(error?.code == .duplicateTensorName)
        #expect(error?.tensorName == "w")
        #expect(error?.path == folder.path("b.safetensors"))
    }

    @Test func aTensorInTwoShardsIsRefusedWhenTheIndexNamesTheSecond() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [
                ("a.safetensors", [try tensor("w", seed: 1), try tensor("u", seed: 3)]),
                ("b.safetensors", [try tensor("w", seed: 2)]),
            ], weightMap: [("u", "a.safetensors"), ("w", "b.safetensors")], in: folder)
        let error = openError(path)
        #expect(error != nil)
        #expect(error?.tensorName == "w")
        #expect(error?.code == .duplicateTensorName)

    }

    @Test func aMalformedIndexIsReportedAgainstTheIndexFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.safetensors.index.json")
        try Data(#"{"weight_map": {"w": "../outside.safetensors"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let error = openError(path)
        #expect(error?.code == .invalidTensorInfo)
        #expect(error?.path == path)
    }

    @Test func aMalformedShardIsReportedAgainstTheShard() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint([("a.safetensors", [try tensor("a")])], in: folder)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder.path("a.safetensors")))
        let error = openError(path)
        #expect(error != nil)
        #expect(error?.path == folder.path("a.safetensors"))
    }

    @Test func aMissingIndexIsAnIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect(openError(folder.path("model.safetensors.index.json"))?.code == .ioFailure)
    }

    /// Flipping bytes of the index gives a checkpoint or a `FormatError`, never a crash.
    @Test func mutatedIndexesThrowOrOpenButNeverCrash() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try writeCheckpoint(
            [("a.safetensors", [try tensor("a")]), ("b.safetensors", [try tensor("b")])], in: folder)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var generator = SplitMix64(seed: 404)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + generator.int(below: 3)) { bytes[generator.int(below: bytes.count)] = generator.byte() }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            _ = try? ShardedSafetensorsReader(indexPath: path)
        }
    }
}
