import Foundation
import TensorCore

/// Reads a GGUF file (version 3, or 2) lazily from a memory mapping: the header is parsed and validated on
/// open; each tensor's bytes are a zero-copy slice of the mapping.
///
/// Spec: ggml docs/gguf.md; validation as ``GGUFHeader/parse(_:)``. Tensor bytes are returned as stored
/// (little-endian, GGML block layout); converting them to Float32 is the Transforms module's job.
public struct GGUFReader: Sendable {
    /// The mapped file.
    public let file: MappedFile
    /// The validated header.
    public let header: GGUFHeader

    /// Opens and validates `path`.
    /// - Throws: `FormatError` naming the file and, where it applies, the key or tensor and the byte offset
    ///   (see ``GGUFHeader/parse(_:)``), or `ioFailure` when the file cannot be mapped.
    public init(path: String) throws(FormatError) {
        try self.init(file: try MappedFile(path: path))
    }

    /// Validates an already-mapped file.
    /// - Throws: as ``init(path:)``.
    public init(file: MappedFile) throws(FormatError) {
        self.file = file
        do { header = try GGUFHeader.parse(file.bytes) } catch { throw error.at(path: file.path) }
    }

    /// The format version: 2 or 3.
    public var version: Int { header.version }
    /// The metadata in file order.
    public var metadata: [(key: String, value: GGUFValue)] { header.metadata }
    /// The tensor infos in file order.
    public var tensors: [GGUFTensorInfo] { header.tensors }
    /// The data alignment in bytes (`general.alignment`, default 32).
    public var alignment: Int { header.alignment }
    /// Absolute byte offset of the data section.
    public var dataStart: Int { header.dataStart }

    /// The value of metadata key `key`, if present.
    public func value(forKey key: String) -> GGUFValue? { header.value(forKey: key) }

    /// The info of the tensor named `name`, if present (names compare by UTF-8 bytes). O(number of tensors).
    public func tensor(named name: String) -> GGUFTensorInfo? {
        header.tensors.first { $0.name.utf8.elementsEqual(name.utf8) }
    }

    /// The tensor as a WeightPack `Tensor` (row-major ``GGUFTensorInfo/shape``, bytes shared with the mapping),
    /// for the plain types `F32 F16 BF16 F64 I8 I16 I32 I64`.
    /// - Throws: `FormatError.Code.unknownDType` naming the type for block-quantized types (`Q8_0`, `Q4_K`, …),
    ///   whose bytes are not one element after another; decode those with the Transforms module.
    public func tensor(_ info: GGUFTensorInfo) throws(FormatError) -> Tensor {
        guard let dtype = info.type.dtype else {
            throw FormatError(
                .unknownDType,
                "GGML type \(info.type.name) is block-quantized; only F32, F16, BF16, F64, I8, I16, I32 and I64 map to a dtype",
                path: file.path, tensorName: info.name)
        }
        do {
            return try Tensor(name: info.name, dtype: dtype, shape: info.shape, data: storedBytes(of: info))
        } catch { throw FormatError(error, path: file.path, tensorName: info.name) }
    }

    /// The stored bytes of `tensor` (one of ``tensors``), without copying: `tensor.byteCount` bytes from
    /// `dataStart + tensor.offset`.
    /// - Precondition: `tensor` comes from this reader (its range was validated on open); a foreign entry
    ///   whose range lies outside the file traps.
    public func storedBytes(of tensor: GGUFTensorInfo) -> Data {
        let start = header.dataStart + tensor.offset
        precondition(
            tensor.offset >= 0 && tensor.byteCount >= 0 && tensor.byteCount <= file.byteCount - start,
            "tensor '\(tensor.name)' does not lie in \(file.path)")
        return file.slice(start..<(start + tensor.byteCount))
    }
}
