import Foundation
import Formats
import TensorCore

/// A safetensors file as a ``TensorSource``: memory-mapped, tensors are zero-copy slices.
public struct SafetensorsSource: TensorSource {
    /// The underlying reader.
    public let reader: SafetensorsReader

    /// Opens and validates `path`.
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the problem.
    public init(path: String) throws(WeightPackError) {
        do { reader = try SafetensorsReader(path: path) } catch { throw WeightPackError(wrapping: error, path: path) }
    }

    public var path: String { reader.file.path }
    public var format: ModelFormat { .safetensors }
    public var fileByteCount: Int { reader.file.byteCount }
    public var metadata: [String: String] { reader.header.metadata }
    public var tensorInfos: [TensorInfo] {
        reader.header.entries.map {
            TensorInfo(name: $0.name, dtype: $0.dtype, shape: $0.shape, storedByteCount: $0.dataOffsets.count, stages: [])
        }
    }

    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard let entry = reader.header.entries.first(where: { $0.name == info.name }) else {
            throw WeightPackError(.invalidOption, "no such tensor", path: path, tensorName: info.name)
        }
        return reader.tensor(entry)
    }
}
