import Foundation
import TensorCore

/// Writes tensors as bare little-endian binary: one tensor to a file, or each tensor to its own file in a
/// folder with a `manifest.json` that names each file's tensor, dtype and shape.
public enum RawTensorWriter {
    /// Writes `tensor`'s bytes to `path` atomically.
    /// - Throws: `FormatError.Code.ioFailure` when writing fails.
    public static func write(_ tensor: Tensor, to path: String) throws(FormatError) {
        try write(bytes: tensor.data, to: path)
    }

    /// The file name used for a tensor inside a folder: the name with every byte outside `[A-Za-z0-9._-]`
    /// (and a leading `.`) percent-encoded, plus `suffix` (so `a/b` becomes `a%2Fb.bin` and no name can escape
    /// the folder). ``tensorName(fromFileName:suffix:)`` inverts it.
    public static func fileName(for tensorName: String, suffix: String = ".bin") -> String {
        var name = ""
        for byte in tensorName.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar) {
                name.unicodeScalars.append(scalar)
            } else {
                name += String(format: "%%%02X", byte)
            }
        }
        if name.hasPrefix(".") { name = "%2E" + name.dropFirst() }
        return name + suffix
    }

    /// The tensor name a folder file stands for: `suffix` removed, percent-escapes decoded; `nil` when the name
    /// lacks the suffix or holds a malformed escape or invalid UTF-8.
    public static func tensorName(fromFileName fileName: String, suffix: String) -> String? {
        guard fileName.hasSuffix(suffix) else { return nil }
        return String(fileName.dropLast(suffix.count)).removingPercentEncoding
    }

    /// Writes each tensor of `collection` to `folder/<fileName(for: name)>` and a `manifest.json` listing
    /// `{"name", "file", "dtype", "shape"}` per tensor in order (dtype in WeightPack's short spelling).
    /// Creates `folder` if needed; each file is written atomically, and on failure the files written so far (and
    /// the folder, if this call created it) are removed.
    /// - Throws: `FormatError.Code.ioFailure` when the folder cannot be created, a file name would exceed 255
    ///   bytes, or a file cannot be written.
    public static func writeFolder(_ collection: TensorCollection, to folder: String) throws(FormatError) {
        let existed = FileManager.default.fileExists(atPath: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FormatError(.ioFailure, "cannot create the folder: \(error.localizedDescription)", path: folder)
        }
        var written: [String] = []
        do throws(FormatError) {
            var manifest: [[String: Any]] = []
            for tensor in collection.tensors {
                let file = fileName(for: tensor.name)
                guard file.utf8.count <= 255 else {
                    throw FormatError(
                        .ioFailure, "the tensor's file name would be \(file.utf8.count) bytes; file systems allow 255",
                        path: folder, tensorName: tensor.name)
                }
                let path = URL(fileURLWithPath: folder).appendingPathComponent(file).path
                try write(tensor, to: path)
                written.append(path)
                manifest.append([
                    "name": tensor.name, "file": file, "dtype": tensor.dtype.name, "shape": tensor.shape.dimensions,
                ])
            }
            let json: Data
            do {
                json = try JSONSerialization.data(
                    withJSONObject: ["tensors": manifest, "metadata": collection.metadata], options: [.sortedKeys])
            } catch { throw FormatError(.ioFailure, "cannot encode the manifest: \(error)", path: folder) }
            try write(bytes: json, to: URL(fileURLWithPath: folder).appendingPathComponent("manifest.json").path)
        } catch {
            for path in written { try? FileManager.default.removeItem(atPath: path) }
            if !existed { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
    }

    private static func write(bytes: Data, to path: String) throws(FormatError) {
        let output = try AtomicFileWriter(path: path)
        do {
            try output.write(bytes)
            try output.commit()
        } catch {
            output.abort()
            throw error
        }
    }
}
