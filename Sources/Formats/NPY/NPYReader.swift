import Foundation
import TensorCore

/// Reads NumPy `.npy` files (format versions 1.0, 2.0 and 3.0) into little-endian, C-order tensors.
///
/// Spec: numpy/lib/format.py (NEP 1); layout in ``NPYHeader``. Supported dtypes: `b1`, `i1`–`i8`, `u1`–`u8`,
/// `f2`, `f4`, `f8` in any byte order. Big-endian data is byte-swapped and Fortran-order data transposed on
/// read; little-endian C-order data is handed out without copying.
public enum NPYReader {
    /// Parses and validates the header at the start of an `.npy` file of `fileByteCount` bytes.
    ///
    /// Checks run in this order: the magic `\x93NUMPY`; the version (1.0, 2.0 or 3.0); the 2- or 4-byte
    /// header length `N`; `N` against `maximumHeaderLength` (in characters, as numpy counts them: bytes
    /// for Latin-1 versions 1 and 2; for version 3, `N` may be at most 4 × the cap before decoding and the
    /// decoded text at most the cap); the header inside the file; version 3's UTF-8; the dict literal
    /// (``NPYHeaderParser``); its keys, `shape`, `fortran_order` and `descr`, in numpy's order; element
    /// count × item size without overflow; and the bytes after the header equal to that size exactly.
    /// - Parameters:
    ///   - bytes: the file's first bytes: at least through the header (`dataOffset` bytes), or the whole file.
    ///   - fileByteCount: the size of the whole file in bytes.
    ///   - maximumHeaderLength: the cap on the header length, numpy's `max_header_size`; default 10,000.
    /// - Throws: `FormatError` with code `badMagic`, `fileTooSmall`, `unsupportedVersion`, `headerTooLarge`,
    ///   `headerPastEnd` (also when `bytes` stops before the header does), `invalidHeader`, `shapeOverflow`,
    ///   `unsupportedDType`, `unknownDType` or `byteCountMismatch`, with the byte offset of the problem.
    public static func parseHeader(
        _ bytes: some RandomAccessCollection<UInt8>, fileByteCount: Int,
        maximumHeaderLength: Int = NPYHeader.maximumHeaderLength
    ) throws(FormatError) -> NPYHeader {
        let preamble = Array(bytes.prefix(12))
        let magicCount = max(0, min(6, preamble.count, fileByteCount))
        guard preamble.prefix(magicCount).elementsEqual(NPYHeader.magic.prefix(magicCount)) else {
            let found = preamble.prefix(6).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw FormatError(
                .badMagic, "file starts with \(found), not the NPY magic 93 4E 55 4D 50 59 (\\x93NUMPY)",
                byteOffset: 0)
        }
        func require(_ count: Int, _ what: String) throws(FormatError) {
            guard fileByteCount >= count else {
                throw FormatError(
                    .fileTooSmall, "file has \(fileByteCount) bytes; \(what) needs the first \(count)", byteOffset: 0)
            }
            guard preamble.count >= count else {
                throw FormatError(.headerPastEnd, "only \(preamble.count) bytes were given; \(what) needs \(count)")
            }
        }
        try require(8, "the magic and version")
        let major = Int(preamble[6])
        let minor = Int(preamble[7])
        guard [1, 2, 3].contains(major), minor == 0 else {
            throw FormatError(
                .unsupportedVersion, "format version \(major).\(minor) is not supported; numpy writes 1.0, 2.0 and 3.0",
                byteOffset: 6)
        }
        let lengthFieldSize = major == 1 ? 2 : 4
        let headerStart = 8 + lengthFieldSize
        try require(headerStart, "a version \(major).0 preamble")
        let headerLength = (0..<lengthFieldSize).reduce(0) { $0 | Int(preamble[8 + $1]) << (8 * $1) }
        let (scaledCap, capOverflow) = maximumHeaderLength.multipliedReportingOverflow(by: major == 3 ? 4 : 1)
        guard capOverflow || headerLength <= scaledCap else {
            throw FormatError(
                .headerTooLarge,
                "header length is \(headerLength) bytes; the limit is \(maximumHeaderLength) characters (numpy's max_header_size)",
                byteOffset: 8)
        }
        let dataOffset = headerStart + headerLength
        guard dataOffset <= fileByteCount else {
            throw FormatError(
                .headerPastEnd,
                "header length \(headerLength) needs \(dataOffset) bytes; the file has \(fileByteCount) (truncated?)",
                byteOffset: 8)
        }
        guard bytes.count >= dataOffset else {
            throw FormatError(.headerPastEnd, "only \(bytes.count) bytes were given; the header ends at \(dataOffset)")
        }
        let text = Array(bytes.dropFirst(headerStart).prefix(headerLength))
        if major == 3 { try checkUTF8(text, headerStart: headerStart, maximumHeaderLength: maximumHeaderLength) }
        let literal = try NPYHeaderParser.parse(
            text, baseOffset: headerStart, encoding: major == 3 ? .utf8 : .latin1, allowsLongSuffix: major < 3)
        let entries = try NPYHeader.entries(of: literal)
        let header = NPYHeader(
            dtype: entries.dtype, isBigEndian: entries.isBigEndian, fortranOrder: entries.fortranOrder,
            shape: entries.shape, majorVersion: major, dataOffset: dataOffset)
        try checkDataLength(header, fileByteCount: fileByteCount)
        return header
    }

    /// Version 3 headers are UTF-8 and capped in characters (Unicode scalars, as Python's `len`).
    private static func checkUTF8(_ text: [UInt8], headerStart: Int, maximumHeaderLength: Int) throws(FormatError) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = text.makeIterator()
        var offset = 0
        var characters = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
                characters += 1
            case .emptyInput:
                guard characters <= maximumHeaderLength else {
                    throw FormatError(
                        .headerTooLarge,
                        "header is \(characters) characters; the limit is \(maximumHeaderLength) (numpy's max_header_size)",
                        byteOffset: 8)
                }
                return
            case .error:
                throw FormatError(
                    .invalidHeader, "a version 3.0 header must be UTF-8; byte \(headerStart + offset) is not",
                    byteOffset: headerStart + offset)
            }
        }
    }

    private static func checkDataLength(_ header: NPYHeader, fileByteCount: Int) throws(FormatError) {
        let descr = header.dtype.npyDescr ?? header.dtype.name
        let needed: Int
        do { needed = try header.shape.byteCount(of: header.dtype) } catch {
            throw FormatError(
                .shapeOverflow, "'\(descr)' × \(header.shape) needs more bytes than fit in a 64-bit integer",
                byteOffset: header.dataOffset)
        }
        let present = fileByteCount - header.dataOffset
        guard present == needed else {
            throw FormatError(
                .byteCountMismatch,
                "the data after the header holds \(present) bytes; '\(descr)' × \(header.shape) needs \(needed)",
                byteOffset: header.dataOffset)
        }
    }

    /// The array in an in-memory `.npy` file, as a little-endian C-order tensor named `name`.
    ///
    /// The tensor's `data` is a slice of `data` (no copy) when ``NPYHeader/isLittleEndianCOrder``; otherwise
    /// a new buffer with the bytes swapped and/or transposed.
    /// - Throws: as ``parseHeader(_:fileByteCount:maximumHeaderLength:)``, with `tensorName` set.
    /// - Complexity: O(1) for little-endian C order, else O(n) time and memory.
    public static func tensor(named name: String, from data: Data) throws(FormatError) -> Tensor {
        let header: NPYHeader
        do { header = try parseHeader(data, fileByteCount: data.count) } catch {
            var named = error
            named.tensorName = name
            throw named
        }
        let body = data[(data.startIndex + header.dataOffset)...]
        let elements = header.isLittleEndianCOrder ? body : littleEndianCOrder(body, header)
        do { return try Tensor(name: name, dtype: header.dtype, shape: header.shape, data: elements) } catch {
            throw FormatError(error, tensorName: name)
        }
    }

    /// Reads the `.npy` file at `path` through a memory mapping.
    /// - Parameter name: the tensor's name; by default the file name without its extension (`w.npy` → `w`).
    /// - Throws: `FormatError.Code.ioFailure` when the file cannot be mapped; otherwise as
    ///   ``tensor(named:from:)``, with `path` set.
    public static func read(path: String, name: String? = nil) throws(FormatError) -> Tensor {
        let file = try MappedFile(path: path)
        let tensorName = name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do { return try tensor(named: tensorName, from: file.bytes) } catch { throw error.at(path: path) }
    }
}
