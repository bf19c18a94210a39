import TensorCore

/// One tensor's entry in a safetensors header.
public struct SafetensorsEntry: Sendable, Equatable {
    /// The tensor's name (the header key).
    public var name: String
    /// The element type.
    public var dtype: DType
    /// The dimensions, row-major.
    public var shape: Shape
    /// Byte range of the tensor relative to the start of the data buffer (after the header), `begin..<end`.
    public var dataOffsets: Range<Int>
}

/// The parsed and validated header of a safetensors file.
///
/// Layout (safetensors README, "Format"): 8-byte little-endian header length `N`; `N` bytes of UTF-8
/// JSON starting with `{`, optionally padded with trailing spaces; then the data buffer. The JSON maps
/// tensor names to `{"dtype", "shape", "data_offsets": [begin, end]}`, plus an optional `__metadata__`
/// map of strings to strings.
public struct SafetensorsHeader: Sendable, Equatable {
    /// The cap on `N`, as in the reference library (100,000,000 bytes).
    public static let maximumHeaderByteCount = 100_000_000

    /// Tensor entries in data-offset order (file order).
    public var entries: [SafetensorsEntry]
    /// The `__metadata__` map (empty when absent).
    public var metadata: [String: String]
    /// Byte offset of the data buffer in the file: `8 + N`.
    public var dataStart: Int

    /// Parses and validates a header, checking it against a file of `fileByteCount` bytes.
    ///
    /// Checks run in this order: the length prefix is present, `N` ≤ 100 MB, `8 + N` ≤ file size, the
    /// JSON is UTF-8 and starts with `{`, it parses with unique keys, `__metadata__` is a string map,
    /// each entry has a known dtype, a non-negative shape and two offsets; each byte length equals element
    /// count × element size; the ranges, sorted, start at 0, touch without overlap or hole, and end exactly
    /// at the end of the file.
    /// - Parameters:
    ///   - prefix: the file's first `8 + N` bytes, or more (at most the whole file).
    ///   - fileByteCount: the file's total size in bytes.
    /// - Throws: `FormatError` with code `fileTooSmall`, `headerTooLarge`, `headerPastEnd`, `invalidHeader`,
    ///   `invalidJSON`, `duplicateTensorName`, `invalidMetadata`, `invalidTensorInfo`, `unknownDType`,
    ///   `shapeOverflow`, `byteCountMismatch`, `offsetsOutOfBounds`, `offsetsOverlap` or `offsetsLeaveHole`.
    public static func parse(prefix: some RandomAccessCollection<UInt8>, fileByteCount: Int) throws(FormatError)
        -> SafetensorsHeader
    {
        let bytes = Array(prefix.prefix(8))
        guard bytes.count == 8, fileByteCount >= 8 else {
            throw FormatError(
                .fileTooSmall, "file has \(fileByteCount) bytes; a safetensors file starts with an 8-byte header length"
            )
        }
        let declared = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(maximumHeaderByteCount) else {
            throw FormatError(
                .headerTooLarge,
                "header length is \(declared) bytes; the limit is \(maximumHeaderByteCount) (is this a safetensors file?)",
                byteOffset: 0)
        }
        let headerCount = Int(declared)
        guard 8 + headerCount <= fileByteCount, prefix.count >= 8 + headerCount else {
            throw FormatError(
                .headerPastEnd,
                "header length \(headerCount) needs \(8 + headerCount) bytes; the file has \(fileByteCount) (truncated, or not a safetensors file?)",
                byteOffset: 0)
        }
        let json = Array(prefix.dropFirst(8).prefix(headerCount))
        guard String(validating: json, as: UTF8.self) != nil else {
            throw FormatError(.invalidHeader, "header is not valid UTF-8", byteOffset: 8)
        }
        guard json.first == UInt8(ascii: "{") else {
            throw FormatError(.invalidHeader, "header must start with '{'", byteOffset: 8)
        }
        let root: JSONValue
        do { root = try JSONParser.parse(json) } catch {
            var shifted = error
            shifted.byteOffset = 8
            throw shifted
        }
        guard case .object(let members) = root else {
            throw FormatError(.invalidJSON, "header is JSON but not an object", byteOffset: 8)
        }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(name: key, value))
            }
        }
        let dataStart = 8 + headerCount
        try checkCoverage(&entries, dataByteCount: fileByteCount - dataStart, dataStart: dataStart)
        return SafetensorsHeader(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: JSONValue) throws(FormatError) -> [String: String] {
        switch value {
        case .null: return [:]
        case .object(let members):
            var map: [String: String] = [:]
            for (key, item) in members {
                guard case .string(let text) = item else {
                    throw FormatError(
                        .invalidMetadata, "__metadata__ value for '\(key)' is a \(item.typeName); it must be a string")
                }
                map[key] = text
            }
            return map
        default:
            throw FormatError(.invalidMetadata, "__metadata__ is a \(value.typeName); it must be an object of strings")
        }
    }

    private static func parseEntry(name: String, _ value: JSONValue) throws(FormatError) -> SafetensorsEntry {
        func invalid(_ message: String) -> FormatError {
            FormatError(.invalidTensorInfo, message, tensorName: name)
        }
        guard case .object(let fields) = value else {
            throw invalid("entry is a \(value.typeName); expected an object")
        }
        func field(_ key: String) throws(FormatError) -> JSONValue {
            guard let found = fields.first(where: { $0.key == key }) else { throw invalid("missing field '\(key)'") }
            return found.value
        }
        guard case .string(let dtypeName) = try field("dtype") else { throw invalid("'dtype' must be a string") }
        guard let dtype = DType(safetensorsName: dtypeName) else {
            throw FormatError(
                .unknownDType,
                "dtype '\(dtypeName)' is not supported; expected one of "
                    + DType.allCases.map(\.safetensorsName).joined(separator: ", "), tensorName: name)
        }
        guard case .array(let shapeValues) = try field("shape") else { throw invalid("'shape' must be an array") }
        var dimensions: [Int] = []
        for item in shapeValues {
            guard case .integer(let size) = item, size >= 0 else {
                throw invalid("'shape' must hold non-negative integers; found \(item)")
            }
            dimensions.append(size)
        }
        guard case .array(let offsetValues) = try field("data_offsets"), offsetValues.count == 2,
            case .integer(let begin) = offsetValues[0], case .integer(let end) = offsetValues[1], begin >= 0, end >= 0
        else { throw invalid("'data_offsets' must be two non-negative integers [begin, end]") }
        guard begin <= end else {
            throw FormatError(
                .offsetsOutOfBounds, "data_offsets [\(begin), \(end)] end before they begin", tensorName: name)
        }
        let shape: Shape
        let needed: Int
        do {
            shape = try Shape(validating: dimensions)
            needed = try shape.byteCount(of: dtype)
        } catch { throw FormatError(error, tensorName: name) }
        guard end - begin == needed else {
            throw FormatError(
                .byteCountMismatch,
                "data_offsets [\(begin), \(end)] cover \(end - begin) bytes; \(dtype.safetensorsName) × \(shape) needs \(needed)",
                tensorName: name)
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// `dataStart + offset`, or `nil` when that overflows (hostile offsets near `Int.max`).
    private static func fileOffset(_ dataStart: Int, _ offset: Int) -> Int? {
        let (sum, overflow) = dataStart.addingReportingOverflow(offset)
        return overflow ? nil : sum
    }

    private static func checkCoverage(_ entries: inout [SafetensorsEntry], dataByteCount: Int, dataStart: Int)
        throws(FormatError)
    {
        entries.sort {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < (
                $1.dataOffsets.lowerBound, $1.dataOffsets.upperBound
            )
        }
        var expectedBegin = 0
        var previous: String?
        for entry in entries {
            let range = entry.dataOffsets
            guard range.upperBound <= dataByteCount else {
                throw FormatError(
                    .offsetsOutOfBounds,
                    "data_offsets [\(range.lowerBound), \(range.upperBound)] run past the data buffer of \(dataByteCount) bytes",
                    tensorName: entry.name, byteOffset: Self.fileOffset(dataStart, range.lowerBound))
            }
            if range.lowerBound < expectedBegin {
                throw FormatError(
                    .offsetsOverlap,
                    "data_offsets [\(range.lowerBound), \(range.upperBound)] overlap tensor '\(previous ?? "")', which ends at \(expectedBegin)",
                    tensorName: entry.name, byteOffset: Self.fileOffset(dataStart, range.lowerBound))
            }
            if range.lowerBound > expectedBegin {
                throw FormatError(
                    .offsetsLeaveHole,
                    "data_offsets begin at \(range.lowerBound) but the previous tensor ends at \(expectedBegin); bytes \(expectedBegin)..<\(range.lowerBound) belong to no tensor",
                    tensorName: entry.name, byteOffset: Self.fileOffset(dataStart, expectedBegin))
            }
            expectedBegin = range.upperBound
            previous = entry.name
        }
        guard expectedBegin == dataByteCount else {
            throw FormatError(
                .offsetsLeaveHole,
                "tensors cover \(expectedBegin) bytes of the data buffer but it holds \(dataByteCount); \(dataByteCount - expectedBegin) trailing bytes belong to no tensor",
                byteOffset: Self.fileOffset(dataStart, expectedBegin))
        }
    }
}
