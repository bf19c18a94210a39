import Foundation
import TensorCore

/// Streams a `.wpk` file: a placeholder header, then each tensor's stored bytes as they come (64-byte
/// aligned), then the JSON index, then the real header; the file appears at its path only after ``finish(metadata:source:)``.
///
/// Only one tensor's stored bytes need be in memory at a time. Spec: docs/FORMAT.md.
public final class WPKWriter {
    private let output: AtomicFileWriter
    private var records: [WPKTensorRecord] = []
    private var names = Set<TensorNameKey>()

    /// Starts writing to a temporary file beside `path`.
    /// - Throws: `FormatError.Code.ioFailure` when the folder is not writable.
    public init(path: String) throws(FormatError) {
        output = try AtomicFileWriter(path: path)
        do { try output.write(Data(count: WPKHeader.byteCount)) } catch {
            output.abort()
            throw error
        }
    }

    /// Appends one tensor's stored bytes and records them.
    /// - Parameters:
    ///   - stages: the chain that produced `storedBytes` from the tensor's elements, in encode order; the last
    ///     stage's `outputByteCount` must equal `storedBytes.count` (with no stages, the bytes are the elements).
    /// - Returns: the index record written.
    /// - Throws: `FormatError.Code.duplicateTensorName`, `corruptIndex` when the byte counts disagree,
    ///   `ioFailure` on write errors.
    @discardableResult
    public func append(
        name: String, dtype: DType, shape: Shape, stages: [StageDescriptor], storedBytes: Data
    ) throws(FormatError) -> WPKTensorRecord {
        try append(name: name, dtype: dtype, shape: shape, stages: stages, storedPieces: [storedBytes])
    }

    /// Appends one tensor's stored bytes given as consecutive pieces (e.g. a payload's section table and its
    /// sections, so that they need not be joined in memory first); otherwise as
    /// ``append(name:dtype:shape:stages:storedBytes:)``, with `storedBytes` the pieces' concatenation.
    @discardableResult
    public func append(
        name: String, dtype: DType, shape: Shape, stages: [StageDescriptor], storedPieces: [Data]
    ) throws(FormatError) -> WPKTensorRecord {
        guard names.insert(TensorNameKey(name)).inserted else {
            throw FormatError(.duplicateTensorName, "tensor appended twice", path: output.path, tensorName: name)
        }
        let length = storedPieces.reduce(0) { $0 + $1.count }
        if let last = stages.last, last.outputByteCount != length {
            throw FormatError(
                .corruptIndex,
                "stage '\(last.name)' records \(last.outputByteCount) bytes but \(length) are given",
                path: output.path, tensorName: name)
        }
        try output.pad(toMultipleOf: WPKHeader.alignment)
        let record = WPKTensorRecord(
            name: name, dtype: dtype, shape: shape, stages: stages, offset: output.byteCount, length: length,
            checksum: Checksum.hex(Checksum.xxh3(pieces: storedPieces)))
        for piece in storedPieces { try output.write(piece) }
        records.append(record)
        return record
    }

    /// Writes the index and header, flushes, and renames the file into place.
    /// - Throws: `FormatError.Code.ioFailure`; on failure no file is left behind.
    public func finish(metadata: [String: String], source: [String: String] = [:]) throws(FormatError) {
        do throws(FormatError) {
            try output.pad(toMultipleOf: WPKHeader.alignment)
            let indexOffset = output.byteCount
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let indexBytes: Data
            do {
                indexBytes = try encoder.encode(WPKIndex(metadata: metadata, source: source, tensors: records))
            } catch {
                throw FormatError(.corruptIndex, "cannot encode the index: \(error)", path: output.path)
            }
            try output.write(indexBytes)
            let header = WPKHeader(
                indexOffset: indexOffset, indexByteCount: indexBytes.count, indexChecksum: Checksum.xxh3(indexBytes))
            try output.overwrite(at: 0, with: header.encoded())
            try output.commit()
        } catch {
            output.abort()
            throw error
        }
    }

    /// Abandons the file: removes the temporary file; any previous file at the path stays as it was.
    public func abort() { output.abort() }
}
