import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// `ShardedSafetensorsWriter`: greedy shard planning, Hugging Face file names, and all-or-nothing writing.
struct ShardedSafetensorsWriterTests {
    private struct Refusal: Error {}

    /// A Float32 tensor spec of `bytes / 4` elements.
    private func spec(_ name: String, bytes: Int) -> (name: String, dtype: DType, shape: Shape) {
        (name, .float32, [bytes / 4])
    }

    private func tensor(_ name: String, _ dtype: DType, _ shape: Shape, seed: UInt64) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        let bytes = (0..<(try shape.byteCount(of: dtype))).map { _ in generator.byte() }
        return try Tensor(name: name, dtype: dtype, shape: shape, data: Data(bytes))
    }

    private func groups(_ shards: [ShardedSafetensorsWriter.Shard]) -> [[String]] {
        shards.map { $0.tensors.map(\.name) }
    }

    // MARK: plan

    @Test func planFillsEachShardGreedilyInTheOrderGiven() throws {
        let shards = try ShardedSafetensorsWriter.plan(
            [spec("a", bytes: 40), spec("b", bytes: 40), spec("c", bytes: 40), spec("d", bytes: 12)], stem: "model",
            maximumShardByteCount: 100)
        #expect(groups(shards) == [["a", "b"], ["c", "d"]])
        #expect(shards.map(\.fileName) == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
    }

    @Test func aShardMayBeExactlyTheLimit() throws {
        let shards = try ShardedSafetensorsWriter.plan(
            [spec("a", bytes: 40), spec("b", bytes: 60), spec("c", bytes: 4)], stem: "m", maximumShardByteCount: 100)
        #expect(groups(shards) == [["a", "b"], ["c"]])
    }

    /// As Hugging Face's split_state_dict_into_shards_factory: the oversize tensor's shard is numbered before the
    /// shard being filled, which goes on filling.
    @Test func aTensorOverTheLimitGetsAShardOfItsOwn() throws {
        let shards = try ShardedSafetensorsWriter.plan(
            [spec("a", bytes: 40), spec("big", bytes: 400), spec("c", bytes: 8), spec("d", bytes: 8)], stem: "m",
            maximumShardByteCount: 50)
        #expect(groups(shards) == [["big"], ["a", "c"], ["d"]])
        let first = try ShardedSafetensorsWriter.plan(
            [spec("big", bytes: 400), spec("a", bytes: 4)], stem: "m", maximumShardByteCount: 50)
        #expect(groups(first) == [["big"], ["a"]])
    }

    @Test func zeroByteTensorsJoinTheCurrentShard() throws {
        let shards = try ShardedSafetensorsWriter.plan(
            [spec("a", bytes: 100), spec("empty", bytes: 0), ("scalar", .uint8, [])], stem: "m",
            maximumShardByteCount: 100)
        #expect(groups(shards) == [["a", "empty"], ["scalar"]])
    }

    @Test func namesCarryFiveDigitNumbersAndTheStem() throws {
        let specs = (1...12).map { spec("t\($0)", bytes: 8) }
        let shards = try ShardedSafetensorsWriter.plan(specs, stem: "pytorch_model", maximumShardByteCount: 4)
        #expect(shards.count == 12)
        #expect(shards.first?.fileName == "pytorch_model-00001-of-00012.safetensors")
        #expect(shards.last?.fileName == "pytorch_model-00012-of-00012.safetensors")
    }

    @Test func everythingWithinTheLimitIsOneShard() throws {
        let shards = try ShardedSafetensorsWriter.plan(
            [spec("a", bytes: 8), spec("b", bytes: 8)], stem: "model", maximumShardByteCount: 1 << 30)
        #expect(groups(shards) == [["a", "b"]])
        #expect(shards[0].fileName == "model-00001-of-00001.safetensors")
    }

    @Test func planRefusesAShapeWhoseByteCountOverflows() {
        let error = #expect(throws: FormatError.self) {
            try ShardedSafetensorsWriter.plan(
                [spec("a", bytes: 8), ("huge", .float64, [1 << 61])], stem: "m", maximumShardByteCount: 100)
        }
        #expect(error?.code == .shapeOverflow)
        #expect(error?.tensorName == "huge")
    }

    /// Two tensors of `Int.max / 2 + 1` bytes: the running shard size overflows when the second is added.
    /// Planning must throw or plan, not trap; run in a child process so a trap fails only this test.
    @Test func planDoesNotTrapWhenShardBytesOverflow() async {
        await #expect(processExitsWith: .success) {
            let half: (name: String, dtype: DType, shape: Shape) = ("a", .uint8, [Int.max / 2 + 1])
            do throws(FormatError) {
                _ = try ShardedSafetensorsWriter.plan(
                    [half, ("b", .uint8, [Int.max / 2 + 1])], stem: "m", maximumShardByteCount: Int.max)
            } catch {
                exit(error.code == .shapeOverflow ? 0 : 1)
            }
        }

    }

    // MARK: write

    private func writeModel(
        _ tensors: [Tensor], limit: Int, metadata: [String: String] = ["format": "pt"], in folder: TemporaryDirectory
    ) throws -> (shards: [ShardedSafetensorsWriter.Shard], indexPath: String) {
        let shards = try ShardedSafetensorsWriter.plan(
            tensors.map { ($0.name, $0.dtype, $0.shape) }, stem: "model", maximumShardByteCount: limit)
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.data) })
        let indexPath = try ShardedSafetensorsWriter.write(
            shards, metadata: metadata, to: folder.url.path, stem: "model", bytesFor: { byName[$0]! })
        return (shards, indexPath)
    }

    @Test func writeProducesShardsAndAnIndexThatReadBack() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = [
            try tensor("embed.weight", .float32, [8, 4], seed: 1), try tensor("ids", .int64, [4], seed: 2),
            try tensor("layer.0.weight", .float16, [4, 4], seed: 3), try tensor("mask", .bool, [5], seed: 4),
        ]
        let (shards, indexPath) = try writeModel(tensors, limit: 64, in: folder)
        #expect(groups(shards) == [["embed.weight"], ["ids", "layer.0.weight"], ["mask"]])
        #expect(indexPath == folder.path("model.safetensors.index.json"))
        #expect(
            try folder.contents() == [
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors",
                "model.safetensors.index.json",
            ])
        let index = try ShardedSafetensorsIndex.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: indexPath))))
        #expect(index.totalSize == 128 + 32 + 32 + 5)
        #expect(
            Dictionary(uniqueKeysWithValues: index.weightMap.map { ($0.name, $0.file) }) == [
                "embed.weight": "model-00001-of-00003.safetensors", "ids": "model-00002-of-00003.safetensors",
                "layer.0.weight": "model-00002-of-00003.safetensors", "mask": "model-00003-of-00003.safetensors",
            ])
        for shard in shards {
            let reader = try SafetensorsReader(path: folder.path(shard.fileName))
            #expect(reader.header.metadata == ["format": "pt"], "every shard carries the metadata")
        }
        let reader = try ShardedSafetensorsReader(indexPath: indexPath)
        #expect(reader.entries.count == tensors.count)
        for (shard, entry) in reader.entries {
            #expect(try reader.shards[shard].tensor(entry) == tensors.first { $0.name == entry.name })
        }
    }

    @Test func aFailureOnTheThirdTensorRemovesTheShardsAlreadyWritten() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try (0..<4).map { try tensor("t\($0)", .float32, [4], seed: UInt64($0)) }
        let shards = try ShardedSafetensorsWriter.plan(
            tensors.map { ($0.name, $0.dtype, $0.shape) }, stem: "model", maximumShardByteCount: 16)
        #expect(shards.count == 4)
        var calls = 0
        #expect(throws: Refusal.self) {
            try ShardedSafetensorsWriter.write(shards, metadata: [:], to: folder.url.path, stem: "model") { name in
                calls += 1
                if calls == 3 { throw Refusal() }
                return tensors.first { $0.name == name }!.data
            }
        }
        #expect(calls == 3)
        #expect(try folder.contents().isEmpty, "no shard, index or temporary file is left")
    }

    @Test func aWrongByteCountFromTheCallerLeavesNothing() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try (0..<3).map { try tensor("t\($0)", .float32, [4], seed: UInt64($0)) }
        let shards = try ShardedSafetensorsWriter.plan(
            tensors.map { ($0.name, $0.dtype, $0.shape) }, stem: "model", maximumShardByteCount: 16)
        let error = #expect(throws: FormatError.self) {
            try ShardedSafetensorsWriter.write(shards, metadata: [:], to: folder.url.path, stem: "model") { name in
                name == "t2" ? Data(count: 3) : tensors.first { $0.name == name }!.data
            }
        }
        #expect(error?.code == .byteCountMismatch)
        #expect(try folder.contents().isEmpty)
    }

    @Test func writingIntoAMissingFolderFailsWithoutLeavingFiles() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let shards = try ShardedSafetensorsWriter.plan([spec("a", bytes: 4)], stem: "m", maximumShardByteCount: 4)
        #expect(throws: FormatError.self) {
            try ShardedSafetensorsWriter.write(shards, metadata: [:], to: folder.path("absent"), stem: "m") { _ in
                Data(count: 4)
            }
        }
        #expect(try folder.contents().isEmpty)
    }

    /// Seeded round trip: random tensors and limits; every shard stays within the limit unless it holds one
    /// tensor, every tensor reads back, and total_size is the sum of the tensors' bytes.
    @Test func seededRoundTripKeepsEveryShardWithinTheLimit() throws {
        var generator = SplitMix64(seed: 0x5AAD)
        let dtypes: [DType] = [.float32, .float16, .bfloat16, .int64, .uint8, .bool, .float64]
        for trial in 0..<20 {
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            let tensors = try (0..<(1 + generator.int(below: 12))).map { position in
                let shape = Shape((0..<generator.int(below: 3)).map { _ in generator.int(below: 6) })
                let dtype = dtypes[generator.int(below: dtypes.count)]
                return try tensor("layer.\(position).w", dtype, shape, seed: UInt64(trial * 100 + position))
            }
            let limit = 1 + generator.int(below: 200)
            let (shards, indexPath) = try writeModel(tensors, limit: limit, in: folder)
            for shard in shards {
                let bytes = try shard.tensors.reduce(0) { $0 + (try $1.shape.byteCount(of: $1.dtype)) }
                #expect(bytes <= limit || shard.tensors.count == 1, "trial \(trial): \(shard.fileName) \(bytes) B")
            }
            #expect(
                groups(shards).flatMap { $0 }.sorted() == tensors.map(\.name).sorted(),
                "trial \(trial): every tensor is in exactly one shard")
            let ordinary = groups(shards).flatMap { $0 }.filter { name in
                (try? tensors.first { $0.name == name }!.data.count) ?? 0 <= limit
            }
            #expect(
                ordinary
                    == tensors.map(\.name).filter { name in tensors.first { $0.name == name }!.data.count <= limit },
                "trial \(trial): tensors within the limit keep their order")
            let reader = try ShardedSafetensorsReader(indexPath: indexPath)
            #expect(reader.index.totalSize == tensors.reduce(0) { $0 + $1.data.count })
            #expect(Set(reader.entries.map(\.entry.name)) == Set(tensors.map(\.name)))
            for (shard, entry) in reader.entries {
                #expect(try reader.shards[shard].tensor(entry) == tensors.first { $0.name == entry.name })
            }
        }
    }
}
