import Foundation
import Formats

/// The file formats WeightPack reads and writes.
public enum ModelFormat: String, Sendable, CaseIterable, Codable {
    case safetensors
    case wpk

    /// The format of `path`: by its extension (`.safetensors`, `.wpk`), else by its first bytes.
    /// - Throws: `WeightPackError.Code.unsupportedFormat` naming the extension when neither tells.
    public static func detect(path: String) throws(WeightPackError) -> ModelFormat {
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
