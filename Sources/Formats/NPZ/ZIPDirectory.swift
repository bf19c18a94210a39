import Foundation

/// One member of a ZIP archive, from its central directory entry (APPNOTE.TXT §4.3.12) and local header
/// (§4.3.7), with sizes from the ZIP64 extra field (§4.5.3) where the 32-bit fields say `0xFFFFFFFF`.
struct ZIPMember {
    /// The member's name, decoded as UTF-8 when general-purpose flag bit 11 is set, else as code page 437.
    var name: String
    /// General-purpose flags (bit 0: encrypted; bit 3: sizes in a data descriptor; bit 11: UTF-8 name).
    var flags: UInt16
    /// Compression method: 0 stored, 8 deflate; others are refused by the NPZ reader.
    var method: UInt16
    /// CRC-32 of the uncompressed bytes.
    var crc32: UInt32
    /// Uncompressed size as declared by the directory (unchecked: may exceed `Int`).
    var uncompressedByteCount: UInt64
    /// Absolute byte offset of the member's local header.
    var localHeaderOffset: Int
    /// Absolute byte range of the member's stored (possibly compressed) bytes.
    var dataRange: Range<Int>

    /// True when flag bit 0 says the member is encrypted.
    var isEncrypted: Bool { flags & 1 != 0 }
}

/// Reads and checks the central directory of a ZIP archive held in memory (or mapped).
///
/// Checks, per member: the directory entry's signature and that it fits in the directory; the ZIP64 extra
/// field when a size or offset is `0xFFFFFFFF`; the local header's signature, and its name equal to the
/// directory's byte for byte; the stored bytes lying before the central directory; and, across members,
/// that no member's bytes overlap the next one's local header (overlapping members are a known zip-bomb
/// construction). All arithmetic is checked; nothing here traps on hostile input.
enum ZIPDirectory {
    static let entrySignature: UInt32 = 0x0201_4B50
    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let localHeaderSize = 30
    static let zip64ExtraID: UInt16 = 0x0001

    /// The archive's members, in central directory order.
    /// - Throws: `FormatError` with code `fileTooSmall`, `badMagic`, `corruptIndex` or `offsetsOutOfBounds`,
    ///   and the byte offset of the problem.
    /// - Complexity: O(members + directory bytes).
    static func members(of data: Data) throws(FormatError) -> [ZIPMember] {
        let bytes = ZIPBytes(data)
        let end = try ZIPEndRecord.locate(in: bytes)
        var members: [ZIPMember] = []
        var position = end.directoryOffset
        for index in 0..<end.entryCount {
            members.append(try member(bytes, at: &position, index: index, end: end))
        }
        guard position == end.directoryEnd else {
            throw FormatError(
                .corruptIndex,
                "the central directory lists \(end.entryCount) members in \(position - end.directoryOffset) bytes but is \(end.directoryEnd - end.directoryOffset) bytes long",
                byteOffset: position)
        }
        var previous: ZIPMember?
        for member in members.sorted(by: { $0.localHeaderOffset < $1.localHeaderOffset }) {
            if let previous, member.localHeaderOffset < previous.dataRange.upperBound {
                throw FormatError(
                    .corruptIndex, "members '\(previous.name)' and '\(member.name)' overlap",
                    byteOffset: member.localHeaderOffset)
            }
            previous = member
        }
        return members
    }

    private static func member(_ bytes: ZIPBytes, at position: inout Int, index: Int, end: ZIPEndRecord)
        throws(FormatError) -> ZIPMember
    {
        let start = position
        let what = "central directory entry \(index)"
        guard end.directoryEnd - start >= ZIPEndRecord.minimumEntrySize,
            try bytes.uint32(at: start, what) == entrySignature
        else {
            throw FormatError(
                .corruptIndex, "\(what) does not start with the signature PK\\1\\2 at byte \(start)", byteOffset: start)
        }
        let flags = try bytes.uint16(at: start + 8, what)
        let method = try bytes.uint16(at: start + 10, what)
        let crc32 = try bytes.uint32(at: start + 16, what)
        var compressed = UInt64(try bytes.uint32(at: start + 20, what))
        var uncompressed = UInt64(try bytes.uint32(at: start + 24, what))
        let nameLength = Int(try bytes.uint16(at: start + 28, what))
        let extraLength = Int(try bytes.uint16(at: start + 30, what))
        let commentLength = Int(try bytes.uint16(at: start + 32, what))
        let diskStart = try bytes.uint16(at: start + 34, what)
        var localOffset = UInt64(try bytes.uint32(at: start + 42, what))
        let nameStart = start + ZIPEndRecord.minimumEntrySize
        let next = nameStart + nameLength + extraLength + commentLength
        guard next <= end.directoryEnd else {
            throw FormatError(
                .corruptIndex, "\(what)'s name, extra field and comment run past the central directory",
                byteOffset: start)
        }
        let nameBytes = bytes.slice(nameStart..<(nameStart + nameLength))
        let name = try decodeName(nameBytes, flags: flags, offset: nameStart)
        let extra = bytes.slice((nameStart + nameLength)..<(nameStart + nameLength + extraLength))
        if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF
            || diskStart == 0xFFFF
        {
            var fields = try zip64Fields(extra, offset: nameStart + nameLength, member: name)
            if uncompressed == 0xFFFF_FFFF { uncompressed = try fields.next("uncompressed size") }
            if compressed == 0xFFFF_FFFF { compressed = try fields.next("compressed size") }
            if localOffset == 0xFFFF_FFFF { localOffset = try fields.next("local header offset") }
        } else if diskStart != 0 {
            throw FormatError(.corruptIndex, "member '\(name)' starts on disk \(diskStart)", byteOffset: start)
        }
        position = next
        let dataRange = try localData(
            bytes, offset: localOffset, compressed: compressed, nameBytes: nameBytes, name: name, end: end)
        return ZIPMember(
            name: name, flags: flags, method: method, crc32: crc32, uncompressedByteCount: uncompressed,
            localHeaderOffset: Int(localOffset), dataRange: dataRange)
    }

    /// The byte range of a member's stored bytes, after its local header.
    private static func localData(
        _ bytes: ZIPBytes, offset: UInt64, compressed: UInt64, nameBytes: Data, name: String, end: ZIPEndRecord
    ) throws(FormatError) -> Range<Int> {
        let limit = UInt64(end.directoryOffset)
        guard offset <= limit, limit - offset >= UInt64(localHeaderSize) else {
            throw FormatError(
                .offsetsOutOfBounds,
                "member '\(name)': local header offset \(offset) is not before the central directory at byte \(limit)",
                byteOffset: end.directoryOffset)
        }
        let header = Int(offset)
        guard try bytes.uint32(at: header, "local header") == localHeaderSignature else {
            throw FormatError(
                .corruptIndex, "member '\(name)': no local header signature PK\\3\\4 at byte \(header)",
                byteOffset: header)
        }
        let nameLength = Int(try bytes.uint16(at: header + 26, "local header"))
        let extraLength = Int(try bytes.uint16(at: header + 28, "local header"))
        let dataStart = header + localHeaderSize + nameLength + extraLength
        guard dataStart <= end.directoryOffset else {
            throw FormatError(
                .offsetsOutOfBounds, "member '\(name)': local header runs into the central directory",
                byteOffset: header)
        }
        guard bytes.slice((header + localHeaderSize)..<(header + localHeaderSize + nameLength)) == nameBytes else {
            throw FormatError(
                .corruptIndex, "member '\(name)': the local header names a different file than the directory",
                byteOffset: header + localHeaderSize)
        }
        guard compressed <= UInt64(end.directoryOffset - dataStart) else {
            throw FormatError(
                .offsetsOutOfBounds,
                "member '\(name)': \(compressed) stored bytes from byte \(dataStart) run past the central directory at byte \(end.directoryOffset)",
                byteOffset: dataStart)
        }
        return dataStart..<(dataStart + Int(compressed))
    }

    /// The 64-bit values of a ZIP64 extended-information extra field, read in order as they are needed.
    private struct Zip64Fields {
        var values: Data
        var offset: Int
        var member: String

        mutating func next(_ what: String) throws(FormatError) -> UInt64 {
            guard values.count >= 8 else {
                throw FormatError(
                    .corruptIndex, "member '\(member)': the ZIP64 extra field lacks the \(what)", byteOffset: offset)
            }
            let value = values.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            values = values.dropFirst(8)
            return value
        }
    }

    private static func zip64Fields(_ extra: Data, offset: Int, member: String) throws(FormatError) -> Zip64Fields {
        var rest = extra
        while rest.count >= 4 {
            let bytes = Array(rest.prefix(4))
            let id = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
            let length = Int(bytes[2]) | Int(bytes[3]) << 8
            guard rest.count - 4 >= length else {
                throw FormatError(
                    .corruptIndex, "member '\(member)': an extra field runs past the end of the extra data",
                    byteOffset: offset + extra.count - rest.count)
            }
            if id == zip64ExtraID {
                return Zip64Fields(values: Data(rest.dropFirst(4).prefix(length)), offset: offset, member: member)
            }
            rest = rest.dropFirst(4 + length)
        }
        throw FormatError(
            .corruptIndex, "member '\(member)': a size is 0xFFFFFFFF but there is no ZIP64 extra field",
            byteOffset: offset)
    }

    /// Decodes a member name: UTF-8 when flag bit 11 is set (it must be valid), else code page 437.
    private static func decodeName(_ bytes: Data, flags: UInt16, offset: Int) throws(FormatError) -> String {
        if flags & (1 << 11) != 0 {
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw FormatError(
                    .corruptIndex, "a member name flagged as UTF-8 is not valid UTF-8", byteOffset: offset)
            }
            return name
        }
        return String(
            String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : codePage437[Int($0) - 0x80] }))
    }

    /// Code page 437, bytes 0x80–0xFF, as Python's `cp437` codec maps them (the lower half is ASCII).
    static let codePage437: [Unicode.Scalar] = Array(
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}"
            .unicodeScalars)
}
