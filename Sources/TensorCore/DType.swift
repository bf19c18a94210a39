/// The element type of a tensor. All multi-byte types are stored little-endian.
///
/// Format-specific spellings (safetensors' `"F32"`, NPY's `"<f4"`, GGML type ids) live with each format
/// in the Formats module; ``name`` is WeightPack's own short spelling, used by the CLI and the `.wpk` index.
public enum DType: String, Sendable, CaseIterable, Codable, Hashable {
    case bool, uint8, int8, int16, uint16, float16, bfloat16, int32, uint32, float32, float64, int64, uint64

    /// Size of one element in bytes (`bool` is one byte, 0 or 1).
    public var byteWidth: Int {
        switch self {
        case .bool, .uint8, .int8: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .float64, .int64, .uint64: 8
        }
    }

    /// Size of one element in bits.
    public var bitWidth: Int { byteWidth * 8 }

    /// True for IEEE binary16/32/64 and bfloat16: the types WeightPack may quantize.
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64: true
        default: false
        }
    }

    /// WeightPack's short name: `f64 f32 f16 bf16 i64 i32 i16 i8 u64 u32 u16 u8 bool`.
    public var name: String {
        switch self {
        case .bool: "bool"
        case .uint8: "u8"
        case .int8: "i8"
        case .int16: "i16"
        case .uint16: "u16"
        case .float16: "f16"
        case .bfloat16: "bf16"
        case .int32: "i32"
        case .uint32: "u32"
        case .float32: "f32"
        case .float64: "f64"
        case .int64: "i64"
        case .uint64: "u64"
        }
    }

    /// Looks a dtype up by its short ``name``; `nil` when the name is unknown.
    public init?(name: String) {
        guard let match = DType.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
