import Formats
import Foundation

/// The model formats WeightPack reads and writes.
public enum ModelFormat: String, Sendable, CaseIterable, Codable {
    /// One safetensors file.
    case safetensors
    /// Safetensors shards with a `*.safetensors.index.json`.
    case shardedSafetensors = "sharded-safetensors"
    /// One NPY array.
    case npy
    /// A folder of NPY arrays, one tensor per file: the tensor name, percent-encoded outside `[A-Za-z0-9._-]`, + `.npy`.
    case npyDirectory = "npy-dir"
    /// An NPZ archive (numpy.savez or savez_compressed).
    case npz
    /// GGUF (llama.cpp).
    case gguf
    /// Bare binary: one tensor per file, or a folder of them with a `manifest.json`.
    case raw
    /// WeightPack's container.
    case wpk
}

/// Where a model is: its format and the file (or folder) to open.
public struct ModelLocation: Sendable, Equatable {
    /// The format.
    public var format: ModelFormat
    /// The file or folder to open: for a folder given as a sharded checkpoint, the index file inside it.
    public var path: String
}

extension ModelFormat {
    /// The format of `path`: a folder by what it holds; a file by its extension (`.safetensors`,
    /// `.safetensors.index.json`, `.npy`, `.npz`, `.gguf`, `.wpk`), else by its first bytes.
    /// - Throws: `WeightPackError.Code.unsupportedFormat` when the path is missing, or neither the name nor the
    ///   content tells (a bare binary file needs raw options: dtype and shape).
    public static func detect(path: String) throws(WeightPackError) -> ModelFormat {
        try locate(path: path).format
    }

    /// The format and the file to open for `path` (see ``detect(path:)``); with `raw` set, `path` is read as raw.
    /// - Throws: as ``detect(path:)``.
    public static func locate(path: String, raw: Bool = false) throws(WeightPackError) -> ModelLocation {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WeightPackError(.unsupportedFormat, "no such file", path: path)
        }
        if isDirectory.boolValue { return try locateFolder(path) }
        if raw { return ModelLocation(format: .raw, path: path) }
        let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        if name.hasSuffix(".safetensors.index.json") { return ModelLocation(format: .shardedSafetensors, path: path) }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "safetensors": return ModelLocation(format: .safetensors, path: path)
        case "wpk": return ModelLocation(format: .wpk, path: path)
        case "npy": return ModelLocation(format: .npy, path: path)
        case "npz": return ModelLocation(format: .npz, path: path)
        case "gguf": return ModelLocation(format: .gguf, path: path)
        default: break
        }
        if let format = sniff(path) { return ModelLocation(format: format, path: path) }
        throw WeightPackError(
            .unsupportedFormat,
            "cannot tell the format from the name or the content; expected .safetensors, .npy, .npz, .gguf or .wpk "
                + "(a bare binary file needs --raw-dtype and --shape)", path: path)
    }

    /// The format told by a file's first bytes, or `nil`.
    private static func sniff(_ path: String) -> ModelFormat? {
        // Only regular files (links followed): opening a FIFO would block.
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 9)) ?? Data())
        if head.starts(with: WPKHeader.magic) { return .wpk }
        if head.starts(with: [0x93] + Array("NUMPY".utf8)) { return .npy }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .npz }
        if head.starts(with: Array("GGUF".utf8)) { return .gguf }
        if head.count == 9, head[8] == UInt8(ascii: "{") { return .safetensors }
        return nil
    }

    private static func locateFolder(_ path: String) throws(WeightPackError) -> ModelLocation {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        let folder = URL(fileURLWithPath: path)
        let indexes = names.filter { $0.lowercased().hasSuffix(".safetensors.index.json") }
        if indexes.count == 1 {
            return ModelLocation(format: .shardedSafetensors, path: folder.appendingPathComponent(indexes[0]).path)
        }
        if indexes.count > 1 {
            throw WeightPackError(
                .unsupportedFormat, "the folder holds \(indexes.count) safetensors indexes; name one of them",
                path: path)
        }
        if names.contains("manifest.json") { return ModelLocation(format: .raw, path: path) }
        if names.contains(where: { $0.lowercased().hasSuffix(".npy") }) {
            return ModelLocation(format: .npyDirectory, path: path)
        }
        let single = names.filter { $0.lowercased().hasSuffix(".safetensors") }
        if single.count == 1 {
            return ModelLocation(format: .safetensors, path: folder.appendingPathComponent(single[0]).path)
        }
        throw WeightPackError(
            .unsupportedFormat,
            "is a folder without a model: expected a *.safetensors.index.json, one .safetensors file, .npy files "
                + "or a raw manifest.json", path: path)
    }
}
