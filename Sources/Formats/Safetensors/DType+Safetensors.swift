import TensorCore

extension DType {
    /// The safetensors spelling (`"F32"`, `"BF16"`, `"BOOL"`, …), per the format's `Dtype` enum.
    public var safetensorsName: String {
        switch self {
        case .bool: "BOOL"
        case .uint8: "U8"
        case .int8: "I8"
        case .int16: "I16"
        case .uint16: "U16"
        case .float16: "F16"
        case .bfloat16: "BF16"
        case .int32: "I32"
        case .uint32: "U32"
        case .float32: "F32"
        case .float64: "F64"
        case .int64: "I64"
        case .uint64: "U64"
        }
    }

    /// Looks a dtype up by its safetensors spelling; `nil` for spellings WeightPack does not support
    /// (e.g. `F8_E4M3`, `C64`).
    public init?(safetensorsName: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == safetensorsName }) else { return nil }
        self = match
    }

    /// The position of this dtype in the reference library's `Dtype` enum
    /// (BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, C64,
    /// F64, I64, U64). Writers order tensors by this rank, descending, then by name, as the reference does.
    var safetensorsRank: Int {
        switch self {
        case .bool: 0
        case .uint8: 4
        case .int8: 5
        case .int16: 9
        case .uint16: 10
        case .float16: 11
        case .bfloat16: 12
        case .int32: 13
        case .uint32: 14
        case .float32: 15
        case .float64: 17
        case .int64: 18
        case .uint64: 19
        }
    }
}
