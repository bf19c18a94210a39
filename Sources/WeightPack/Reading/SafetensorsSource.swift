import Formats
import Foundation
import TensorCore

/// A safetensors file as a ``TensorSource``: memory-mapped, tensors are zero-copy slices.
public struct SafetensorsSource: TensorSource {
    /// The underlying reader.
    public let reader: SafetensorsReader

    /// Opens and validates `path`.
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the problem.
    public init(path: String) throws(WeightPackError) {
        do { reader = try SafetensorsReader(path: path) } catch { throw WeightPackError(wrapping: error, path: path) }
    }

    /// The path as the user gave it.
    public var path: String { reader.file.path }
    /// Always `.safetensors`.
    public var format: ModelFormat { .safetensors }
    /// The file's size in bytes.
    public var fileByteCount: Int { reader.file.byteCount }
    /// The file's string metadata.
    public var metadata: [String: String] { reader.header.metadata }
    /// The tensors in file order; `position` is the index into this list.
    public var tensorInfos: [TensorInfo] {
        reader.header.entries.enumerated().map { position, entry in
            TensorInfo(
                position: position, name: entry.name, dtype: entry.dtype, shape: entry.shape,
                storedByteCount: entry.dataOffsets.count, stages: [])
        }
    }

    /// Releases the mapped pages of `info`'s data (see ``TensorSource/releasePages(of:within:)``).
    public func releasePages(of info: TensorInfo, within range: Range<Int>?) {
        if let pages = fileRange(of: info, within: range) { reader.file.releasePages(in: pages) }
    }

    /// Maps the pages of `info`'s data in one call (see ``TensorSource/populatePages(of:within:)``).
    public func populatePages(of info: TensorInfo, within range: Range<Int>?) {
        if let pages = fileRange(of: info, within: range) { reader.file.populatePages(in: pages) }
    }

    /// The absolute file offsets of `range` within `info`'s data (all of it for `nil`); `nil` when `info` or
    /// `range` does not fit this file.
    private func fileRange(of info: TensorInfo, within range: Range<Int>?) -> Range<Int>? {
        let entries = reader.header.entries
        guard entries.indices.contains(info.position) else { return nil }
        let offsets = entries[info.position].dataOffsets
        let part = range ?? 0..<offsets.count
        guard part.lowerBound >= 0, part.upperBound <= offsets.count else { return nil }
        let start = reader.header.dataStart + offsets.lowerBound
        return (start + part.lowerBound)..<(start + part.upperBound)
    }

    /// The tensor at `info.position`, decoded (see ``TensorSource/decodedTensor(_:)``).
    /// - Throws: `WeightPackError` naming the file and tensor when `info` does not match this file or the data
    ///   is damaged.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        let entries = reader.header.entries
        guard entries.indices.contains(info.position), entries[info.position].name.utf8.elementsEqual(info.name.utf8)
        else {
            throw WeightPackError(.invalidOption, "no such tensor in this file", path: path, tensorName: info.name)
        }
        do { return try reader.tensor(entries[info.position]) } catch {
            throw WeightPackError(wrapping: error, path: path, tensorName: info.name)
        }
    }
}
