import Foundation
import TensorCore

/// Opens a `.wpk` file from a memory mapping: reads and checks the header and the index only, so
/// opening is O(index size) whatever the file's size; each tensor's stored bytes are then a zero-copy slice.
///
/// Spec: docs/FORMAT.md. The stored bytes are opaque here: decoding the stage chain is the WeightPack
/// library's job.
public struct WPKReader: Sendable {
    /// The mapped file.
    public let file: MappedFile
    /// The checked header.
    public let header: WPKHeader
    /// The checked index.
    public let index: WPKIndex

    /// Opens and validates `path`.
    /// - Throws: `FormatError` naming the file: header errors (see ``WPKHeader/decode(_:fileByteCount:)``),
    ///   `checksumMismatch` for a damaged index, `invalidJSON` for an unreadable one, `corruptIndex` for
    ///   inconsistent records (misaligned, overlapping or out-of-range segments; lengths that disagree with
    ///   the stage chain), `duplicateTensorName`; `ioFailure` when the file cannot be read.
    public init(path: String) throws(FormatError) {
        let file = try MappedFile(path: path)
        self.file = file
        do throws(FormatError) {
            header = try WPKHeader.decode(file.bytes, fileByteCount: file.byteCount)
            let indexBytes = file.slice(header.indexOffset..<(header.indexOffset + header.indexByteCount))
            let actual = Checksum.xxh3(indexBytes)
            guard actual == header.indexChecksum else {
                throw FormatError(
                    .checksumMismatch,
                    "index checksum is \(Checksum.hex(actual)); the header records \(Checksum.hex(header.indexChecksum)) (damaged file)",
                    byteOffset: header.indexOffset)
            }
            do {
                index = try JSONDecoder().decode(WPKIndex.self, from: indexBytes)
            } catch {
                throw FormatError(
                    .invalidJSON, "index is not valid: \(Self.explain(error))", byteOffset: header.indexOffset)
            }
            try Self.validate(index, dataEnd: header.indexOffset)
        } catch { throw error.at(path: path) }
    }

    /// The stored bytes of `record`, not checked against the checksum.
    public func storedBytes(of record: WPKTensorRecord) -> Data {
        file.slice(record.offset..<(record.offset + record.length))
    }

    /// The stored bytes of `record`, after checking their XXH3-64 checksum.
    /// - Throws: `FormatError.Code.checksumMismatch` naming the tensor when the bytes are damaged.
    public func verifiedStoredBytes(of record: WPKTensorRecord) throws(FormatError) -> Data {
        let bytes = storedBytes(of: record)
        let actual = Checksum.hex(Checksum.xxh3(bytes))
        guard actual == record.checksum else {
            throw FormatError(
                .checksumMismatch,
                "checksum mismatch: stored bytes hash to \(actual); the index records \(record.checksum) (damaged data)",
                path: file.path, tensorName: record.name, byteOffset: record.offset)
        }
        return bytes
    }

    /// A one-line account of a JSON decoding error: which field, what was wrong.
    private static func explain(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        func location(_ path: [any CodingKey]) -> String {
            let text = path.reduce("") { text, key in
                key.intValue.map { text + "[\($0)]" } ?? (text.isEmpty ? key.stringValue : text + "." + key.stringValue)
            }
            return text.isEmpty ? "the top level" : "'\(text)'"
        }
        switch decodingError {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "the top level" : location(context.codingPath)
            return "field '\(key.stringValue)' is missing in \(parent)"
        case .typeMismatch(let type, let context):
            return "field \(location(context.codingPath)) is not of type \(type)"
        case .valueNotFound(let type, let context):
            return "field \(location(context.codingPath)) is null; expected \(type)"
        case .dataCorrupted(let context):
            let detail = context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
            return context.codingPath.isEmpty
                ? "not JSON: \(detail)" : "field \(location(context.codingPath)): \(detail)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func validate(_ index: WPKIndex, dataEnd: Int) throws(FormatError) {
        var names = Set<TensorNameKey>()
        var previousEnd = WPKHeader.byteCount
        var totalByteCount = 0
        for record in index.tensors {
            func corrupt(_ message: String) -> FormatError {
                FormatError(.corruptIndex, message, tensorName: record.name)
            }
            guard names.insert(TensorNameKey(record.name)).inserted else {
                throw FormatError(.duplicateTensorName, "two index records share this name", tensorName: record.name)
            }
            guard record.offset % WPKHeader.alignment == 0 else {
                throw corrupt("offset \(record.offset) is not a multiple of \(WPKHeader.alignment)")
            }
            guard record.length >= 0, record.offset >= previousEnd, record.offset <= dataEnd,
                record.length <= dataEnd - record.offset
            else {
                throw corrupt(
                    "segment \(record.offset)..<\(record.offset &+ record.length) overlaps the previous one (ending at \(previousEnd)) or runs past the data end at \(dataEnd)"
                )
            }
            guard record.checksum.count == 16, record.checksum.allSatisfy(\.isHexDigit) else {
                throw corrupt("checksum '\(record.checksum)' is not 16 hex digits")
            }
            let expected: Int
            do { expected = try record.shape.byteCount(of: record.dtype) } catch {
                throw FormatError(error, tensorName: record.name)
            }
            let (total, totalOverflow) = totalByteCount.addingReportingOverflow(expected)
            guard !totalOverflow else {
                throw FormatError(
                    .shapeOverflow, "the tensors' sizes add up to more than 2^63 bytes", tensorName: record.name)
            }
            totalByteCount = total
            if let last = record.stages.last {
                guard last.outputByteCount == record.length else {
                    throw corrupt(
                        "last stage '\(last.name)' produced \(last.outputByteCount) bytes but \(record.length) are stored"
                    )
                }
            } else if expected != record.length {
                throw corrupt(
                    "\(record.length) bytes stored without stages; \(record.dtype.name) × \(record.shape) needs \(expected)"
                )
            }
            guard record.stages.allSatisfy({ $0.outputByteCount >= 0 }) else {
                throw corrupt("a stage records a negative byte count")
            }
            previousEnd = record.offset + record.length
        }
    }
}
