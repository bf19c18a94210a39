/// A cursor over bytes for parsing binary headers: `read…` moves the cursor, `get…(at:)` does not.
///
/// Every read is bounds-checked and throws `CoreError.Code.unexpectedEnd` instead of trapping,
/// so it is safe on untrusted input. Multi-byte integers are little-endian, as the name says.
public struct ByteReader<Bytes: RandomAccessCollection<UInt8>>: Sendable where Bytes: Sendable, Bytes.Index == Int {
    /// The bytes read from.
    public let bytes: Bytes
    /// Offset of the next byte to read, relative to `bytes.startIndex`.
    public private(set) var offset: Int = 0

    /// Creates a reader positioned at the first byte.
    public init(_ bytes: Bytes) { self.bytes = bytes }

    /// Bytes left after the cursor.
    public var remaining: Int { bytes.count - offset }

    /// Reads a little-endian integer of `width` bytes at `offset` without moving the cursor.
    /// - Throws: `CoreError.Code.unexpectedEnd` when fewer than `T`'s size bytes remain at `offset`.
    public func getIntegerLE<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) throws(CoreError) -> T {
        let width = T.bitWidth / 8
        guard offset >= 0, offset <= bytes.count - width else {
            let left = offset < 0 || offset > bytes.count ? 0 : bytes.count - offset
            throw CoreError(.unexpectedEnd, "need \(width) bytes at offset \(offset), \(left) left", byteOffset: offset)
        }
        var value: T = 0
        let base = bytes.startIndex + offset
        for index in 0..<width { value |= T(truncatingIfNeeded: bytes[base + index]) << (8 * index) }
        return value
    }

    /// Reads a little-endian `UInt64` and moves past it.
    public mutating func readUInt64LE() throws(CoreError) -> UInt64 { try readIntegerLE() }
    /// Reads a little-endian `UInt32` and moves past it.
    public mutating func readUInt32LE() throws(CoreError) -> UInt32 { try readIntegerLE() }
    /// Reads a little-endian `UInt16` and moves past it.
    public mutating func readUInt16LE() throws(CoreError) -> UInt16 { try readIntegerLE() }

    /// Reads a little-endian integer and moves past it.
    public mutating func readIntegerLE<T: FixedWidthInteger>(as: T.Type = T.self) throws(CoreError) -> T {
        let value: T = try getIntegerLE(at: offset)
        offset += T.bitWidth / 8
        return value
    }

    /// Reads `count` bytes and moves past them.
    /// - Throws: `CoreError.Code.unexpectedEnd` when fewer than `count` bytes remain.
    public mutating func readBytes(_ count: Int) throws(CoreError) -> Bytes.SubSequence {
        guard count >= 0, count <= remaining else {
            throw CoreError(.unexpectedEnd, "need \(count) bytes, \(remaining) left", byteOffset: offset)
        }
        let start = bytes.startIndex + offset
        offset += count
        return bytes[start..<(start + count)]
    }
}

/// Appends little-endian integers and bytes to a growing buffer.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// Appends `value` as little-endian bytes.
    public mutating func writeIntegerLE<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes.
    public mutating func writeBytes(_ other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends `count` copies of `byte` (padding).
    public mutating func writePadding(_ count: Int, byte: UInt8 = 0) {
        bytes.append(contentsOf: repeatElement(byte, count: count))
    }
}
