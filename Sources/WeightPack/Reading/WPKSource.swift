import Formats
import Foundation
import TensorCore

/// A `.wpk` file as a ``TensorSource``: opening reads the index only; decoding a tensor checks its checksum
/// and undoes its stage chain.
public struct WPKSource: TensorSource {
    /// The underlying reader.
    public let reader: WPKReader

    /// Opens and validates `path` (header, index checksum, index consistency).
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the problem.
    public init(path: String) throws(WeightPackError) {
        do { reader = try WPKReader(path: path) } catch { throw WeightPackError(wrapping: error, path: path) }
    }

    /// The path as the user gave it.
    public var path: String { reader.file.path }
    /// Always `.wpk`.
    public var format: ModelFormat { .wpk }
    /// The file's size in bytes.
    public var fileByteCount: Int { reader.file.byteCount }
    /// The file's string metadata.
    public var metadata: [String: String] { reader.index.metadata }
    /// The tensors in file order; `position` is the index into this list.
    public var tensorInfos: [TensorInfo] {
        reader.index.tensors.enumerated().map { position, record in
            TensorInfo(
                position: position, name: record.name, dtype: record.dtype, shape: record.shape,
                storedByteCount: record.length, stages: record.stages)
        }
    }

    /// The tensor at `info.position`, decoded (see ``TensorSource/decodedTensor(_:)``).
    /// - Throws: `WeightPackError` naming the file and tensor when `info` does not match this file or the data
    ///   is damaged.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        let records = reader.index.tensors
        guard records.indices.contains(info.position), records[info.position].name.utf8.elementsEqual(info.name.utf8)
        else {
            throw WeightPackError(.invalidOption, "no such tensor in this file", path: path, tensorName: info.name)
        }
        let record = records[info.position]
        do {
            let stored = try reader.verifiedStoredBytes(of: record)
            return try StageChain().decode(stored, record: record)
        } catch {
            throw WeightPackError(wrapping: error, path: path, tensorName: record.name)
        }
    }

    /// The tensors whose stored bytes fail their checksum or whose stage chain does not decode, with the reason:
    /// a damaged file's casualties, found without writing anything (`unpack --skip-damaged`).
    /// - Complexity: reads and decodes every tensor once.
    public func damagedTensors() -> [(name: String, reason: String)] {
        tensorInfos.compactMap { info -> (name: String, reason: String)? in
            do {
                _ = try decodedTensor(info)
                releasePages(of: info, within: nil)
                return nil
            } catch { return (info.name, (error as? WeightPackError)?.message ?? String(describing: error)) }
        }
    }

    public func releasePages(of info: TensorInfo, within range: Range<Int>?) {
        let records = reader.index.tensors
        guard records.indices.contains(info.position) else { return }
        let record = records[info.position]
        let part = range ?? 0..<record.length
        guard part.lowerBound >= 0, part.upperBound <= record.length else { return }
        reader.file.releasePages(in: (record.offset + part.lowerBound)..<(record.offset + part.upperBound))
    }
}
