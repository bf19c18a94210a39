import Formats
import Foundation
import TensorCore

/// A sharded safetensors checkpoint as one ``TensorSource``: tensors shard by shard, each memory-mapped.
public struct ShardedSafetensorsSource: TensorSource {
    /// The underlying reader.
    public let reader: ShardedSafetensorsReader

    /// Opens the index and every shard.
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the index or shard and the problem.
    public init(indexPath: String) throws(WeightPackError) {
        do { reader = try ShardedSafetensorsReader(indexPath: indexPath) } catch {
            throw WeightPackError(wrapping: error, path: indexPath)
        }
    }

    /// The index file's path.
    public var path: String { reader.indexPath }
    /// Always `.shardedSafetensors`.
    public var format: ModelFormat { .shardedSafetensors }
    /// The shards' sizes added up, in bytes.
    public var fileByteCount: Int { reader.shards.reduce(0) { $0 + $1.file.byteCount } }
    /// The first shard's `__metadata__`.
    public var metadata: [String: String] { reader.metadata }

    /// The tensors shard by shard, in file order.
    public var tensorInfos: [TensorInfo] {
        reader.entries.enumerated().map { position, item in
            TensorInfo(
                position: position, name: item.entry.name, dtype: item.entry.dtype, shape: item.entry.shape,
                storedByteCount: item.entry.dataOffsets.count, stages: [])
        }
    }

    /// The tensor's bytes, a slice of its shard's mapping.
    /// - Throws: `WeightPackError` when `info` does not belong to this checkpoint.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard reader.entries.indices.contains(info.position) else {
            throw WeightPackError(
                .invalidOption, "no such tensor in this checkpoint", path: path, tensorName: info.name)
        }
        let (shard, entry) = reader.entries[info.position]
        do { return try reader.shards[shard].tensor(entry) } catch {
            throw WeightPackError(wrapping: error, path: reader.shards[shard].file.path)
        }
    }
}
