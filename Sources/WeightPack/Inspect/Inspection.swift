import Foundation
import TensorCore

/// What `inspect` reports about one tensor.
public struct InspectionRow: Sendable, Codable, Equatable {
    /// The tensor's name.
    public var name: String
    /// The source dtype's short name (`f32`, `i64`, …).
    public var dtype: String
    /// The dimensions.
    public var shape: [Int]
    /// Number of elements.
    public var elementCount: Int
    /// Bytes of the elements at the source dtype.
    public var originalBytes: Int
    /// Bytes stored in the file (after the stage chain).
    public var storedBytes: Int
    /// The stage chain, e.g. `["int8", "zstd"]`; empty when stored as is.
    public var stages: [String]
    /// Bytes after each stage, in order (same length as `stages`).
    public var bytesAfterStage: [Int]
    /// The chain with each stage's distinguishing parameters, e.g. `quant:int4:group=32 > auto`; empty when
    /// stored as is.
    public var chain: String

    /// `originalBytes / storedBytes` (1 for empty tensors).
    public var ratio: Double { storedBytes == 0 ? 1 : Double(originalBytes) / Double(storedBytes) }
    /// Stored bits per element, overhead such as scales included (0 for empty tensors).
    public var bitsPerWeight: Double { elementCount == 0 ? 0 : Double(storedBytes) * 8 / Double(elementCount) }

    enum CodingKeys: String, CodingKey {
        case name, dtype, shape, stages, chain
        case elementCount = "elements"
        case originalBytes = "original_bytes"
        case storedBytes = "stored_bytes"
        case bytesAfterStage = "bytes_after_stage"
        case ratio
        case bitsPerWeight = "bits_per_weight"
    }

    /// Creates a row; `bytesAfterStage` must have one entry per stage.
    public init(
        name: String, dtype: String, shape: [Int], elementCount: Int, originalBytes: Int, storedBytes: Int,
        stages: [String], bytesAfterStage: [Int], chain: String? = nil
    ) {
        self.chain = chain ?? stages.joined(separator: " > ")
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.elementCount = elementCount
        self.originalBytes = originalBytes
        self.storedBytes = storedBytes
        self.stages = stages
        self.bytesAfterStage = bytesAfterStage
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        dtype = try container.decode(String.self, forKey: .dtype)
        shape = try container.decode([Int].self, forKey: .shape)
        elementCount = try container.decode(Int.self, forKey: .elementCount)
        originalBytes = try container.decode(Int.self, forKey: .originalBytes)
        storedBytes = try container.decode(Int.self, forKey: .storedBytes)
        stages = try container.decode([String].self, forKey: .stages)
        bytesAfterStage = try container.decode([Int].self, forKey: .bytesAfterStage)
        chain = try container.decodeIfPresent(String.self, forKey: .chain) ?? stages.joined(separator: " > ")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(dtype, forKey: .dtype)
        try container.encode(shape, forKey: .shape)
        try container.encode(elementCount, forKey: .elementCount)
        try container.encode(originalBytes, forKey: .originalBytes)
        try container.encode(storedBytes, forKey: .storedBytes)
        try container.encode(stages, forKey: .stages)
        try container.encode(bytesAfterStage, forKey: .bytesAfterStage)
        try container.encode(chain, forKey: .chain)
        try container.encode(ratio, forKey: .ratio)
        try container.encode(bitsPerWeight, forKey: .bitsPerWeight)
    }
}

/// What `inspect` reports about a file; its JSON form is documented in docs/INSPECT-JSON.md
/// (schema `weightpack.inspect/1`).
public struct Inspection: Sendable, Codable, Equatable {
    /// The JSON schema identifier; changes only when a field changes meaning or disappears.
    public static let schema = "weightpack.inspect/1"

    /// Always ``schema``.
    public var schema: String = Inspection.schema
    /// The file as given.
    public var path: String
    /// `safetensors` or `wpk`.
    public var format: String
    /// The file's size in bytes.
    public var fileBytes: Int
    /// Number of metadata entries carried by the file.
    public var metadataCount: Int
    /// One row per tensor, in file order.
    public var tensors: [InspectionRow]
    /// The file's bytes split into header, metadata, tensor data and padding, where the format tells.
    public var layout: FileLayout?

    /// Sum of elements over all tensors.
    public var totalElements: Int { tensors.reduce(0) { $0 + $1.elementCount } }
    /// Sum of original bytes.
    public var totalOriginalBytes: Int { tensors.reduce(0) { $0 + $1.originalBytes } }
    /// Sum of stored bytes.
    public var totalStoredBytes: Int { tensors.reduce(0) { $0 + $1.storedBytes } }
    /// File bytes that are not tensor data: header, index, metadata, padding.
    public var overheadBytes: Int { fileBytes - totalStoredBytes }

    enum CodingKeys: String, CodingKey {
        case schema, path, format, tensors
        case fileBytes = "file_bytes"
        case metadataCount = "metadata_entries"
        case totals
    }

    enum TotalsKeys: String, CodingKey {
        case tensors, elements
        case originalBytes = "original_bytes"
        case storedBytes = "stored_bytes"
        case overheadBytes = "overhead_bytes"
        case headerBytes = "header_bytes"
        case metadataBytes = "metadata_bytes"
        case paddingBytes = "padding_bytes"
        case ratio
        case bitsPerWeight = "bits_per_weight"
    }

    /// Creates an inspection (``Inspector/inspect(path:)`` makes them).
    public init(path: String, format: String, fileBytes: Int, metadataCount: Int, tensors: [InspectionRow]) {
        self.path = path
        self.format = format
        self.fileBytes = fileBytes
        self.metadataCount = metadataCount
        self.tensors = tensors
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        path = try container.decode(String.self, forKey: .path)
        format = try container.decode(String.self, forKey: .format)
        fileBytes = try container.decode(Int.self, forKey: .fileBytes)
        metadataCount = try container.decode(Int.self, forKey: .metadataCount)
        tensors = try container.decode([InspectionRow].self, forKey: .tensors)
        let totals = try? container.nestedContainer(keyedBy: TotalsKeys.self, forKey: .totals)
        if let header = try totals?.decodeIfPresent(Int.self, forKey: .headerBytes),
            let metadata = try totals?.decodeIfPresent(Int.self, forKey: .metadataBytes),
            let padding = try totals?.decodeIfPresent(Int.self, forKey: .paddingBytes)
        {
            layout = FileLayout(
                headerBytes: header, metadataBytes: metadata,
                tensorDataBytes: tensors.reduce(0) { $0 + $1.storedBytes }, paddingBytes: padding)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(path, forKey: .path)
        try container.encode(format, forKey: .format)
        try container.encode(fileBytes, forKey: .fileBytes)
        try container.encode(metadataCount, forKey: .metadataCount)
        try container.encode(tensors, forKey: .tensors)
        var totals = container.nestedContainer(keyedBy: TotalsKeys.self, forKey: .totals)
        try totals.encode(tensors.count, forKey: .tensors)
        try totals.encode(totalElements, forKey: .elements)
        try totals.encode(totalOriginalBytes, forKey: .originalBytes)
        try totals.encode(totalStoredBytes, forKey: .storedBytes)
        try totals.encode(overheadBytes, forKey: .overheadBytes)
        try totals.encode(layout?.headerBytes, forKey: .headerBytes)
        try totals.encode(layout?.metadataBytes, forKey: .metadataBytes)
        try totals.encode(layout?.paddingBytes, forKey: .paddingBytes)
        try totals.encode(
            totalStoredBytes == 0 ? 1 : Double(totalOriginalBytes) / Double(totalStoredBytes), forKey: .ratio)
        try totals.encode(
            totalElements == 0 ? 0 : Double(fileBytes) * 8 / Double(totalElements), forKey: .bitsPerWeight)
    }
}

/// Reads a file's description (for `.wpk`, the index only; no tensor data is touched).
public enum Inspector {
    /// Describes every tensor of `path`.
    /// - Throws: `WeightPackError` naming the file when it is malformed or of an unknown format.
    /// - Parameter raw: how to read a bare binary file (see ``openTensorSource(path:raw:)``).
    public static func inspect(path: String, raw: RawInputOptions? = nil) throws(WeightPackError) -> Inspection {
        let source = try openTensorSource(path: path, raw: raw)
        let rows = source.tensorInfos.map { info in
            InspectionRow(
                name: info.name, dtype: info.storageType?.lowercased() ?? info.dtype.name, shape: info.shape.dimensions,
                elementCount: (try? info.shape.elementCount()) ?? 0, originalBytes: info.originalByteCount,
                storedBytes: info.storedByteCount, stages: info.stages.map(\.name),
                bytesAfterStage: info.stages.map(\.outputByteCount), chain: StageSummary.chain(info.stages))
        }
        var inspection = Inspection(
            path: path, format: source.format.rawValue, fileBytes: source.fileByteCount,
            metadataCount: source.metadata.count, tensors: rows)
        inspection.layout = source.fileLayout
        return inspection
    }
}
