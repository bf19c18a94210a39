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
    /// How the file stores the elements when that is not `dtype` itself, e.g. `"Q4_0"` for a GGUF block type
    /// (whose elements decode to `dtype` = Float32); `nil` otherwise.
    public var storageType: String?

    /// Creates a description.
    public init(
        position: Int, name: String, dtype: DType, shape: Shape, storedByteCount: Int, stages: [StageDescriptor],
        storageType: String? = nil
    ) {
        self.position = position
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.storedByteCount = storedByteCount
        self.stages = stages
        self.storageType = storageType
    }

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

    /// Releases the memory-mapped pages that hold `info`'s stored bytes, after the caller has finished with the
    /// tensor, so that streaming through a large file keeps memory at about one window of tensors. A no-op for
    /// sources that do not map their input.
    /// - Parameter range: the byte range within the tensor's stored bytes to release; `nil` for all of them.
    func releasePages(of info: TensorInfo, within range: Range<Int>?)

    /// Maps the memory-mapped pages that hold `info`'s stored bytes in one call, ahead of reading them all
    /// (cheaper than faulting them in page by page). A no-op for sources that do not map their input.
    /// - Parameter range: the byte range within the tensor's stored bytes; `nil` for all of them.
    func populatePages(of info: TensorInfo, within range: Range<Int>?)
}

/// Opens a model file (or folder) of any supported format.
/// - Parameter raw: how to read a bare binary file; when given, `path` is read as raw.
/// - Throws: `WeightPackError` when the format is unknown or the file is malformed (naming the problem).
public func openTensorSource(path: String, raw: RawInputOptions? = nil) throws(WeightPackError) -> any TensorSource {
    let location = try ModelFormat.locate(path: path, raw: raw != nil)
    switch location.format {
    case .safetensors: return try SafetensorsSource(path: location.path)
    case .shardedSafetensors: return try ShardedSafetensorsSource(indexPath: location.path)
    case .wpk: return try WPKSource(path: location.path)
    case .raw:
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try RawSource(folder: location.path)
        }
        guard let raw else {
            throw WeightPackError(.invalidOption, "a raw file needs --raw-dtype and --shape", path: path)
        }
        return try RawSource(path: location.path, options: raw)
    case .npy: return try NPYSource(path: location.path)
    case .npyDirectory: return try NPYDirectorySource(folder: location.path)
    case .npz: return try NPZSource(path: location.path)
    case .gguf: return try GGUFSource(path: location.path)
    }
}

extension TensorSource {
    /// Does nothing: the default for sources that do not map their input.
    public func releasePages(of info: TensorInfo, within range: Range<Int>?) {}

    /// Does nothing: the default for sources that do not map their input.
    public func populatePages(of info: TensorInfo, within range: Range<Int>?) {}
}
