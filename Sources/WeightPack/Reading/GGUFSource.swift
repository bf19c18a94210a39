import Formats
import Foundation
import TensorCore
import Transforms

/// A GGUF file as a ``TensorSource``: plain types map to their dtype (zero-copy); the block types Q8_0, Q4_0,
/// Q4_1, Q5_0 and Q5_1 decode to Float32 (``TensorInfo/storageType`` names the block type); other types are
/// listed but refuse to decode. Scalar and string metadata becomes string metadata; arrays are left out.
public struct GGUFSource: TensorSource {
    /// The underlying reader.
    public let reader: GGUFReader

    /// Opens and validates `path`.
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the key, tensor or offset.
    public init(path: String) throws(WeightPackError) {
        do { reader = try GGUFReader(path: path) } catch { throw WeightPackError(wrapping: error, path: path) }
    }

    /// The file's path.
    public var path: String { reader.file.path }
    /// Always `.gguf`.
    public var format: ModelFormat { .gguf }
    /// The file's size in bytes.
    public var fileByteCount: Int { reader.file.byteCount }

    /// String and scalar metadata as strings (`general.alignment` and arrays left out).
    public var metadata: [String: String] {
        var map: [String: String] = [:]
        for (key, value) in reader.metadata where key != "general.alignment" {
            if let text = value.stringValue {
                map[key] = text
            } else if value.arrayElements == nil {
                map[key] = value.description
            }
        }
        return map
    }

    /// The tensors in file order, with row-major shapes.
    public var tensorInfos: [TensorInfo] {
        reader.tensors.enumerated().map { position, tensor in
            let plain = tensor.type.dtype
            return TensorInfo(
                position: position, name: tensor.name, dtype: plain ?? .float32, shape: tensor.shape,
                storedByteCount: tensor.byteCount, stages: [], storageType: plain == nil ? tensor.type.name : nil)
        }
    }

    /// The tensor: plain types as stored; block types dequantized to Float32.
    /// - Throws: `WeightPackError` naming the tensor and its type when the type cannot be decoded.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard reader.tensors.indices.contains(info.position) else {
            throw WeightPackError(.invalidOption, "no such tensor in this file", path: path, tensorName: info.name)
        }
        let tensor = reader.tensors[info.position]
        do {
            if tensor.type.dtype != nil { return try reader.tensor(tensor) }
            guard let format = GGMLBlockFormat(ggmlTypeName: tensor.type.name) else {
                throw WeightPackError(
                    .unsupportedFormat,
                    "GGML type \(tensor.type.name) cannot be decoded; WeightPack decodes F32, F16, BF16, F64, I8–I64, "
                        + GGMLBlockFormat.allCases.map(\.ggmlTypeName).joined(separator: ", "))
            }
            let values = try GGMLBlockDequantizer.dequantize(
                reader.storedBytes(of: tensor), as: format, elementCount: try tensor.shape.elementCount(),
                tensorName: tensor.name)
            return try Tensor(name: tensor.name, shape: tensor.shape, float32Values: values)
        } catch { throw WeightPackError(wrapping: error, path: path, tensorName: tensor.name) }
    }

    /// The stored bytes and GGML type of a tensor, for copying block-quantized tensors unchanged into a new GGUF.
    func stored(_ info: TensorInfo) -> (type: GGMLType, bytes: Data)? {
        guard reader.tensors.indices.contains(info.position) else { return nil }
        let tensor = reader.tensors[info.position]
        return (tensor.type, reader.storedBytes(of: tensor))
    }
}
