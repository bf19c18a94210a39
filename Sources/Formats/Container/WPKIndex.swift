import TensorCore

/// One tensor's record in a `.wpk` index (docs/FORMAT.md §3).
public struct WPKTensorRecord: Sendable, Equatable, Codable {
    /// The tensor's name, unique in the file.
    public var name: String
    /// The dtype the tensor had in its source; decoding the chain yields elements of this dtype
    /// (or Float32 for lossy float stages, converted back to this dtype on unpack).
    public var dtype: DType
    /// The dimensions, row-major.
    public var shape: Shape
    /// The stages applied on encode, in order; empty when the bytes are stored as they were.
    public var stages: [StageDescriptor]
    /// Absolute byte offset of the stored bytes; a multiple of 64.
    public var offset: Int
    /// Stored byte count (the last stage's output).
    public var length: Int
    /// XXH3-64 of the stored bytes, as 16 lower-case hex digits.
    public var checksum: String

    /// Creates a record.
    public init(
        name: String, dtype: DType, shape: Shape, stages: [StageDescriptor], offset: Int, length: Int, checksum: String
    ) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.stages = stages
        self.offset = offset
        self.length = length
        self.checksum = checksum
    }

    enum CodingKeys: String, CodingKey {
        case name, dtype, shape, stages, offset, length
        case checksum = "xxh3_64"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        let dtypeName = try container.decode(String.self, forKey: .dtype)
        guard let dtype = DType(name: dtypeName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .dtype, in: container, debugDescription: "unknown dtype '\(dtypeName)' for tensor '\(name)'")
        }
        self.dtype = dtype
        shape = try container.decode(Shape.self, forKey: .shape)
        stages = try container.decode([StageDescriptor].self, forKey: .stages)
        offset = try container.decode(Int.self, forKey: .offset)
        length = try container.decode(Int.self, forKey: .length)
        checksum = try container.decode(String.self, forKey: .checksum)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(dtype.name, forKey: .dtype)
        try container.encode(shape, forKey: .shape)
        try container.encode(stages, forKey: .stages)
        try container.encode(offset, forKey: .offset)
        try container.encode(length, forKey: .length)
        try container.encode(checksum, forKey: .checksum)
    }
}

/// The JSON index of a `.wpk` file: metadata carried from the source, and one record per tensor
/// in file order (docs/FORMAT.md §3).
public struct WPKIndex: Sendable, Equatable, Codable {
    /// String metadata carried through from the source file (e.g. safetensors' `__metadata__`).
    public var metadata: [String: String]
    /// Facts about the source file, e.g. `["format": "safetensors", "bytes": "90868376"]`.
    public var source: [String: String]
    /// The tensors, in file order.
    public var tensors: [WPKTensorRecord]

    /// Creates an index.
    public init(metadata: [String: String] = [:], source: [String: String] = [:], tensors: [WPKTensorRecord] = []) {
        self.metadata = metadata
        self.source = source
        self.tensors = tensors
    }
}
