import Formats
import Foundation
import TensorCore

/// What a file says about one tensor before its data is read.
public struct TensorInfo: Sendable, Equatable {
    /// The tensor's position in its file's tensor list (file order), which identifies it to its source.
    public var position: Int
    /// The tensor's name.
    public var name: String
    /// The dtype in the source (for `.wpk`, the dtype before encoding).
    public var dtype: DType
    /// The dimensions, row-major.
    public var shape: Shape
    /// Bytes the tensor occupies in the file (for `.wpk`, after its stage chain).
    public var storedByteCount: Int
    /// The stage chain (empty for formats without one).
    public var stages: [StageDescriptor]

    /// Bytes of the elements at their source dtype: element count × element size.
    public var originalByteCount: Int { (try? shape.byteCount(of: dtype)) ?? 0 }
}

/// A readable model file: its tensors' descriptions, its metadata, and each tensor's decoded elements on demand,
/// one at a time, so that memory holds one tensor rather than the model.
public protocol TensorSource: Sendable {
    /// The path as the user gave it.
    var path: String { get }
    /// The file's format.
    var format: ModelFormat { get }
    /// The file's size in bytes.
    var fileByteCount: Int { get }
    /// The tensors in file order.
    var tensorInfos: [TensorInfo] { get }
    /// String metadata carried by the file.
    var metadata: [String: String] { get }
    /// The decoded tensor: the source's bytes for plain formats; for `.wpk`, the stage chain undone (checksum
    /// checked first). Lossy float stages decode to Float32.
    /// - Throws: `WeightPackError` naming the file and tensor when the data is damaged or cannot be decoded.
    func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor
}

/// Opens a model file of any supported format.
/// - Throws: `WeightPackError` when the format is unknown or the file is malformed (naming the problem).
public func openTensorSource(path: String) throws(WeightPackError) -> any TensorSource {
    switch try ModelFormat.detect(path: path) {
    case .safetensors: try SafetensorsSource(path: path)
    case .wpk: try WPKSource(path: path)
    }
}
