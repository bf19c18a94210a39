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

    /// The tensor described by `entry`, sharing the mapping's bytes.
    public func tensor(_ entry: SafetensorsEntry) -> Tensor {
        let start = header.dataStart + entry.dataOffsets.lowerBound
        let bytes = file.slice(start..<(start + entry.dataOffsets.count))
        // The header check guarantees the byte count matches the shape.
        return try! Tensor(name: entry.name, dtype: entry.dtype, shape: entry.shape, data: bytes)
    }

    /// All tensors in file order, with the file's metadata, sharing the mapping's bytes.
    public func readAll() -> TensorCollection {
        // Names were checked for uniqueness while parsing.
        try! TensorCollection(tensors: header.entries.map(tensor), metadata: header.metadata)
    }
}
