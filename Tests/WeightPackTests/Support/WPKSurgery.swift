import Formats
import Foundation
import TensorCore
import Testing

/// Byte-level edits of a `.wpk` file for the error tests: read and rewrite the header fields and the index,
/// computing offsets and checksums here from docs/FORMAT.md §2 rather than with the code under test.
enum WPKSurgery {
    /// The little-endian `UInt64` at `offset` of `bytes`.
    static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }

    /// Stores `value` little-endian at `offset` of `bytes`.
    static func setUInt64(_ value: UInt64, in bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// The index offset recorded in the header (bytes 16..<24).
    static func indexOffset(_ bytes: [UInt8]) -> Int { Int(uint64(bytes, at: 16)) }

    /// The index bytes, parsed as a JSON object.
    static func index(ofFileAt path: String) throws -> [String: Any] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let json = try JSONSerialization.jsonObject(with: Data(bytes[indexOffset(bytes)...]))
        return try #require(json as? [String: Any])
    }

    /// The tensor records of the index, as JSON objects.
    static func records(ofFileAt path: String) throws -> [[String: Any]] {
        try #require(try index(ofFileAt: path)["tensors"] as? [[String: Any]])
    }

    /// Replaces the index of the file at `path` with `edit` applied to it, and rewrites the header's index
    /// length and XXH3-64 so that only the edit itself is wrong.
    static func rewriteIndex(ofFileAt path: String, _ edit: (inout [String: Any]) throws -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let offset = indexOffset(bytes)
        var index = try #require(try JSONSerialization.jsonObject(with: Data(bytes[offset...])) as? [String: Any])
        try edit(&index)
        let newIndex = [UInt8](try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]))
        bytes.removeSubrange(offset...)
        bytes += newIndex
        setUInt64(UInt64(newIndex.count), in: &bytes, at: 24)
        setUInt64(Checksum.xxh3(newIndex), in: &bytes, at: 32)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Edits record `position` of the index (see ``rewriteIndex(ofFileAt:_:)``).
    static func rewriteRecord(_ position: Int, ofFileAt path: String, _ edit: (inout [String: Any]) throws -> Void)
        throws
    {
        try rewriteIndex(ofFileAt: path) { index in
            var records = try #require(index["tensors"] as? [[String: Any]])
            try edit(&records[position])
            index["tensors"] = records
        }
    }

    /// Applies `edit` to the stored bytes of record `position` in place (the length must stay the same), then
    /// rewrites that record's `xxh3_64`, so that only the edit itself is wrong.
    static func rewriteSegment(_ position: Int, ofFileAt path: String, _ edit: (inout [UInt8]) throws -> Void)
        throws
    {
        let record = try records(ofFileAt: path)[position]
        let offset = try #require(record["offset"] as? Int)
        let length = try #require(record["length"] as? Int)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var segment = Array(bytes[offset..<(offset + length)])
        try edit(&segment)
        try #require(segment.count == length, "a segment edit keeps its length")
        bytes.replaceSubrange(offset..<(offset + length), with: segment)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let checksum = Checksum.xxh3(segment)
        let hex = String(checksum, radix: 16)
        try rewriteRecord(position, ofFileAt: path) { record in
            record["xxh3_64"] = String(repeating: "0", count: 16 - hex.count) + hex
        }
    }

    /// The byte offset of section `index` within a payload (docs/FORMAT.md §5.1): after the `u32` count and the
    /// `u64` lengths, the sections back to back.
    static func sectionOffset(_ index: Int, inPayload payload: [UInt8]) -> Int {
        let count = Int(payload[0]) | Int(payload[1]) << 8 | Int(payload[2]) << 16 | Int(payload[3]) << 24
        return (0..<index).reduce(4 + 8 * count) { $0 + Int(uint64(payload, at: 4 + 8 * $1)) }
    }

    /// Applies `edit` to the raw bytes of the file at `path`.
    static func editBytes(ofFileAt path: String, _ edit: (inout [UInt8]) throws -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        try edit(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Writes a valid `.wpk` of three raw tensors (no stages) at `path` with ``WPKWriter``.
    /// - Returns: each tensor's stored bytes, by name.
    @discardableResult
    static func writeThreeTensorFile(at path: String) throws -> [String: Data] {
        let payloads: [(String, DType, Shape, Data)] = [
            ("alpha", .float32, [3, 5], TestTensors.randomBytes(60, seed: 1)),
            ("beta", .int64, [7], TestTensors.randomBytes(56, seed: 2)),
            ("gamma", .uint8, [100], TestTensors.randomBytes(100, seed: 3)),
        ]
        let writer = try WPKWriter(path: path)
        for (name, dtype, shape, data) in payloads {
            try writer.append(name: name, dtype: dtype, shape: shape, stages: [], storedBytes: data)
        }
        try writer.finish(metadata: ["format": "pt"], source: ["format": "safetensors", "bytes": "1234"])
        return Dictionary(uniqueKeysWithValues: payloads.map { ($0.0, $0.3) })
    }
}
