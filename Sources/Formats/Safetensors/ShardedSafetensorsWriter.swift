import Foundation
import TensorCore

/// Writes a checkpoint as several safetensors files of at most a given size plus their index, named as
/// Hugging Face names them: `model-00001-of-00003.safetensors` and `model.safetensors.index.json` for the
/// output `model.safetensors`.
public enum ShardedSafetensorsWriter {
    /// One planned shard: its file name and the tensors it holds, in the order given.
    public struct Shard: Sendable {
        /// The shard's file name (no folder).
        public var fileName: String
        /// The tensors in this shard.
        public var tensors: [(name: String, dtype: DType, shape: Shape)]
    }

    /// Splits tensors, in the order given, into shards whose tensor bytes stay within `maximumShardByteCount`,
    /// exactly as Hugging Face's `split_state_dict_into_shards_factory` does: a tensor larger than the limit gets
    /// a shard of its own, numbered before the shard being filled. Names follow `stem-0000i-of-0000n.safetensors`.
    /// - Throws: `FormatError.Code.shapeOverflow` when a tensor's byte count overflows.
    public static func plan(
        _ tensors: [(name: String, dtype: DType, shape: Shape)], stem: String, maximumShardByteCount: Int
    ) throws(FormatError) -> [Shard] {
        // Hugging Face's split_state_dict_into_shards_factory: a tensor over the limit becomes a shard of its own
        // at once, ahead of the shard being filled; otherwise a tensor that would tip the current shard over the
        // limit starts a new one.
        typealias Group = [(name: String, dtype: DType, shape: Shape)]
        var groups: [Group] = []
        var current: Group = []
        var currentBytes = 0
        for tensor in tensors {
            let bytes: Int
            do { bytes = try tensor.shape.byteCount(of: tensor.dtype) } catch {
                throw FormatError(error, tensorName: tensor.name)
            }
            if bytes > maximumShardByteCount {
                groups.append([tensor])
                continue
            }
            let (sum, overflow) = currentBytes.addingReportingOverflow(bytes)
            if !current.isEmpty, overflow || sum > maximumShardByteCount {
                groups.append(current)
                current = []
                currentBytes = 0
            }
            current.append(tensor)
            currentBytes += bytes
        }
        if !current.isEmpty || groups.isEmpty { groups.append(current) }
        let count = groups.count
        return groups.enumerated().map { position, group in
            let number = { (value: Int) in
                String(repeating: "0", count: max(0, 5 - String(value).count)) + String(value)
            }
            return Shard(fileName: "\(stem)-\(number(position + 1))-of-\(number(count)).safetensors", tensors: group)
        }
    }

    /// Writes the shards and the index into `folder`, streaming one tensor at a time through `bytesFor`.
    ///
    /// Every file is written atomically; if anything fails, the shards already written by this call are removed.
    /// `metadata` goes into each shard's `__metadata__`; the index records `metadata.total_size` as the sum of the
    /// tensors' byte counts.
    /// - Returns: the index's path.
    /// - Throws: whatever `bytesFor` throws; `FormatError` for layout or write failures.
    @discardableResult
    public static func write(
        _ shards: [Shard], metadata: [String: String], to folder: String, stem: String,
        bytesFor: (String) throws -> Data
    ) throws -> String {
        var written: [String] = []
        var weightMap: [(name: String, file: String)] = []
        var totalSize = 0
        do {
            for shard in shards {
                let path = URL(fileURLWithPath: folder).appendingPathComponent(shard.fileName).path
                let layout = try SafetensorsWriter.layout(for: shard.tensors, metadata: metadata)
                try SafetensorsWriter.write(layout, to: path) { try bytesFor($0.name) }
                written.append(path)
                for entry in layout.entries {
                    weightMap.append((entry.name, shard.fileName))
                    let (sum, overflow) = totalSize.addingReportingOverflow(entry.dataOffsets.count)
                    guard !overflow else { throw FormatError(.shapeOverflow, "the shards hold more than 2^63 bytes") }
                    totalSize = sum
                }
            }
            let indexPath = URL(fileURLWithPath: folder).appendingPathComponent("\(stem).safetensors.index.json").path
            let output = try AtomicFileWriter(path: indexPath)
            do {
                try output.write(ShardedSafetensorsIndex(weightMap: weightMap, totalSize: totalSize).encoded())
                try output.commit()
            } catch {
                output.abort()
                throw error
            }
            return indexPath
        } catch {
            for path in written { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }
}
