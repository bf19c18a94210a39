/// One step of a tensor's encoding chain as recorded in a `.wpk` index: which stage, its parameters,
/// and how many bytes it produced.
///
/// Stages apply in order on encode (the first takes the tensor's elements) and in reverse on decode.
/// Parameters are strings so that the container can carry any stage without knowing it;
/// each stage documents its keys in docs/FORMAT.md §5.
public struct StageDescriptor: Sendable, Hashable, Codable {
    /// The stage's identifier, e.g. `"int8"`, `"zstd"`, `"lz4"`.
    public var name: String
    /// The stage's parameters, e.g. `["granularity": "per_channel"]`.
    public var parameters: [String: String]
    /// Bytes this stage produced (its output, which the next stage takes as input).
    public var outputByteCount: Int

    /// Creates a descriptor.
    public init(name: String, parameters: [String: String] = [:], outputByteCount: Int) {
        self.name = name
        self.parameters = parameters
        self.outputByteCount = outputByteCount
    }

    enum CodingKeys: String, CodingKey {
        case name
        case parameters = "params"
        case outputByteCount = "output_bytes"
    }
}
