import TensorCore

/// How `inspect --group-by` and the report gather tensors into groups.
public enum TensorGrouping: Sendable, Equatable {
    /// By layer: the name up to and including its first numeric component (`encoder.layer.3`, `model.layers.3`,
    /// `blk.3`); names without one group by their first component (`embeddings`, `pooler`).
    case layer
    /// By dtype (or GGUF block type).
    case dtype
    /// By stage chain (`int8 > zstd`; a GGUF block type such as `q8_0`; or `stored as is`).
    case stage
    /// By the first `n` dot-separated components.
    case prefix(Int)

    /// Parses `layer`, `dtype`, `stage` or `prefix:N` (N ≥ 1); `nil` otherwise.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "layer": self = .layer
        case "dtype": self = .dtype
        case "stage": self = .stage
        default:
            let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == "prefix", let count = Int(parts[1]), count >= 1 else { return nil }
            self = .prefix(count)
        }
    }

    /// The group of one inspection row.
    public func group(of row: InspectionRow) -> String {
        switch self {
        case .layer: Self.layerGroup(of: row.name)
        case .dtype: row.dtype
        case .stage:
            row.stages.isEmpty
                ? (DType(name: row.dtype) == nil ? row.dtype : "stored as is") : row.chain
        case .prefix(let count):
            row.name.split(separator: ".", omittingEmptySubsequences: false).prefix(count).joined(separator: ".")
        }
    }

    /// The layer group of a tensor name (see ``layer``).
    public static func layerGroup(of name: String) -> String {
        let components = name.split(separator: ".", omittingEmptySubsequences: false)
        if let index = components.firstIndex(where: { !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return components[...index].joined(separator: ".")
        }
        return components.count > 1 ? String(components[0]) : name
    }
}

/// One group's totals.
public struct InspectionGroup: Sendable, Equatable, Codable {
    /// The group's key (see ``TensorGrouping``).
    public var name: String
    /// Tensors in the group.
    public var tensors: Int
    /// Elements in the group.
    public var elements: Int
    /// Original bytes.
    public var originalBytes: Int
    /// Stored bytes.
    public var storedBytes: Int
    /// Stored bytes per stage chain (`"int8 > zstd"`, `"stored as is"`).
    public var storedBytesByChain: [String: Int]

    /// `originalBytes / storedBytes` (1 when nothing is stored).
    public var ratio: Double { storedBytes == 0 ? 1 : Double(originalBytes) / Double(storedBytes) }
    /// Stored bits per element (0 for no elements).
    public var bitsPerWeight: Double { elements == 0 ? 0 : Double(storedBytes) * 8 / Double(elements) }

    enum CodingKeys: String, CodingKey {
        case name, tensors, elements
        case originalBytes = "original_bytes"
        case storedBytes = "stored_bytes"
        case storedBytesByChain = "stored_bytes_by_chain"
    }
}

extension Inspection {
    /// Groups the rows, in order of first appearance.
    public func groups(by grouping: TensorGrouping) -> [InspectionGroup] {
        var order: [String] = []
        var groups: [String: InspectionGroup] = [:]
        for row in tensors {
            let key = grouping.group(of: row)
            if groups[key] == nil {
                order.append(key)
                groups[key] = InspectionGroup(
                    name: key, tensors: 0, elements: 0, originalBytes: 0, storedBytes: 0, storedBytesByChain: [:])
            }
            let chain = TensorGrouping.stage.group(of: row)
            groups[key]!.tensors += 1
            groups[key]!.elements += row.elementCount
            groups[key]!.originalBytes += row.originalBytes
            groups[key]!.storedBytes += row.storedBytes
            groups[key]!.storedBytesByChain[chain, default: 0] += row.storedBytes
        }
        return order.map { groups[$0]! }
    }
}
