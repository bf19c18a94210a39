import Formats
import Foundation
import TensorCore

/// How to read a bare binary file: the dtype, shape, byte offset and byte order of its one tensor.
public struct RawInputOptions: Sendable, Equatable {
    /// Byte order of the elements: `little` or `big`.
    public typealias ByteOrder = RawTensorReader.ByteOrder

    /// Element type.
    public var dtype: DType
    /// Dimensions, row-major.
    public var shape: Shape
    /// Bytes to skip at the start of the file.
    public var byteOffset: Int
    /// Byte order of the elements.
    public var byteOrder: ByteOrder

    /// Creates options.
    public init(dtype: DType, shape: Shape, byteOffset: Int = 0, byteOrder: ByteOrder = .little) {
        self.dtype = dtype
        self.shape = shape
        self.byteOffset = byteOffset
        self.byteOrder = byteOrder
    }
}

/// Bare binary as a ``TensorSource``: one file read with ``RawInputOptions`` (the tensor is named after the file
/// stem), or a folder written by `RawTensorWriter.writeFolder` (its `manifest.json` names each file's tensor,
/// dtype and shape).
public struct RawSource: TensorSource {
    public let path: String
    public let fileByteCount: Int
    public let metadata: [String: String]
    private let tensors: [Tensor]

    /// Reads one raw file.
    /// - Throws: `WeightPackError` wrapping the `FormatError` that says which byte counts disagree.
    public init(path: String, options: RawInputOptions) throws(WeightPackError) {
        self.path = path
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            tensors = [
                try RawTensorReader.read(
                    path: path, name: name, dtype: options.dtype, shape: options.shape,
                    byteOffset: options.byteOffset, byteOrder: options.byteOrder)
            ]
        } catch { throw WeightPackError(wrapping: error, path: path) }
        fileByteCount = tensors[0].data.count + options.byteOffset
        metadata = [:]
    }

    /// Reads a raw folder through its `manifest.json`.
    /// - Throws: `WeightPackError` naming the manifest or the file: malformed manifest, a file name that is not
    ///   a plain name in the folder, an unknown dtype, or a file whose size does not fit its shape.
    public init(folder: String) throws(WeightPackError) {
        path = folder
        let manifestPath = URL(fileURLWithPath: folder).appendingPathComponent("manifest.json").path
        let entries: [[String: Any]]
        var metadata: [String: String] = [:]
        do {
            let file = try MappedFile(path: manifestPath)
            guard let parsed = try? JSONSerialization.jsonObject(with: file.bytes) else {
                throw WeightPackError(.unsupportedFormat, "manifest.json is not valid JSON", path: manifestPath)
            }
            let root = parsed as? [String: Any]
            guard let list = root?["tensors"] as? [[String: Any]] else {
                throw WeightPackError(.unsupportedFormat, "manifest has no \"tensors\" list", path: manifestPath)
            }
            entries = list
            metadata = root?["metadata"] as? [String: String] ?? [:]
        } catch { throw WeightPackError(wrapping: error, path: manifestPath) }
        var tensors: [Tensor] = []
        var total = 0
        for entry in entries {
            guard let name = entry["name"] as? String, let file = entry["file"] as? String,
                let dtypeName = entry["dtype"] as? String, let dimensions = entry["shape"] as? [Int]
            else {
                throw WeightPackError(
                    .unsupportedFormat, "a manifest entry lacks name, file, dtype or shape", path: manifestPath)
            }
            guard !file.contains("/"), file != "..", file != "." else {
                throw WeightPackError(
                    .unsupportedFormat, "file '\(file)' is not a plain name in the folder", path: manifestPath,
                    tensorName: name)
            }
            guard let dtype = DType(name: dtypeName) else {
                throw WeightPackError(
                    .unsupportedFormat, "unknown dtype '\(dtypeName)'", path: manifestPath, tensorName: name)
            }
            let filePath = URL(fileURLWithPath: folder).appendingPathComponent(file).path
            do {
                let tensor = try RawTensorReader.read(
                    path: filePath, name: name, dtype: dtype, shape: try Shape(validating: dimensions))
                tensors.append(tensor)
                total += tensor.data.count
            } catch { throw WeightPackError(wrapping: error, path: filePath, tensorName: name) }
        }
        do { _ = try TensorCollection(tensors: tensors) } catch {
            throw WeightPackError(wrapping: error, path: manifestPath)
        }
        self.tensors = tensors
        self.metadata = metadata
        fileByteCount = total
    }

    public var format: ModelFormat { .raw }

    public var tensorInfos: [TensorInfo] {
        tensors.enumerated().map { position, tensor in
            TensorInfo(
                position: position, name: tensor.name, dtype: tensor.dtype, shape: tensor.shape,
                storedByteCount: tensor.data.count, stages: [])
        }
    }

    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard tensors.indices.contains(info.position) else {
            throw WeightPackError(.invalidOption, "no such tensor in this file", path: path, tensorName: info.name)
        }
        return tensors[info.position]
    }
}
