import Foundation
import TensorCore

/// Where each tensor goes in a safetensors file about to be written, and the header bytes that say so.
public struct SafetensorsLayout: Sendable {
    /// Entries in write order: dtype rank descending, then name ascending, as the reference library orders them.
    public var entries: [SafetensorsEntry]
    /// The 8-byte length prefix followed by the JSON header, padded with spaces so that the data buffer
    /// starts at a multiple of 8 bytes.
    public var headerBytes: [UInt8]
    /// Size of the whole file in bytes.
    public var fileByteCount: Int
}

/// Writes safetensors files byte-identical to the reference library's `serialize`.
///
/// Spec: the safetensors README, "Format". Tensors are ordered by the reference `Dtype` enum, descending
/// (U64, I64, F64, F32, U32, I32, BF16, F16, U16, I16, I8, U8, BOOL), then by name; the header is compact JSON
/// with `__metadata__` first (omitted when empty, keys sorted), then each tensor's
/// `{"dtype","shape","data_offsets"}`, padded with spaces to make `8 + N` a multiple of 8.
public enum SafetensorsWriter {
    /// Computes the layout of a file holding tensors of these names, dtypes and shapes.
    /// - Throws: `FormatError.Code.duplicateTensorName` when a name repeats (or is `__metadata__`);
    ///   `FormatError.Code.shapeOverflow` when offsets overflow.
    public static func layout(
        for tensors: [(name: String, dtype: DType, shape: Shape)], metadata: [String: String]
    ) throws(FormatError) -> SafetensorsLayout {
        let ordered = tensors.sorted {
            $0.dtype.safetensorsRank != $1.dtype.safetensorsRank
                ? $0.dtype.safetensorsRank > $1.dtype.safetensorsRank
                : TensorNameKey($0.name) < TensorNameKey($1.name)
        }
        var seen = Set<TensorNameKey>()
        var entries: [SafetensorsEntry] = []
        var offset = 0
        for tensor in ordered {
            guard tensor.name != "__metadata__", seen.insert(TensorNameKey(tensor.name)).inserted else {
                throw FormatError(
                    .duplicateTensorName, "tensor name is used twice or is reserved", tensorName: tensor.name)
            }
            let byteCount: Int
            do { byteCount = try tensor.shape.byteCount(of: tensor.dtype) } catch {
                throw FormatError(error, tensorName: tensor.name)
            }
            let (end, overflow) = offset.addingReportingOverflow(byteCount)
            guard !overflow else { throw FormatError(.shapeOverflow, "total size overflows", tensorName: tensor.name) }
            entries.append(
                SafetensorsEntry(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, dataOffsets: offset..<end)
            )
            offset = end
        }
        var json: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        if !metadata.isEmpty {
            json += Array("\"__metadata__\":{".utf8)
            for (index, key) in metadata.keys.sorted(by: { TensorNameKey($0) < TensorNameKey($1) }).enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                JSONWriter.appendString(metadata[key]!, to: &json)
            }
            json.append(UInt8(ascii: "}"))
            first = false
        }
        for entry in entries {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.appendString(entry.name, to: &json)
            json += Array(":{\"dtype\":".utf8)
            JSONWriter.appendString(entry.dtype.safetensorsName, to: &json)
            json += Array(",\"shape\":".utf8)
            JSONWriter.appendIntegers(entry.shape.dimensions, to: &json)
            json += Array(",\"data_offsets\":".utf8)
            JSONWriter.appendIntegers([entry.dataOffsets.lowerBound, entry.dataOffsets.upperBound], to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "}"))
        json += Array(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        var writer = ByteWriter()
        writer.writeIntegerLE(UInt64(json.count))
        writer.writeBytes(json)
        let (fileByteCount, overflow) = writer.bytes.count.addingReportingOverflow(offset)
        guard !overflow else { throw FormatError(.shapeOverflow, "the file would hold more than 2^63 bytes") }
        return SafetensorsLayout(entries: entries, headerBytes: writer.bytes, fileByteCount: fileByteCount)
    }

    /// Serializes a collection in memory.
    /// - Throws: as ``layout(for:metadata:)``.
    public static func serialize(_ collection: TensorCollection) throws(FormatError) -> Data {
        let layout = try layout(
            for: collection.tensors.map { ($0.name, $0.dtype, $0.shape) }, metadata: collection.metadata)
        var out = Data(layout.headerBytes)
        out.reserveCapacity(layout.fileByteCount)
        for entry in layout.entries { out.append(collection[entry.name]!.data) }
        return out
    }

    /// Writes a collection to `path` atomically (temporary file, then rename).
    /// - Throws: as ``layout(for:metadata:)``; `FormatError.Code.ioFailure` when writing fails (no file is left behind).
    public static func write(_ collection: TensorCollection, to path: String) throws {
        let layout = try layout(
            for: collection.tensors.map { ($0.name, $0.dtype, $0.shape) }, metadata: collection.metadata)
        try write(layout, to: path) { collection[$0.name]!.data }
    }

    /// Streams a file to `path` atomically: the header, then each entry's bytes in layout order, asking
    /// `bytesFor` for one tensor at a time so that only one need be in memory.
    /// - Throws: whatever `bytesFor` throws; `FormatError.Code.byteCountMismatch` when it returns the wrong
    ///   number of bytes; `FormatError.Code.ioFailure` on write errors. On any error no file is left behind.
    public static func write(_ layout: SafetensorsLayout, to path: String, bytesFor: (SafetensorsEntry) throws -> Data)
        throws
    {
        let output = try AtomicFileWriter(path: path)
        do {
            try output.write(layout.headerBytes)
            for entry in layout.entries {
                let bytes = try bytesFor(entry)
                guard bytes.count == entry.dataOffsets.count else {
                    throw FormatError(
                        .byteCountMismatch,
                        "\(bytes.count) bytes supplied; the layout reserves \(entry.dataOffsets.count)",
                        path: path, tensorName: entry.name)
                }
                try output.write(bytes)
            }
            try output.commit()
        } catch {
            output.abort()
            throw error
        }
    }
}
