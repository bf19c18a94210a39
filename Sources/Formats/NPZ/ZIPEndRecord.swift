import Foundation
import TensorCore

/// Bounds-checked little-endian field reads at absolute offsets of a ZIP archive's bytes.
struct ZIPBytes {
    private let reader: ByteReader<Data>

    /// Wraps `bytes` (offsets are relative to its first byte).
    init(_ bytes: Data) { reader = ByteReader(bytes) }

    /// The archive's size in bytes.
    var count: Int { reader.bytes.count }

    /// The bytes in `range` (absolute offsets); the caller has checked `range` lies within the archive.
    func slice(_ range: Range<Int>) -> Data {
        reader.bytes[(reader.bytes.startIndex + range.lowerBound)..<(reader.bytes.startIndex + range.upperBound)]
    }

    func uint16(at offset: Int, _ what: String) throws(FormatError) -> UInt16 { try field(offset, what) }
    func uint32(at offset: Int, _ what: String) throws(FormatError) -> UInt32 { try field(offset, what) }
    func uint64(at offset: Int, _ what: String) throws(FormatError) -> UInt64 { try field(offset, what) }

    private func field<T: FixedWidthInteger>(_ offset: Int, _ what: String) throws(FormatError) -> T {
        do { return try reader.getIntegerLE(at: offset) } catch {
            throw FormatError(
                .corruptIndex, "\(what) at byte \(offset) lies past the end of the \(count)-byte archive",
                byteOffset: offset)
        }
    }
}

/// Where a ZIP archive's central directory is, from its end-of-central-directory record (APPNOTE.TXT
/// §4.3.16) and, when present, the ZIP64 end record and locator (§4.3.14, §4.3.15).
///
/// Strict: the end record's comment must run exactly to the end of the file; single-disk archives only;
/// the directory must end exactly where the (ZIP64) end record begins, so no bytes hide between them.
struct ZIPEndRecord {
    /// Number of members the directory lists.
    var entryCount: Int
    /// Byte offset of the central directory.
    var directoryOffset: Int
    /// Byte offset where the central directory ends (the ZIP64 end record, or the end record).
    var directoryEnd: Int

    static let signature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64RecordSignature: UInt32 = 0x0606_4B50
    /// Fixed size of the end record; a comment of up to 65,535 bytes may follow.
    static let size = 22
    /// Smallest size of a central directory entry.
    static let minimumEntrySize = 46

    /// Finds and checks the end record of `bytes`.
    /// - Throws: `FormatError.Code.fileTooSmall`, `.badMagic` (no end record), or `.corruptIndex`.
    static func locate(in bytes: ZIPBytes) throws(FormatError) -> ZIPEndRecord {
        guard bytes.count >= size else {
            throw FormatError(
                .fileTooSmall,
                "file has \(bytes.count) bytes; a ZIP archive ends with a \(size)-byte end-of-central-directory record")
        }
        var position = bytes.count - size
        let lowest = max(0, bytes.count - size - Int(UInt16.max))
        var found: Int?
        while position >= lowest, found == nil {
            if try bytes.uint32(at: position, "end record") == signature,
                try Int(bytes.uint16(at: position + 20, "comment length")) == bytes.count - position - size
            {
                found = position
            }
            position -= 1
        }
        guard let end = found else {
            throw FormatError(
                .badMagic,
                "no ZIP end-of-central-directory record (PK\\5\\6) at the end of the file; an .npz file is a ZIP archive"
            )
        }
        let disk = try bytes.uint16(at: end + 4, "disk number")
        let directoryDisk = try bytes.uint16(at: end + 6, "directory disk")
        let entriesOnDisk = UInt64(try bytes.uint16(at: end + 8, "entry count"))
        let entries = UInt64(try bytes.uint16(at: end + 10, "entry count"))
        let directorySize = UInt64(try bytes.uint32(at: end + 12, "directory size"))
        let directoryOffset = UInt64(try bytes.uint32(at: end + 16, "directory offset"))
        guard disk == 0, directoryDisk == 0, entriesOnDisk == entries else {
            throw FormatError(.corruptIndex, "archives split over several disks are not supported", byteOffset: end)
        }
        if end >= 20, try bytes.uint32(at: end - 20, "ZIP64 locator") == zip64LocatorSignature {
            return try zip64(bytes, locator: end - 20)
        }
        return try checked(
            entries: entries, directoryOffset: directoryOffset, directorySize: directorySize, directoryEnd: end)
    }

    /// Reads the ZIP64 end record the locator at `locator` points to; its counts replace the 16/32-bit ones.
    private static func zip64(_ bytes: ZIPBytes, locator: Int) throws(FormatError) -> ZIPEndRecord {
        let recordDisk = try bytes.uint32(at: locator + 4, "ZIP64 record disk")
        let recordOffset = try bytes.uint64(at: locator + 8, "ZIP64 record offset")
        let diskCount = try bytes.uint32(at: locator + 16, "ZIP64 disk count")
        guard recordDisk == 0, diskCount <= 1 else {
            throw FormatError(.corruptIndex, "archives split over several disks are not supported", byteOffset: locator)
        }
        guard recordOffset <= UInt64(locator), locator - Int(recordOffset) >= 56 else {
            throw FormatError(
                .corruptIndex, "the ZIP64 locator points at byte \(recordOffset), not before itself",
                byteOffset: locator)
        }
        let record = Int(recordOffset)
        guard try bytes.uint32(at: record, "ZIP64 end record") == zip64RecordSignature else {
            throw FormatError(
                .corruptIndex, "no ZIP64 end record (PK\\6\\6) where the locator points", byteOffset: record)
        }
        let disk = try bytes.uint32(at: record + 16, "ZIP64 disk number")
        let directoryDisk = try bytes.uint32(at: record + 20, "ZIP64 directory disk")
        let entriesOnDisk = try bytes.uint64(at: record + 24, "ZIP64 entry count")
        let entries = try bytes.uint64(at: record + 32, "ZIP64 entry count")
        guard disk == 0, directoryDisk == 0, entriesOnDisk == entries else {
            throw FormatError(.corruptIndex, "archives split over several disks are not supported", byteOffset: record)
        }
        return try checked(
            entries: entries, directoryOffset: try bytes.uint64(at: record + 48, "ZIP64 directory offset"),
            directorySize: try bytes.uint64(at: record + 40, "ZIP64 directory size"), directoryEnd: record)
    }

    private static func checked(entries: UInt64, directoryOffset: UInt64, directorySize: UInt64, directoryEnd: Int)
        throws(FormatError) -> ZIPEndRecord
    {
        let (directoryStop, overflow) = directoryOffset.addingReportingOverflow(directorySize)
        guard !overflow, directoryStop == UInt64(directoryEnd) else {
            throw FormatError(
                .corruptIndex,
                "the central directory (\(directorySize) bytes at byte \(directoryOffset)) does not end where the end record begins, at byte \(directoryEnd)",
                byteOffset: directoryEnd)
        }
        guard entries <= directorySize / UInt64(minimumEntrySize) else {
            throw FormatError(
                .corruptIndex,
                "the end record lists \(entries) members; a \(directorySize)-byte central directory holds at most \(directorySize / UInt64(minimumEntrySize))",
                byteOffset: directoryEnd)
        }
        return ZIPEndRecord(
            entryCount: Int(entries), directoryOffset: Int(directoryOffset), directoryEnd: directoryEnd)
    }
}
