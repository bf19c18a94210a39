import Formats
import Foundation

/// Where a file's bytes go besides tensor data: header (and index), string metadata, and alignment padding.
/// `fileBytes = headerBytes + metadataBytes + tensorDataBytes + paddingBytes`.
public struct FileLayout: Sendable, Equatable, Codable {
    /// Fixed headers, the JSON header or index, tensor descriptions (metadata excluded).
    public var headerBytes: Int
    /// The serialized string metadata (`__metadata__`, the `.wpk` index's `metadata`, GGUF's key/value section).
    public var metadataBytes: Int
    /// Stored tensor bytes.
    public var tensorDataBytes: Int
    /// Alignment padding between and around segments (for GGUF, the gap before the data section too).
    public var paddingBytes: Int

    enum CodingKeys: String, CodingKey {
        case headerBytes = "header_bytes"
        case metadataBytes = "metadata_bytes"
        case tensorDataBytes = "tensor_data_bytes"
        case paddingBytes = "padding_bytes"
    }
}

extension TensorSource {
    /// The split of this file's bytes, for the formats that have one worth reporting; `nil` otherwise.
    public var fileLayout: FileLayout? {
        let tensorBytes = tensorInfos.reduce(0) { $0 + $1.storedByteCount }
        switch self {
        case let source as SafetensorsSource:
            let header = source.reader.header
            let json = source.reader.file.slice(8..<header.dataStart)
            let padding = json.reversed().prefix { $0 == UInt8(ascii: " ") }.count
            let metadata = Self.metadataJSONByteCount(header.metadata, key: "__metadata__")
            return FileLayout(
                headerBytes: header.dataStart - padding - metadata, metadataBytes: metadata,
                tensorDataBytes: tensorBytes,
                paddingBytes: padding)
        case let source as WPKSource:
            let header = source.reader.header
            let metadata = Self.metadataJSONByteCount(source.metadata, key: "metadata")
            let indexAndHeader = WPKHeader.byteCount + header.indexByteCount
            return FileLayout(
                headerBytes: indexAndHeader - metadata, metadataBytes: metadata, tensorDataBytes: tensorBytes,
                paddingBytes: source.fileByteCount - indexAndHeader - tensorBytes)
        case let source as GGUFSource:
            let header = source.reader.header
            return FileLayout(
                headerBytes: header.tensorInfoEnd - header.metadataByteCount, metadataBytes: header.metadataByteCount,
                tensorDataBytes: tensorBytes, paddingBytes: source.fileByteCount - header.tensorInfoEnd - tensorBytes)
        default:
            return nil
        }
    }

    /// Bytes of `"key":{"name":"value",…},` for the metadata (0 when empty), as the JSON headers hold it.
    private static func metadataJSONByteCount(_ metadata: [String: String], key: String) -> Int {
        guard !metadata.isEmpty,
            let data = try? JSONSerialization.data(
                withJSONObject: metadata, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return 0 }
        return data.count + "\"\(key)\":,".utf8.count
    }
}
