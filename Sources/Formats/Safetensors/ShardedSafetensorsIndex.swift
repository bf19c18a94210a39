import Foundation
import TensorCore

/// The `model.safetensors.index.json` of a checkpoint split across several safetensors files
/// (Hugging Face's sharded checkpoint layout): which shard holds each tensor, and the total tensor bytes.
///
/// Layout: `{"metadata": {"total_size": N, ...}, "weight_map": {"tensor name": "model-00001-of-00002.safetensors"}}`.
public struct ShardedSafetensorsIndex: Sendable, Equatable {
    /// The largest index file accepted (64 MiB).
    public static let maximumIndexByteCount = 64 << 20

    /// Tensor name → shard file name (a plain name in the index's folder), in the index's order.
    public var weightMap: [(name: String, file: String)]
    /// `metadata.total_size`: the sum of the tensors' byte counts, when present.
    public var totalSize: Int?

    /// Creates an index.
    public init(weightMap: [(name: String, file: String)], totalSize: Int?) {
        self.weightMap = weightMap
        self.totalSize = totalSize
    }

    public static func == (lhs: ShardedSafetensorsIndex, rhs: ShardedSafetensorsIndex) -> Bool {
        lhs.totalSize == rhs.totalSize && lhs.weightMap.map(\.name) == rhs.weightMap.map(\.name)
            && lhs.weightMap.map(\.file) == rhs.weightMap.map(\.file)
    }

    /// The shard files in order of first appearance in the weight map.
    public var shardFiles: [String] {
        var seen = Set<String>()
        return weightMap.map(\.file).filter { seen.insert($0).inserted }
    }

    /// Parses an index.
    /// - Throws: `FormatError.Code.invalidJSON` for malformed JSON or a wrong field type,
    ///   `duplicateTensorName`, `invalidTensorInfo` for a shard name that is not a plain file name (a path
    ///   separator or `..` could reach outside the folder), `headerTooLarge` for an index over 64 MiB.
    public static func parse(_ bytes: [UInt8]) throws(FormatError) -> ShardedSafetensorsIndex {
        guard bytes.count <= maximumIndexByteCount else {
            throw FormatError(.headerTooLarge, "index is \(bytes.count) bytes; the limit is \(maximumIndexByteCount)")
        }
        guard case .object(let root) = try JSONParser.parse(bytes) else {
            throw FormatError(.invalidJSON, "the index is not a JSON object")
        }
        guard let mapValue = root.first(where: { $0.key == "weight_map" })?.value, case .object(let map) = mapValue
        else { throw FormatError(.invalidJSON, "the index has no \"weight_map\" object") }
        var weightMap: [(name: String, file: String)] = []
        for (name, value) in map {
            guard case .string(let file) = value else {
                throw FormatError(
                    .invalidJSON, "weight_map value is a \(value.typeName); expected a file name", tensorName: name)
            }
            guard !file.isEmpty, !file.contains("/"), !file.contains("\\"), file != ".", file != ".." else {
                throw FormatError(
                    .invalidTensorInfo, "shard '\(file)' is not a plain file name in the index's folder",
                    tensorName: name)
            }
            weightMap.append((name, file))
        }
        var totalSize: Int?
        if let metadata = root.first(where: { $0.key == "metadata" })?.value, case .object(let fields) = metadata,
            let total = fields.first(where: { $0.key == "total_size" })?.value
        {
            switch total {
            case .integer(let value) where value >= 0: totalSize = value
            case .number(let value) where value >= 0 && value < 9e18 && value == value.rounded(): totalSize = Int(value)
            default: throw FormatError(.invalidJSON, "metadata.total_size is not a non-negative whole number")
            }
        }
        return ShardedSafetensorsIndex(weightMap: weightMap, totalSize: totalSize)
    }

    /// The index as Hugging Face writes it: JSON indented by 2 spaces with sorted keys, a trailing newline.
    public func encoded() -> Data {
        var text = "{\n  \"metadata\": {\n"
        if let totalSize { text += "    \"total_size\": \(totalSize)\n" }
        text += "  },\n  \"weight_map\": {\n"
        let sorted = weightMap.sorted { TensorNameKey($0.name) < TensorNameKey($1.name) }
        for (position, entry) in sorted.enumerated() {
            var line: [UInt8] = Array("    ".utf8)
            JSONWriter.appendString(entry.name, to: &line)
            line += Array(": ".utf8)
            JSONWriter.appendString(entry.file, to: &line)
            text += String(decoding: line, as: UTF8.self) + (position == sorted.count - 1 ? "\n" : ",\n")
        }
        text += "  }\n}\n"
        return Data(text.utf8)
    }
}
