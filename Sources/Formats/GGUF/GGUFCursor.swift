/// A bounds-checked little-endian reader over a GGUF file's bytes, for the header parser.
///
/// Every read checks the bytes left and throws `FormatError.Code.headerPastEnd` naming what was being read
/// and where, instead of trapping; offsets are absolute file offsets.
struct GGUFCursor {
    /// The whole file.
    let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Bytes left after the cursor.
    var remaining: Int { bytes.count - offset }

    /// Throws unless `count` bytes remain; `what` names the field for the message.
    func require(_ count: Int, for what: @autoclosure () -> String) throws(FormatError) {
        guard count <= remaining else {
            throw FormatError(
                .headerPastEnd,
                "\(what()) needs \(count) bytes at byte \(offset) but the file ends after \(remaining) (truncated?)",
                byteOffset: offset)
        }
    }

    mutating func readUInt8(_ what: @autoclosure () -> String) throws(FormatError) -> UInt8 {
        try require(1, for: what())
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readInteger<T: FixedWidthInteger>(_ what: @autoclosure () -> String, as: T.Type = T.self)
        throws(FormatError) -> T
    {
        let width = T.bitWidth / 8
        try require(width, for: what())
        defer { offset += width }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads a `uint64` count and checks that `count × minimumByteCount` bytes remain, so that nothing is
    /// allocated for elements the file cannot hold.
    mutating func readCount(_ what: @autoclosure () -> String, minimumByteCount: Int) throws(FormatError) -> Int {
        let start = offset
        let declared: UInt64 = try readInteger(what())
        guard declared <= UInt64(remaining / max(minimumByteCount, 1)) else {
            throw FormatError(
                .headerPastEnd,
                "\(what()) is \(declared); at \(minimumByteCount) bytes or more each they need more than the \(remaining) bytes left in the file",
                byteOffset: start)
        }
        return Int(declared)
    }

    /// Reads a `gguf_string_t` (`uint64` length, then UTF-8 bytes).
    /// - Throws: `headerPastEnd` when the length runs past the end; `invalidCode` when the bytes are not UTF-8.
    mutating func readString(_ what: @autoclosure () -> String, invalidCode: FormatError.Code) throws(FormatError)
        -> String
    {
        let start = offset
        let length = try readCount("length of \(what())", minimumByteCount: 1)
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw FormatError(invalidCode, "\(what()) is not valid UTF-8", byteOffset: start)
        }
        offset += length
        return text
    }
}
