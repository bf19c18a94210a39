import Formats
import Foundation

/// The file formats WeightPack reads and writes.
public enum ModelFormat: String, Sendable, CaseIterable, Codable {
    case safetensors
    case wpk

    /// The format of `path`: by its extension (`.safetensors`, `.wpk`), else by its first bytes.
    /// - Throws: `WeightPackError.Code.unsupportedFormat` when the path is missing or a folder, or when neither
    ///   the extension nor the content tells.
    public static func detect(path: String) throws(WeightPackError) -> ModelFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WeightPackError(.unsupportedFormat, "no such file", path: path)
        }
        guard !isDirectory.boolValue else {
            throw WeightPackError(.unsupportedFormat, "is a folder; name a .safetensors or .wpk file", path: path)
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "safetensors": return .safetensors
        case "wpk": return .wpk
        default: break
        }
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: 9)) ?? Data()
            if head.prefix(8) == Data(WPKHeader.magic) { return .wpk }
            if head.count == 9, head[head.startIndex + 8] == UInt8(ascii: "{") { return .safetensors }
        }
        throw WeightPackError(
            .unsupportedFormat,
            "cannot tell the format: expected a .safetensors or .wpk file (by extension or content)", path: path)
    }
}
