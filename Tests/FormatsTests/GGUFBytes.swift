import Foundation
import TensorCore

@testable import Formats

/// Little-endian pieces of hand-written GGUF files, so each error test spells out its bytes field by field.
enum GGUFBytes {
    static func u8(_ value: UInt8) -> [UInt8] { [value] }
    static func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
    static func u64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    /// `gguf_string_t`: `uint64` length, then the bytes.
    static func string(_ text: String) -> [UInt8] { u64(UInt64(text.utf8.count)) + Array(text.utf8) }
    /// A string from raw bytes (for invalid UTF-8).
    static func string(bytes: [UInt8]) -> [UInt8] { u64(UInt64(bytes.count)) + bytes }

    /// Magic, version and the two counts: 24 bytes.
    static func header(version: UInt32 = 3, tensors: UInt64, keys: UInt64) -> [UInt8] {
        Array("GGUF".utf8) + u32(version) + u64(tensors) + u64(keys)
    }

    /// A key/value pair: key, `uint32` type, payload.
    static func kv(_ key: String, type: UInt32, _ payload: [UInt8]) -> [UInt8] { string(key) + u32(type) + payload }

    /// An array payload: `uint32` element type, `uint64` count, elements.
    static func array(of type: UInt32, count: UInt64, _ elements: [UInt8]) -> [UInt8] {
        u32(type) + u64(count) + elements
    }

    /// A tensor info: name, n_dims, ne[], type, offset.
    static func tensorInfo(_ name: String, ne: [UInt64], type: UInt32, offset: UInt64) -> [UInt8] {
        string(name) + u32(UInt32(ne.count)) + ne.flatMap(u64) + u32(type) + u64(offset)
    }

    /// A whole file: header, metadata, tensor infos, zeros to `alignment`, then `data`.
    static func file(
        version: UInt32 = 3, metadata: [[UInt8]] = [], tensors: [[UInt8]] = [], alignment: Int = 32,
        data: [UInt8] = []
    ) -> [UInt8] {
        var bytes = header(version: version, tensors: UInt64(tensors.count), keys: UInt64(metadata.count))
        bytes += metadata.flatMap { $0 } + tensors.flatMap { $0 }
        bytes += [UInt8](repeating: 0, count: (alignment - bytes.count % alignment) % alignment)
        return bytes + data
    }

    /// An F32 tensor info with `count` elements at `offset`.
    static func f32(_ name: String, count: UInt64, offset: UInt64 = 0) -> [UInt8] {
        tensorInfo(name, ne: [count], type: 0, offset: offset)
    }

    static func parse(_ bytes: [UInt8]) throws(FormatError) -> GGUFHeader { try GGUFHeader.parse(bytes) }
}
