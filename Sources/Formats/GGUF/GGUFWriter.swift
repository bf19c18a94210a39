import Foundation
import TensorCore

/// Where each tensor goes in a GGUF file about to be written, and the bytes that precede the data.
public struct GGUFLayout: Sendable {
    /// Header, metadata and tensor infos, then zero padding up to the alignment: the file's first bytes.
    public var headerBytes: [UInt8]
    /// The tensor infos in write order, with offsets relative to ``dataStart``.
    public var tensors: [GGUFTensorInfo]
    /// The data alignment in bytes.
    public var alignment: Int
    /// Size of the whole file in bytes, including the padding after the last tensor.
    public var fileByteCount: Int

    /// Absolute byte offset of the data section (``headerBytes``' length).
    public var dataStart: Int { headerBytes.count }
}

/// Writes GGUF version 3 files laid out as gguf-py's `GGUFWriter` and llama.cpp's `gguf_write_to_file` lay
/// them out.
///
/// Metadata is written in the order given, tensors in the order given. Each tensor's data starts at a
/// multiple of the alignment (`general.alignment` when the metadata sets it, else 32) and is followed by zeros
/// up to the next multiple, the last one included; tensor infos record offsets accordingly and the data
/// section starts at the first multiple after the infos. Any GGML type with a known block size may be written
/// (F32, F16, BF16, Q8_0, Q4_0, … — the bytes are stored as given); `ne[0]`, the last dimension of `shape`, must
/// be a multiple of the block size. Spec: ggml docs/gguf.md.
///
/// For the same metadata and tensors the bytes equal those of gguf-py 0.19.0's `GGUFWriter(path, arch="")`
/// fed with `add_key_value` (and `add_custom_alignment` for `general.alignment`) and `add_tensor`. Differences:
/// this writer adds no keys of its own (gguf-py adds `general.architecture` first unless the architecture is
/// empty), writes empty strings and empty arrays (gguf-py's `add_string` skips empty strings and its writer
/// refuses empty arrays), lets nested arrays keep any element type (gguf-py infers int32, float32, bool or
/// string for inner arrays), and refuses a repeated key (gguf-py overwrites the first value in place). Like
/// gguf-py, it does not enforce llama.cpp's limit of 63 bytes per tensor name, and it accepts any power-of-two
/// alignment (the spec asks for a multiple of 8).
public enum GGUFWriter {
    /// Computes the layout of a file with this metadata and these tensors (row-major shapes).
    /// - Throws: `FormatError.Code.invalidMetadata` for a repeated key, an array element of the wrong type, an
    ///   undefined type id, or a `general.alignment` that is not a non-zero power-of-two `uint32`;
    ///   `nestingTooDeep` for arrays nested more than 8 deep; `duplicateTensorName`; `invalidTensorInfo` for more
    ///   than 4 dimensions or a last dimension that is not a multiple of the type's block size; `unknownDType`
    ///   for a type without a known size; `shapeOverflow` when sizes overflow.
    /// - Complexity: O(metadata bytes + number of tensors).
    public static func layout(
        metadata: [(key: String, value: GGUFValue)], tensors: [(name: String, shape: Shape, type: GGMLType)]
    ) throws(FormatError) -> GGUFLayout {
        var writer = ByteWriter()
        writer.writeBytes("GGUF".utf8)
        writer.writeIntegerLE(UInt32(3))
        writer.writeIntegerLE(UInt64(tensors.count))
        writer.writeIntegerLE(UInt64(metadata.count))
        var keys = Set<TensorNameKey>()
        for (key, value) in metadata {
            guard keys.insert(TensorNameKey(key)).inserted else {
                throw FormatError(.invalidMetadata, "metadata key '\(key)' is given twice")
            }
            try value.validate(key: key)
            GGUFValue.writeString(key, to: &writer)
            writer.writeIntegerLE(value.type.rawValue)
            value.write(to: &writer)
        }
        let alignment = try alignment(of: metadata)
        var infos: [GGUFTensorInfo] = []
        var names = Set<TensorNameKey>()
        var offset = 0
        for tensor in tensors {
            guard names.insert(TensorNameKey(tensor.name)).inserted else {
                throw FormatError(.duplicateTensorName, "tensor name is given twice", tensorName: tensor.name)
            }
            let info = try info(for: tensor, offset: offset)
            let (end, overflow) = offset.addingReportingOverflow(padded(info.byteCount, to: alignment))
            guard !overflow, info.byteCount <= Int.max - alignment else {
                throw FormatError(.shapeOverflow, "the file would hold more than 2^63 bytes", tensorName: tensor.name)
            }
            GGUFValue.writeString(info.name, to: &writer)
            writer.writeIntegerLE(UInt32(info.dimensions.count))
            for size in info.dimensions { writer.writeIntegerLE(UInt64(size)) }
            writer.writeIntegerLE(info.type.rawValue)
            writer.writeIntegerLE(UInt64(info.offset))
            infos.append(info)
            offset = end
        }
        writer.writePadding(padded(writer.bytes.count, to: alignment) - writer.bytes.count)
        let (fileByteCount, overflow) = writer.bytes.count.addingReportingOverflow(offset)
        guard !overflow else { throw FormatError(.shapeOverflow, "the file would hold more than 2^63 bytes") }
        return GGUFLayout(headerBytes: writer.bytes, tensors: infos, alignment: alignment, fileByteCount: fileByteCount)
    }

    /// Serializes a file in memory.
    /// - Throws: as ``layout(metadata:tensors:)``; `FormatError.Code.byteCountMismatch` when a tensor's bytes
    ///   are not the count its type and shape need.
    public static func serialize(
        metadata: [(key: String, value: GGUFValue)],
        tensors: [(name: String, shape: Shape, type: GGMLType, bytes: Data)]
    ) throws(FormatError) -> Data {
        let layout = try layout(metadata: metadata, tensors: tensors.map { ($0.name, $0.shape, $0.type) })
        var out = Data(layout.headerBytes)
        out.reserveCapacity(layout.fileByteCount)
        for (info, tensor) in zip(layout.tensors, tensors) {
            try checkByteCount(tensor.bytes, for: info, path: nil)
            out.append(tensor.bytes)
            out.append(Data(count: padded(info.byteCount, to: layout.alignment) - info.byteCount))
        }
        return out
    }

    /// Writes a file to `path` atomically (temporary file, then rename).
    /// - Throws: as ``serialize(metadata:tensors:)``; `FormatError.Code.ioFailure` when writing fails (no file is
    ///   left behind).
    public static func write(
        metadata: [(key: String, value: GGUFValue)],
        tensors: [(name: String, shape: Shape, type: GGMLType, bytes: Data)], to path: String
    ) throws {
        let layout = try layout(metadata: metadata, tensors: tensors.map { ($0.name, $0.shape, $0.type) })
        var index = 0
        try write(layout, to: path) { _ in
            defer { index += 1 }
            return tensors[index].bytes
        }
    }

    /// Streams a file to `path` atomically: the header, then each tensor's bytes in layout order followed by
    /// its padding, asking `bytesFor` for one tensor at a time so that only one need be in memory.
    /// - Throws: whatever `bytesFor` throws; `FormatError.Code.byteCountMismatch` when it returns the wrong
    ///   number of bytes; `FormatError.Code.ioFailure` on write errors. On any error no file is left behind.
    public static func write(_ layout: GGUFLayout, to path: String, bytesFor: (GGUFTensorInfo) throws -> Data)
        throws
    {
        let output = try AtomicFileWriter(path: path)
        do {
            try output.write(layout.headerBytes)
            for info in layout.tensors {
                let bytes = try bytesFor(info)
                try checkByteCount(bytes, for: info, path: path)
                try output.write(bytes)
                try output.pad(toMultipleOf: layout.alignment)
            }
            try output.commit()
        } catch {
            output.abort()
            throw error
        }
    }

    private static func padded(_ count: Int, to alignment: Int) -> Int {
        (count + alignment - 1) / alignment * alignment
    }

    private static func checkByteCount(_ bytes: Data, for info: GGUFTensorInfo, path: String?) throws(FormatError) {
        guard bytes.count == info.byteCount else {
            throw FormatError(
                .byteCountMismatch,
                "\(bytes.count) bytes given; \(info.type.name) × \(info.shape) needs \(info.byteCount)",
                path: path, tensorName: info.name)
        }
    }

    private static func info(for tensor: (name: String, shape: Shape, type: GGMLType), offset: Int)
        throws(FormatError) -> GGUFTensorInfo
    {
        guard tensor.shape.count <= GGUFHeader.maximumDimensionCount else {
            throw FormatError(
                .invalidTensorInfo,
                "shape \(tensor.shape) has \(tensor.shape.count) dimensions; GGUF allows at most \(GGUFHeader.maximumDimensionCount)",
                tensorName: tensor.name)
        }
        let dimensions = Array(tensor.shape.dimensions.reversed())
        let byteCount = try GGUFTensorInfo.byteCount(name: tensor.name, dimensions: dimensions, type: tensor.type)
        return GGUFTensorInfo(
            name: tensor.name, dimensions: dimensions, type: tensor.type, offset: offset, byteCount: byteCount)
    }

    private static func alignment(of metadata: [(key: String, value: GGUFValue)]) throws(FormatError) -> Int {
        guard let entry = metadata.first(where: { $0.key == GGUFHeader.alignmentKey }) else {
            return GGUFHeader.defaultAlignment
        }
        guard case .uint32(let value) = entry.value, value > 0, value & (value - 1) == 0 else {
            throw FormatError(
                .invalidMetadata,
                "'\(GGUFHeader.alignmentKey)' is \(entry.value) (\(entry.value.type.name)); it must be a uint32 power of two"
            )
        }
        return Int(value)
    }
}
