import Foundation
import TensorCore

/// Reads a safetensors file lazily from a memory mapping: the header is parsed and validated on open;
/// each tensor's bytes are a zero-copy slice of the mapping.
///
/// Spec: the safetensors README, "Format"; validation as ``SafetensorsHeader/parse(prefix:fileByteCount:)``.
public struct SafetensorsReader: Sendable {
    /// The mapped file.
    public let file: MappedFile
    /// The validated header.
    public let header: SafetensorsHeader

    /// Opens and validates `path`.
    /// - Throws: `FormatError` naming the file and the problem (see ``SafetensorsHeader``), or `ioFailure`.
    public init(path: String) throws(FormatError) {
        let file = try MappedFile(path: path)
        try self.init(file: file)
    }

    /// Validates an already-mapped file.
    /// - Throws: `FormatError` naming the file and the problem.
    public init(file: MappedFile) throws(FormatError) {
        self.file = file
        do {
            header = try SafetensorsHeader.parse(prefix: file.bytes, fileByteCount: file.byteCount)
        } catch { throw error.at(path: file.path) }
    }

    /// The tensor described by `entry` (one of ``header``'s entries), sharing the mapping's bytes.
    /// - Throws: `FormatError.Code.offsetsOutOfBounds` or `byteCountMismatch` for an entry that does not
    ///   describe this file's data (entries from ``header`` always do).
    public func tensor(_ entry: SafetensorsEntry) throws(FormatError) -> Tensor {
        let range = entry.dataOffsets
        guard range.upperBound <= file.byteCount - header.dataStart else {
            throw FormatError(
                .offsetsOutOfBounds, "entry lies outside the data buffer", path: file.path, tensorName: entry.name)
        }
        let start = header.dataStart + range.lowerBound
        do {
            return try Tensor(
                name: entry.name, dtype: entry.dtype, shape: entry.shape,
                data: file.slice(start..<(start + range.count)))
        } catch { throw FormatError(error, path: file.path, tensorName: entry.name) }
    }

    /// All tensors in file order, with the file's metadata, sharing the mapping's bytes.
    /// - Throws: as ``tensor(_:)``; never for a file that opened.
    public func readAll() throws(FormatError) -> TensorCollection {
        var tensors: [Tensor] = []
        for entry in header.entries { tensors.append(try tensor(entry)) }
        do { return try TensorCollection(tensors: tensors, metadata: header.metadata) } catch {
            throw FormatError(error, path: file.path)
        }
    }
}
