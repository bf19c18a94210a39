import Foundation
import TensorCore

/// Reads a checkpoint split across several safetensors files through its `*.safetensors.index.json`.
///
/// Every shard is opened and validated as a safetensors file (memory-mapped); every tensor in the weight map
/// must be in the shard it names, and every tensor in a shard must be in the weight map.
public struct ShardedSafetensorsReader: Sendable {
    /// The index file's path.
    public let indexPath: String
    /// The parsed index.
    public let index: ShardedSafetensorsIndex
    /// The shards, in order of first appearance in the weight map.
    public let shards: [SafetensorsReader]
    /// Each tensor as (shard position in ``shards``, entry), shard by shard in file order.
    public let entries: [(shard: Int, entry: SafetensorsEntry)]

    /// Opens `indexPath` and every shard it names (in the same folder).
    /// - Throws: `FormatError` naming the index or the shard: malformed index (see
    ///   ``ShardedSafetensorsIndex/parse(_:)``), a shard that is missing or malformed, a tensor the index places in
    ///   a shard that lacks it (`corruptIndex`), a tensor in a shard that the index does not list (`corruptIndex`),
    ///   or a name in two shards (`duplicateTensorName`).
    public init(indexPath: String) throws(FormatError) {
        self.indexPath = indexPath
        let file = try MappedFile(path: indexPath)
        do { index = try ShardedSafetensorsIndex.parse(Array(file.bytes)) } catch { throw error.at(path: indexPath) }
        let folder = URL(fileURLWithPath: indexPath).deletingLastPathComponent()
        var shards: [SafetensorsReader] = []
        for name in index.shardFiles {
            shards.append(try SafetensorsReader(path: folder.appendingPathComponent(name).path))
        }
        let shardByFile = Dictionary(uniqueKeysWithValues: index.shardFiles.enumerated().map { ($1, $0) })
        var expected: [TensorNameKey: Int] = [:]
        for (name, file) in index.weightMap { expected[TensorNameKey(name)] = shardByFile[file] }
        var entries: [(shard: Int, entry: SafetensorsEntry)] = []
        var seen = Set<TensorNameKey>()
        for shard in shards {
            for entry in shard.header.entries where !seen.insert(TensorNameKey(entry.name)).inserted {
                throw FormatError(
                    .duplicateTensorName, "the tensor appears in more than one shard", path: shard.file.path,
                    tensorName: entry.name)
            }
        }
        for (position, shard) in shards.enumerated() {
            for entry in shard.header.entries {
                let key = TensorNameKey(entry.name)
                guard expected[key] == position else {
                    throw FormatError(
                        .corruptIndex,
                        expected[key] == nil
                            ? "the shard holds a tensor the index's weight_map does not list"
                            : "the index places this tensor in '\(index.shardFiles[expected[key]!])'",
                        path: shard.file.path, tensorName: entry.name)
                }
                entries.append((position, entry))
            }
        }
        for (name, file) in index.weightMap where !seen.contains(TensorNameKey(name)) {
            throw FormatError(
                .corruptIndex, "the index places this tensor in '\(file)', which lacks it", path: indexPath,
                tensorName: name)
        }
        self.shards = shards
        self.entries = entries
    }

    /// The first shard's `__metadata__` (Hugging Face writes the same map into every shard).
    public var metadata: [String: String] { shards.first?.header.metadata ?? [:] }
}
