import Formats
import Foundation
import TensorCore

/// Hand-built safetensors files for the byte-literal tests.
enum SafetensorsBytes {
    /// The 8-byte little-endian length of `header`, the header's UTF-8 bytes, then `data`.
    static func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
        file(headerBytes: Array(header.utf8), data: data)
    }

    /// The 8-byte little-endian length of `headerBytes`, the bytes, then `data`.
    static func file(headerBytes: [UInt8], data: [UInt8] = []) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeIntegerLE(UInt64(headerBytes.count))
        writer.writeBytes(headerBytes)
        writer.writeBytes(data)
        return writer.bytes
    }

    /// Parses a whole in-memory file.
    static func parse(_ bytes: [UInt8]) throws(FormatError) -> SafetensorsHeader {
        try SafetensorsHeader.parse(prefix: bytes, fileByteCount: bytes.count)
    }

    /// Every tensor of a parsed in-memory file, by slicing its data buffer.
    static func tensors(_ header: SafetensorsHeader, in bytes: [UInt8]) throws -> [Tensor] {
        let data = Data(bytes)
        return try header.entries.map { entry in
            let start = header.dataStart + entry.dataOffsets.lowerBound
            return try Tensor(
                name: entry.name, dtype: entry.dtype, shape: entry.shape,
                data: data[start..<(start + entry.dataOffsets.count)])
        }
    }
}
