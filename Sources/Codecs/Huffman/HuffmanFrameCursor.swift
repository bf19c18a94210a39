/// Reads a Huffman frame's header fields in order, throwing `CodecError.Code.corruptInput` at its end.
struct HuffmanFrameCursor {
    /// The frame.
    let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes after the cursor.
    var remainingByteCount: Int { bytes.count - offset }

    /// Reads one byte naming `field`.
    mutating func readUInt8(_ field: String) throws(CodecError) -> UInt8 {
        guard offset < bytes.count else {
            throw CodecError(
                .corruptInput, "the frame ends at byte \(offset) before its \(field)", codecName: "huffman")
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes that fits in 63 bits, naming `field`.
    mutating func readVarint(_ field: String) throws(CodecError) -> Int {
        let start = offset
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            let byte = try readUInt8(field)
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 {
                guard value <= UInt64(Int.max), shift < 63 || byte <= 1 else { break }
                return Int(value)
            }
        }
        throw CodecError(
            .corruptInput, "the \(field) at byte \(start) is not a varint below 2^63", codecName: "huffman")
    }

    /// Reads `count` bytes.
    mutating func readBytes(_ count: Int, _ field: String) throws(CodecError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remainingByteCount else {
            throw CodecError(
                .corruptInput,
                "the \(field) needs \(count) bytes at byte \(offset); the frame has \(remainingByteCount) left",
                codecName: "huffman")
        }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}

extension [UInt8] {
    /// Appends `value` as an unsigned LEB128 varint.
    mutating func appendVarint(_ value: Int) {
        var rest = UInt64(value)
        while rest >= 0x80 {
            append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        append(UInt8(rest))
    }
}
