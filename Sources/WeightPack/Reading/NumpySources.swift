import Formats
import Foundation
import TensorCore

/// One `.npy` array as a ``TensorSource``: a single tensor named after the file stem.
public struct NPYSource: TensorSource {
    public let path: String
    public let fileByteCount: Int
    private let tensor: Tensor

    /// Reads `path` (memory-mapped; converted to little-endian C order when it is not).
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the problem.
    public init(path: String) throws(WeightPackError) {
        self.path = path
        do { tensor = try NPYReader.read(path: path) } catch { throw WeightPackError(wrapping: error, path: path) }
        fileByteCount = Converter.fileSize(path)
    }

    /// Always `.npy`.
    public var format: ModelFormat { .npy }
    /// NPY carries no metadata.
    public var metadata: [String: String] { [:] }
    /// The one tensor.
    public var tensorInfos: [TensorInfo] {
        [
            TensorInfo(
                position: 0, name: tensor.name, dtype: tensor.dtype, shape: tensor.shape,
                storedByteCount: tensor.data.count, stages: [])
        ]
    }

    /// The array.
    /// - Throws: `WeightPackError` when `info` is not this file's tensor.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard info.position == 0 else {
            throw WeightPackError(.invalidOption, "no such tensor in this file", path: path, tensorName: info.name)
        }
        return tensor
    }
}

/// A folder of `.npy` files as a ``TensorSource``: each file is a tensor named by its percent-decoded stem
/// (the inverse of how `convert --to npy-dir` names files), in sorted file-name order.
public struct NPYDirectorySource: TensorSource {
    public let path: String
    public let fileByteCount: Int
    private let files: [(name: String, path: String)]
    private let headers: [NPYHeader]

    /// Lists and checks the folder's `.npy` files (headers only).
    /// - Throws: `WeightPackError` for an undecodable file name, two files naming one tensor, or a malformed header.
    public init(folder: String) throws(WeightPackError) {
        path = folder
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.lowercased().hasSuffix(".npy")
        }.sorted()
        var files: [(name: String, path: String)] = []
        var headers: [NPYHeader] = []
        var seen = Set<TensorNameKey>()
        var total = 0
        for fileName in names {
            let filePath = URL(fileURLWithPath: folder).appendingPathComponent(fileName).path
            guard let tensorName = RawTensorWriter.tensorName(fromFileName: fileName, suffix: ".npy") else {
                throw WeightPackError(
                    .unsupportedFormat, "the file name is not a valid percent-encoded tensor name", path: filePath)
            }
            guard seen.insert(TensorNameKey(tensorName)).inserted else {
                throw WeightPackError(
                    .unsupportedFormat, "two files name this tensor", path: filePath, tensorName: tensorName)
            }
            do {
                let file = try MappedFile(path: filePath)
                headers.append(try NPYReader.parseHeader(file.bytes, fileByteCount: file.byteCount))
                total += file.byteCount
            } catch { throw WeightPackError(wrapping: error, path: filePath, tensorName: tensorName) }
            files.append((tensorName, filePath))
        }
        self.files = files
        self.headers = headers
        fileByteCount = total
    }

    /// Always `.npyDirectory`.
    public var format: ModelFormat { .npyDirectory }
    /// NPY carries no metadata.
    public var metadata: [String: String] { [:] }
    /// One tensor per file, in sorted file-name order.
    public var tensorInfos: [TensorInfo] {
        zip(files, headers).enumerated().map { position, item in
            TensorInfo(
                position: position, name: item.0.name, dtype: item.1.dtype, shape: item.1.shape,
                storedByteCount: (try? item.1.shape.byteCount(of: item.1.dtype)) ?? 0, stages: [])
        }
    }

    /// Reads the tensor's file.
    /// - Throws: `WeightPackError` naming the file when it is malformed.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard files.indices.contains(info.position) else {
            throw WeightPackError(.invalidOption, "no such tensor in this folder", path: path, tensorName: info.name)
        }
        let file = files[info.position]
        do { return try NPYReader.read(path: file.path, name: file.name) } catch {
            throw WeightPackError(wrapping: error, path: file.path, tensorName: file.name)
        }
    }
}

/// An `.npz` archive as a ``TensorSource``: member `a/b.npy` is tensor `a/b`; each member is inflated when read.
public struct NPZSource: TensorSource {
    /// The underlying reader.
    public let reader: NPZReader

    /// Opens the archive and checks every member's header and declared sizes.
    /// - Throws: `WeightPackError` wrapping the `FormatError` that names the member and the problem.
    public init(path: String) throws(WeightPackError) {
        do { reader = try NPZReader(path: path) } catch { throw WeightPackError(wrapping: error, path: path) }
    }

    /// The archive's path.
    public var path: String { reader.file.path }
    /// Always `.npz`.
    public var format: ModelFormat { .npz }
    /// The archive's size in bytes.
    public var fileByteCount: Int { reader.file.byteCount }
    /// NPZ carries no metadata.
    public var metadata: [String: String] { [:] }
    /// One tensor per member, in archive order.
    public var tensorInfos: [TensorInfo] {
        reader.entries.enumerated().map { position, entry in
            TensorInfo(
                position: position, name: entry.name, dtype: entry.header.dtype, shape: entry.header.shape,
                storedByteCount: entry.compressedByteCount, stages: [])
        }
    }

    /// The member, inflated if it is compressed.
    /// - Throws: `WeightPackError` naming the member when it is malformed.
    public func decodedTensor(_ info: TensorInfo) throws(WeightPackError) -> Tensor {
        guard reader.entries.indices.contains(info.position) else {
            throw WeightPackError(.invalidOption, "no such member in this archive", path: path, tensorName: info.name)
        }
        do { return try reader.tensor(reader.entries[info.position]) } catch {
            throw WeightPackError(wrapping: error, path: path, tensorName: info.name)
        }
    }
}
