import Foundation
import TensorCore
import ZIPFoundation

/// Reads NumPy `.npz` archives, as `np.savez` (stored members) and `np.savez_compressed` (deflated members)
/// write them, through a memory mapping.
///
/// An `.npz` file is a ZIP archive (PKWARE APPNOTE.TXT) whose members are `.npy` files named `key + ".npy"`
/// (numpy/lib/_npyio_impl.py, `_savez`). On open, the central directory is parsed and checked (see
/// ``ZIPDirectory``) and every member's `.npy` header is read and validated: for a deflated member only the
/// first bytes are inflated. Before anything is inflated, each member's declared uncompressed size must be
/// at most ``maximumUncompressedByteCount`` and equal to the size its header implies, so an archive cannot
/// make the reader allocate or inflate more than it declares (zip-bomb guard); a deflated member may declare
/// at most 1032 times its compressed size, deflate's largest expansion, so a small file cannot ask for gigabytes.
///
/// Members that are not `.npy` files, duplicate names, encrypted members and compression methods other
/// than stored and deflate are refused (numpy would hand non-`.npy` members out as raw bytes; WeightPack
/// only reads arrays).
public struct NPZReader: Sendable {
    /// The mapped archive.
    public let file: MappedFile
    /// The largest uncompressed member accepted, in bytes.
    public let maximumUncompressedByteCount: Int
    /// The arrays, in archive (central directory) order.
    public let entries: [NPZEntry]
    private let dataRanges: [Range<Int>]
    private let checksums: [UInt32]
    private let indexByName: [TensorNameKey: Int]

    /// Opens and validates the archive at `path`.
    /// - Parameter maximumUncompressedByteCount: the largest `.npy` member accepted, in bytes (default 64 GiB).
    /// - Throws: `FormatError` with `path` set: `ioFailure` when the file cannot be mapped; for the ZIP
    ///   structure `fileTooSmall`, `badMagic`, `corruptIndex`, `offsetsOutOfBounds`; per member
    ///   `unsupportedMember` (not `.npy`, encrypted, or a method other than stored/deflate),
    ///   `duplicateTensorName`, `sizeLimitExceeded`, `corruptCompressedData` (while inflating the header), and
    ///   every error of ``NPYReader/parseHeader(_:fileByteCount:maximumHeaderLength:)`` — including
    ///   `byteCountMismatch` when the declared size differs from the header's.
    /// - Complexity: O(members + directory bytes), plus inflating at most ~40 KB per deflated member.
    public init(path: String, maximumUncompressedByteCount: Int = 1 << 36) throws(FormatError) {
        let file = try MappedFile(path: path)
        do { try self.init(file: file, maximumUncompressedByteCount: maximumUncompressedByteCount) } catch {
            throw error.at(path: path)
        }
    }

    /// Validates an already-mapped archive; as ``init(path:maximumUncompressedByteCount:)``.
    public init(file: MappedFile, maximumUncompressedByteCount: Int = 1 << 36) throws(FormatError) {
        self.file = file
        self.maximumUncompressedByteCount = maximumUncompressedByteCount
        var entries: [NPZEntry] = []
        var indexByName: [TensorNameKey: Int] = [:]
        let members = try ZIPDirectory.members(of: file.bytes)
        for member in members {
            let entry = try Self.entry(for: member, in: file, limit: maximumUncompressedByteCount)
            guard indexByName.updateValue(entries.count, forKey: TensorNameKey(entry.name)) == nil else {
                throw FormatError(
                    .duplicateTensorName, "the archive holds two members named '\(member.name)'",
                    tensorName: entry.name, byteOffset: member.localHeaderOffset)
            }
            entries.append(entry)
        }
        self.entries = entries
        self.dataRanges = members.map(\.dataRange)
        self.checksums = members.map(\.crc32)
        self.indexByName = indexByName
    }

    /// The largest ratio of inflated to deflated bytes a deflate stream can reach (RFC 1951: a 258-byte match
    /// coded in as little as 2 bits).
    static let maximumDeflateRatio = 1032

    /// The entry for a member, after the checks that need no inflating and the header's.
    private static func entry(for member: ZIPMember, in file: MappedFile, limit: Int) throws(FormatError)
        -> NPZEntry
    {
        let suffix = Array(".npy".utf8)
        guard member.name.utf8.count >= suffix.count, member.name.utf8.suffix(suffix.count).elementsEqual(suffix)
        else {
            throw FormatError(
                .unsupportedMember,
                "member '\(member.name)' is not an .npy array; an .npz archive for WeightPack holds only NAME.npy members",
                byteOffset: member.localHeaderOffset)
        }
        let name = String(decoding: member.name.utf8.dropLast(suffix.count), as: UTF8.self)
        func failure(_ code: FormatError.Code, _ message: String) -> FormatError {
            FormatError(
                code, "member '\(member.name)': " + message, tensorName: name, byteOffset: member.localHeaderOffset)
        }
        guard !member.isEncrypted else { throw failure(.unsupportedMember, "encrypted members are not supported") }
        guard member.method == 0 || member.method == 8 else {
            throw failure(
                .unsupportedMember,
                "compression method \(member.method) is not supported; numpy writes 0 (stored) and 8 (deflate)")
        }
        guard member.uncompressedByteCount <= UInt64(max(0, limit)) else {
            throw failure(
                .sizeLimitExceeded,
                "declares \(member.uncompressedByteCount) bytes uncompressed; the limit is \(limit) (maximumUncompressedByteCount)"
            )
        }
        let uncompressed = Int(member.uncompressedByteCount)
        let isCompressed = member.method == 8
        // Deflate cannot expand more than 1032-fold (a 258-byte match in 2 bits, RFC 1951 §3.2.5), so a
        // larger declared size is a lie that would only make the reader allocate for it.
        let deflateLimit = member.dataRange.count.multipliedReportingOverflow(by: Self.maximumDeflateRatio)
        guard !isCompressed || deflateLimit.overflow || uncompressed <= deflateLimit.partialValue else {
            throw failure(
                .sizeLimitExceeded,
                "declares \(uncompressed) bytes uncompressed from \(member.dataRange.count) deflated bytes; deflate expands at most \(Self.maximumDeflateRatio)-fold"
            )
        }
        guard isCompressed || member.dataRange.count == uncompressed else {
            throw failure(
                .corruptIndex,
                "a stored member occupies \(member.dataRange.count) bytes but declares \(uncompressed) uncompressed")
        }
        let header: NPYHeader
        do {
            let stored = file.slice(member.dataRange)
            let prefix =
                isCompressed
                ? try ZIPInflater.inflate(
                    stored, byteLimit: min(uncompressed, 12 + 4 * NPYHeader.maximumHeaderLength), stopAtLimit: true)
                : stored
            header = try NPYReader.parseHeader(prefix, fileByteCount: uncompressed)
        } catch {
            let place = error.byteOffset.map { isCompressed ? " (byte \($0) of the inflated member)" : "" } ?? ""
            var wrapped = failure(error.code, error.message + place)
            if !isCompressed, let offset = error.byteOffset {
                wrapped.byteOffset = member.dataRange.lowerBound + offset
            }
            throw wrapped
        }
        return NPZEntry(
            name: name, header: header, compressedByteCount: member.dataRange.count,
            uncompressedByteCount: uncompressed, isCompressed: isCompressed)
    }

    /// The tensor of `entry` (one of ``entries``), little-endian and in C order.
    ///
    /// A stored member's little-endian C-order data is a slice of the mapping (no copy); a deflated member
    /// is inflated into memory, never past its declared size. The CRC-32 is checked either way.
    /// - Throws: `FormatError` with `path` set: `invalidTensorInfo` when `entry` is not from this archive;
    ///   `corruptCompressedData` when inflating fails or yields a size other than the declared one;
    ///   `checksumMismatch`; and the errors of ``NPYReader/tensor(named:from:)``.
    /// - Complexity: O(n) for the checksum (and inflating); O(n) memory for deflated or converted data.
    public func tensor(_ entry: NPZEntry) throws(FormatError) -> Tensor {
        guard let index = indexByName[TensorNameKey(entry.name)], entries[index] == entry else {
            throw FormatError(
                .invalidTensorInfo, "no such member in this archive", path: file.path, tensorName: entry.name)
        }
        let memberName = entry.name + ".npy"
        let stored = file.slice(dataRanges[index])
        let bytes: Data
        if entry.isCompressed {
            do {
                bytes = try ZIPInflater.inflate(stored, byteLimit: entry.uncompressedByteCount, stopAtLimit: false)
            } catch {
                throw FormatError(
                    error.code, "member '\(memberName)': \(error.message)", path: file.path, tensorName: entry.name)
            }
            guard bytes.count == entry.uncompressedByteCount else {
                throw FormatError(
                    .corruptCompressedData,
                    "member '\(memberName)' inflates to \(bytes.count) bytes; the archive declares \(entry.uncompressedByteCount)",
                    path: file.path, tensorName: entry.name)
            }
        } else {
            bytes = stored
        }
        let checksum = bytes.crc32(checksum: 0)
        guard checksum == checksums[index] else {
            throw FormatError(
                .checksumMismatch,
                "member '\(memberName)' has CRC-32 \(Self.hex(checksum)); the archive records \(Self.hex(checksums[index]))",
                path: file.path, tensorName: entry.name, byteOffset: dataRanges[index].lowerBound)
        }
        do { return try NPYReader.tensor(named: entry.name, from: bytes) } catch { throw error.at(path: file.path) }
    }

    /// Every tensor, in archive order.
    /// - Throws: as ``tensor(_:)``.
    public func readAll() throws(FormatError) -> TensorCollection {
        var tensors: [Tensor] = []
        for entry in entries { tensors.append(try tensor(entry)) }
        do { return try TensorCollection(tensors: tensors) } catch { throw FormatError(error, path: file.path) }
    }

    private static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }
}
