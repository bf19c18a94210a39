import TensorCore

/// The fixed 64-byte header at the start of every `.wpk` file (docs/FORMAT.md §2).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `89 57 50 4B 0D 0A 1A 0A` |
/// | 8 | 2 | major version (u16 LE), 1 |
/// | 10 | 2 | minor version (u16 LE), 0 |
/// | 12 | 4 | flags (u32 LE), 0 |
/// | 16 | 8 | index offset in bytes from the file start (u64 LE) |
/// | 24 | 8 | index length in bytes (u64 LE) |
/// | 32 | 8 | XXH3-64 of the index bytes (u64 LE) |
/// | 40 | 24 | reserved, zero |
public struct WPKHeader: Sendable, Equatable {
    /// The magic bytes: `\x89WPK\r\n\x1a\n` (PNG-style: catches 7-bit and line-ending damage).
    public static let magic: [UInt8] = [0x89, 0x57, 0x50, 0x4B, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Size of the header in bytes; data segments start here.
    public static let byteCount = 64
    /// The major version this code reads and writes.
    public static let currentMajorVersion: UInt16 = 2
    /// The minor version this code writes.
    public static let currentMinorVersion: UInt16 = 0
    /// Alignment of every data segment and of the index, in bytes.
    public static let alignment = 64
    /// The largest index accepted, in bytes (1 GiB).
    public static let maximumIndexByteCount = 1 << 30

    /// Major version: readers refuse a major version they do not know.
    public var majorVersion: UInt16
    /// Minor version: additions a reader of the same major version may ignore.
    public var minorVersion: UInt16
    /// Reserved flags; 0 in version 1.
    public var flags: UInt32
    /// Absolute byte offset of the JSON index.
    public var indexOffset: Int
    /// Length of the JSON index in bytes.
    public var indexByteCount: Int
    /// XXH3-64 of the index bytes.
    public var indexChecksum: UInt64

    /// Creates a header for the current version.
    public init(indexOffset: Int, indexByteCount: Int, indexChecksum: UInt64) {
        majorVersion = Self.currentMajorVersion
        minorVersion = Self.currentMinorVersion
        flags = 0
        self.indexOffset = indexOffset
        self.indexByteCount = indexByteCount
        self.indexChecksum = indexChecksum
    }

    /// The 64 header bytes.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(Self.magic)
        writer.writeIntegerLE(majorVersion)
        writer.writeIntegerLE(minorVersion)
        writer.writeIntegerLE(flags)
        writer.writeIntegerLE(UInt64(indexOffset))
        writer.writeIntegerLE(UInt64(indexByteCount))
        writer.writeIntegerLE(indexChecksum)
        writer.writePadding(Self.byteCount - writer.bytes.count)
        return writer.bytes
    }

    /// Decodes and checks a header against a file of `fileByteCount` bytes.
    /// - Throws: `FormatError` with `fileTooSmall`, `badMagic`, `unsupportedVersion` (naming both versions, or
    ///   for non-zero flags or reserved bytes), `headerTooLarge` (index over 1 GiB), `headerPastEnd` (index outside
    ///   the file or not at its end) or `corruptIndex` (index offset not a multiple of 64).
    public static func decode(_ bytes: some RandomAccessCollection<UInt8>, fileByteCount: Int) throws(FormatError)
        -> WPKHeader
    {
        let head = Array(bytes.prefix(byteCount))
        guard head.count == byteCount, fileByteCount >= byteCount else {
            throw FormatError(
                .fileTooSmall, "file has \(fileByteCount) bytes; a .wpk file starts with a \(byteCount)-byte header")
        }
        guard Array(head[0..<8]) == magic else {
            throw FormatError(
                .badMagic, "not a .wpk file: the first 8 bytes are not 89 57 50 4B 0D 0A 1A 0A", byteOffset: 0)
        }
        // The 64 bytes are present, so these fixed-offset reads cannot fail.
        let reader = ByteReader(head)
        let field = { (offset: Int) -> UInt64 in (try? reader.getIntegerLE(at: offset, as: UInt64.self)) ?? 0 }
        let major = UInt16(truncatingIfNeeded: field(8))
        let minor = UInt16(truncatingIfNeeded: field(8) >> 16)
        let flags = UInt32(truncatingIfNeeded: field(8) >> 32)
        let offset = field(16)
        let length = field(24)
        guard major == currentMajorVersion else {
            throw FormatError(
                .unsupportedVersion,
                "file is .wpk version \(major).\(minor); this WeightPack reads version \(currentMajorVersion).x only",
                byteOffset: 8)
        }
        guard length <= UInt64(maximumIndexByteCount) else {
            throw FormatError(
                .headerTooLarge, "index length is \(length) bytes; the limit is \(maximumIndexByteCount)",
                byteOffset: 24)
        }
        guard offset >= UInt64(byteCount), offset <= UInt64(fileByteCount), length == UInt64(fileByteCount) - offset
        else {
            throw FormatError(
                .headerPastEnd,
                "index at byte \(offset) of length \(length) does not end the file of \(fileByteCount) bytes (truncated or extended file?)",
                byteOffset: 16)
        }
        guard flags == 0, head[40..<64].allSatisfy({ $0 == 0 }) else {
            throw FormatError(
                .unsupportedVersion, "header flags or reserved bytes are set; version 1.\(minor) defines none",
                byteOffset: 12)
        }
        guard offset % UInt64(alignment) == 0 else {
            throw FormatError(.corruptIndex, "index offset \(offset) is not a multiple of \(alignment)", byteOffset: 16)
        }
        var header = WPKHeader(indexOffset: Int(offset), indexByteCount: Int(length), indexChecksum: field(32))
        header.minorVersion = minor
        header.flags = flags
        return header
    }
}
