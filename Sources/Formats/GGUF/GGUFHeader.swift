import Foundation
import TensorCore

/// The parsed and validated header of a GGUF file: version, metadata, tensor infos and where the data begins.
///
/// Layout (GGUF spec, ggml docs/gguf.md "File Structure"; all integers little-endian):
///
/// | Field | Type |
/// |---|---|
/// | magic | 4 bytes `"GGUF"` |
/// | version | `uint32`: 3 (2 has the same layout; 1, with 32-bit counts, is refused) |
/// | tensor_count, metadata_kv_count | `uint64` each |
/// | metadata_kv × count | key (`uint64` length + UTF-8), `uint32` value type, value |
/// | tensor_info × count | name, `uint32` n_dims (≤ 4), `uint64` ne[n_dims], `uint32` ggml type, `uint64` offset |
/// | padding | zeros up to a multiple of `general.alignment` (a `uint32` key; 32 when absent) |
/// | tensor data | each tensor at `dataStart + offset`, offsets multiples of the alignment |
public struct GGUFHeader: Sendable {
    /// Deepest array nesting accepted: an array of arrays is depth 2.
    public static let maximumArrayDepth = 8
    /// Most dimensions a tensor may have (`GGML_MAX_DIMS`).
    public static let maximumDimensionCount = 4
    /// Alignment of tensor data when `general.alignment` is absent (`GGUF_DEFAULT_ALIGNMENT`).
    public static let defaultAlignment = 32
    /// The metadata key that sets the alignment.
    public static let alignmentKey = "general.alignment"

    /// The file's format version: 2 or 3.
    public var version: Int
    /// The metadata in file order; keys are unique.
    public var metadata: [(key: String, value: GGUFValue)]
    /// The tensor infos in file order; names are unique.
    public var tensors: [GGUFTensorInfo]
    /// The data alignment in bytes: `general.alignment`, or 32.
    public var alignment: Int
    /// Absolute byte offset of the data section: the end of the tensor infos rounded up to ``alignment``.
    public var dataStart: Int
    /// Bytes of the metadata key/value section (after the counts, before the tensor infos).
    public var metadataByteCount = 0
    /// Byte offset just past the last tensor info (where the alignment padding before the data starts).
    public var tensorInfoEnd = 0

    /// The value of metadata key `key`, if present. O(number of keys).
    public func value(forKey key: String) -> GGUFValue? {
        metadata.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// Parses and validates the header of a whole GGUF file.
    ///
    /// Checks, in order: magic; version (2 or 3; 1 and byte-swapped files refused); counts that the rest of
    /// the file could hold; each metadata key (UTF-8, unique) and value (known type, arrays nested at most
    /// ``maximumArrayDepth`` deep, lengths within the file, strings UTF-8, bools 0 or 1); `general.alignment`
    /// (a `uint32`, a non-zero power of two); each tensor info (UTF-8 unique name, at most 4 dimensions,
    /// known type, `ne[0]` a multiple of the block size, element and byte counts within 64 bits); each tensor's
    /// offset (a multiple of the alignment, its bytes inside the file, no two tensors overlapping).
    /// Nothing is allocated for a count before the bytes it needs are known to exist.
    /// - Parameter file: the whole file (a memory mapping costs nothing until read).
    /// - Throws: `FormatError` with `byteOffset` set to the absolute offset of the bad field, and `tensorName`
    ///   when a tensor is concerned: `fileTooSmall`, `badMagic`, `unsupportedVersion`, `headerPastEnd`,
    ///   `invalidMetadata`, `nestingTooDeep`, `invalidTensorInfo`, `duplicateTensorName`, `unknownDType`,
    ///   `shapeOverflow`, `offsetMisaligned`, `offsetsOutOfBounds` or `offsetsOverlap`.
    /// - Complexity: O(header bytes + t log t) for t tensors; tensor data is not read.
    public static func parse(_ file: some ContiguousBytes) throws(FormatError) -> GGUFHeader {
        let result: Result<GGUFHeader, FormatError> = file.withUnsafeBytes { raw in
            do throws(FormatError) {
                var cursor = GGUFCursor(raw)
                return .success(try parse(&cursor))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func parse(_ cursor: inout GGUFCursor) throws(FormatError) -> GGUFHeader {
        let version = try parseVersion(&cursor)
        guard cursor.remaining >= 16 else {
            throw FormatError(
                .fileTooSmall,
                "file has \(cursor.bytes.count) bytes; a GGUF header needs 24 (magic, version and two counts)")
        }
        let tensorCountOffset = cursor.offset
        let declaredTensors: UInt64 = try cursor.readInteger("tensor count")
        let metadataCount = try cursor.readCount("metadata key/value count", minimumByteCount: 8 + 4 + 1)
        guard declaredTensors <= UInt64(cursor.remaining / minimumTensorInfoByteCount) else {
            throw FormatError(
                .headerPastEnd,
                "tensor count is \(declaredTensors); at \(minimumTensorInfoByteCount) bytes or more each their infos need more than the \(cursor.remaining) bytes left in the file",
                byteOffset: tensorCountOffset)
        }
        let metadataStart = cursor.offset
        let metadata = try parseMetadata(&cursor, count: metadataCount)
        let metadataEnd = cursor.offset
        let alignment = try alignment(of: metadata)
        let tensorCount = try cursor.readCountAgain(declaredTensors, at: tensorCountOffset)
        var infoOffsets: [Int] = []
        let tensors = try parseTensorInfos(&cursor, count: tensorCount, infoOffsets: &infoOffsets)
        let infosEnd = cursor.offset
        let dataStart = (cursor.offset + alignment - 1) / alignment * alignment
        try checkPlacement(
            tensors, infoOffsets: infoOffsets, alignment: alignment, dataStart: dataStart,
            fileByteCount: cursor.bytes.count)
        var header = GGUFHeader(
            version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataStart: dataStart)
        header.metadataByteCount = metadataEnd - metadataStart
        header.tensorInfoEnd = infosEnd
        return header
    }

    /// The fewest bytes a tensor info occupies: name length, n_dims, type and offset.
    static let minimumTensorInfoByteCount = 8 + 4 + 4 + 8

    private static func parseVersion(_ cursor: inout GGUFCursor) throws(FormatError) -> Int {
        guard cursor.remaining >= 4 else {
            throw FormatError(
                .fileTooSmall, "file has \(cursor.bytes.count) bytes; a GGUF file starts with the 4-byte magic 'GGUF'")
        }
        let magic = (0..<4).map { cursor.bytes[$0] }
        guard magic == Array("GGUF".utf8) else {
            let shown = magic.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "?" }.joined()
            throw FormatError(
                .badMagic,
                "magic is '\(shown)' (\(magic.map { String($0, radix: 16) })); a GGUF file starts with 'GGUF'",
                byteOffset: 0)
        }
        _ = try cursor.readInteger("magic", as: UInt32.self)
        guard cursor.remaining >= 4 else {
            throw FormatError(.fileTooSmall, "file has \(cursor.bytes.count) bytes; the version needs bytes 4..<8")
        }
        let version: UInt32 = try cursor.readInteger("version")
        switch version {
        case 2, 3:
            return Int(version)
        case 1:
            throw FormatError(
                .unsupportedVersion,
                "GGUF version 1 (32-bit counts and lengths) is not supported; convert the file with a current llama.cpp",
                byteOffset: 4)
        case _ where version & 0xFFFF == 0:
            throw FormatError(
                .unsupportedVersion,
                "version reads as \(version) (0x\(String(version, radix: 16))): the file looks big-endian, which is not supported",
                byteOffset: 4)
        default:
            throw FormatError(
                .unsupportedVersion, "GGUF version \(version) is not supported; this reader knows versions 2 and 3",
                byteOffset: 4)
        }
    }

    private static func alignment(of metadata: [(key: String, value: GGUFValue)]) throws(FormatError) -> Int {
        guard let entry = metadata.first(where: { $0.key == alignmentKey }) else { return defaultAlignment }
        guard case .uint32(let value) = entry.value else {
            throw FormatError(
                .invalidMetadata,
                "'\(alignmentKey)' is a \(entry.value.type.name); it must be a uint32 (a power of two)")
        }
        guard value > 0, value & (value - 1) == 0 else {
            throw FormatError(
                .invalidMetadata, "'\(alignmentKey)' is \(value); it must be a non-zero power of two")
        }
        return Int(value)
    }
}

extension GGUFCursor {
    /// Rechecks a tensor count read before the metadata against the bytes left after it.
    fileprivate func readCountAgain(_ declared: UInt64, at offset: Int) throws(FormatError) -> Int {
        let each = GGUFHeader.minimumTensorInfoByteCount
        guard declared <= UInt64(remaining / each) else {
            throw FormatError(
                .headerPastEnd,
                "tensor count is \(declared); at \(each) bytes or more each their infos need more than the \(remaining) bytes left after the metadata",
                byteOffset: offset)
        }
        return Int(declared)
    }
}
