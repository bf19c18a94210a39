import TensorCore

/// A GGML tensor type: the `ggml_type` id stored in each GGUF tensor info, with its block layout.
///
/// Every element of a GGML tensor belongs to a block of ``blockSize`` consecutive elements (along `ne[0]`,
/// the innermost dimension) stored in ``bytesPerBlock`` bytes; plain types have blocks of one element.
/// The table follows gguf-py 0.19.0's `GGMLQuantizationType` and `GGML_QUANT_SIZES` (ggml.h `enum ggml_type`),
/// so every type a current file may hold has a name and a size. Ids missing from the table (removed types
/// such as 4 `Q4_2`, or ids from a future ggml) are still representable: their ``name`` is `"type N"` and
/// their sizes are `nil`, and the GGUF reader refuses tensors of such types because it cannot size them.
public struct GGMLType: Hashable, Sendable, CustomStringConvertible {
    /// The `ggml_type` id as stored in the file (little-endian `uint32`).
    public let rawValue: UInt32

    /// The type with id `rawValue`, known or not.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Looks a type up by its gguf-py name (`"Q8_0"`, `"F32"`, `"IQ4_XS"`; case-insensitive); `nil` when unknown.
    public init?(name: String) {
        let upper = name.uppercased()
        guard let entry = Self.table.first(where: { $0.name == upper }) else { return nil }
        rawValue = entry.id
    }

    /// gguf-py's name for the type (`"Q8_0"`, `"F32"`, `"BF16"`), or `"type N"` for an id not in the table.
    public var name: String { Self.entry(rawValue)?.name ?? "type \(rawValue)" }

    /// Elements per block (1 for plain types, 32 for `Q8_0`, 256 for the K-quants); `nil` for an unknown id.
    public var blockSize: Int? { Self.entry(rawValue).map { Int($0.blockSize) } }

    /// Bytes per block (4 for `F32`, 34 for `Q8_0`, 18 for `Q4_0`); `nil` for an unknown id.
    public var bytesPerBlock: Int? { Self.entry(rawValue).map { Int($0.bytesPerBlock) } }

    /// Whether the id is in the table, so that tensors of this type can be sized.
    public var isKnown: Bool { Self.entry(rawValue) != nil }

    /// The WeightPack dtype with the same element layout, for the plain (one element per block) types
    /// `F32 F16 BF16 F64 I8 I16 I32 I64`; `nil` for block-quantized and unknown types.
    public var dtype: DType? {
        switch self {
        case .f32: .float32
        case .f16: .float16
        case .bf16: .bfloat16
        case .f64: .float64
        case .i8: .int8
        case .i16: .int16
        case .i32: .int32
        case .i64: .int64
        default: nil
        }
    }

    /// The GGML type storing elements of `dtype` one per block, or `nil` when GGML has none (`bool`, unsigned).
    public init?(dtype: DType) {
        let match: GGMLType? =
            switch dtype {
            case .float32: .f32
            case .float16: .f16
            case .bfloat16: .bf16
            case .float64: .f64
            case .int8: .i8
            case .int16: .i16
            case .int32: .i32
            case .int64: .i64
            default: nil
            }
        guard let match else { return nil }
        self = match
    }

    /// The type's ``name``.
    public var description: String { name }

    /// Every type in the table, in id order.
    public static var allKnown: [GGMLType] { table.map { GGMLType(rawValue: $0.id) } }

    /// Bytes needed for `elementCount` elements, or `nil` when the type is unknown, `elementCount` is not a
    /// multiple of ``blockSize`` or the product overflows `Int`.
    public func byteCount(elementCount: Int) -> Int? {
        guard let blockSize, let bytesPerBlock, elementCount >= 0, elementCount % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elementCount / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// IEEE binary32, 4 bytes per element.
    public static let f32 = GGMLType(rawValue: 0)
    /// IEEE binary16, 2 bytes per element.
    public static let f16 = GGMLType(rawValue: 1)
    /// 32 elements: binary16 scale `d`, then 16 bytes of 4-bit codes (`w = d × (q − 8)`).
    public static let q4_0 = GGMLType(rawValue: 2)
    /// 32 elements: binary16 `d` and `m`, then 16 bytes of 4-bit codes (`w = d × q + m`).
    public static let q4_1 = GGMLType(rawValue: 3)
    /// 32 elements: binary16 `d`, 4 bytes of fifth bits, 16 bytes of low nibbles (`w = d × (q − 16)`).
    public static let q5_0 = GGMLType(rawValue: 6)
    /// 32 elements: binary16 `d` and `m`, 4 bytes of fifth bits, 16 bytes of low nibbles (`w = d × q + m`).
    public static let q5_1 = GGMLType(rawValue: 7)
    /// 32 elements: binary16 scale `d`, then 32 signed 8-bit codes (`w = d × q`).
    public static let q8_0 = GGMLType(rawValue: 8)
    /// 32 elements: binary32 `d` and `s`, then 32 signed 8-bit codes.
    public static let q8_1 = GGMLType(rawValue: 9)
    /// K-quant, 256 elements in 84 bytes.
    public static let q2_k = GGMLType(rawValue: 10)
    /// K-quant, 256 elements in 110 bytes.
    public static let q3_k = GGMLType(rawValue: 11)
    /// K-quant, 256 elements in 144 bytes.
    public static let q4_k = GGMLType(rawValue: 12)
    /// K-quant, 256 elements in 176 bytes.
    public static let q5_k = GGMLType(rawValue: 13)
    /// K-quant, 256 elements in 210 bytes.
    public static let q6_k = GGMLType(rawValue: 14)
    /// K-quant, 256 elements in 292 bytes.
    public static let q8_k = GGMLType(rawValue: 15)
    /// I-quant, 256 elements in 66 bytes.
    public static let iq2_xxs = GGMLType(rawValue: 16)
    /// I-quant, 256 elements in 74 bytes.
    public static let iq2_xs = GGMLType(rawValue: 17)
    /// I-quant, 256 elements in 98 bytes.
    public static let iq3_xxs = GGMLType(rawValue: 18)
    /// I-quant, 256 elements in 50 bytes.
    public static let iq1_s = GGMLType(rawValue: 19)
    /// I-quant, 32 elements in 18 bytes.
    public static let iq4_nl = GGMLType(rawValue: 20)
    /// I-quant, 256 elements in 110 bytes.
    public static let iq3_s = GGMLType(rawValue: 21)
    /// I-quant, 256 elements in 82 bytes.
    public static let iq2_s = GGMLType(rawValue: 22)
    /// I-quant, 256 elements in 136 bytes.
    public static let iq4_xs = GGMLType(rawValue: 23)
    /// Signed 8-bit integer.
    public static let i8 = GGMLType(rawValue: 24)
    /// Signed 16-bit integer, little-endian.
    public static let i16 = GGMLType(rawValue: 25)
    /// Signed 32-bit integer, little-endian.
    public static let i32 = GGMLType(rawValue: 26)
    /// Signed 64-bit integer, little-endian.
    public static let i64 = GGMLType(rawValue: 27)
    /// IEEE binary64, 8 bytes per element.
    public static let f64 = GGMLType(rawValue: 28)
    /// I-quant, 256 elements in 56 bytes.
    public static let iq1_m = GGMLType(rawValue: 29)
    /// bfloat16, 2 bytes per element.
    public static let bf16 = GGMLType(rawValue: 30)
    /// Ternary quant, 256 elements in 54 bytes.
    public static let tq1_0 = GGMLType(rawValue: 34)
    /// Ternary quant, 256 elements in 66 bytes.
    public static let tq2_0 = GGMLType(rawValue: 35)
    /// Microscaling FP4, 32 elements in 17 bytes.
    public static let mxfp4 = GGMLType(rawValue: 39)
    /// NVIDIA FP4, 64 elements in 36 bytes.
    public static let nvfp4 = GGMLType(rawValue: 40)
    /// 1-bit quant, 128 elements in 18 bytes.
    public static let q1_0 = GGMLType(rawValue: 41)

    private struct Entry {
        var id: UInt32
        var name: String
        var blockSize: UInt16
        var bytesPerBlock: UInt16
    }

    /// gguf-py 0.19.0 `GGML_QUANT_SIZES` (QK_K = 256), in id order.
    private static let table: [Entry] = [
        Entry(id: 0, name: "F32", blockSize: 1, bytesPerBlock: 4),
        Entry(id: 1, name: "F16", blockSize: 1, bytesPerBlock: 2),
        Entry(id: 2, name: "Q4_0", blockSize: 32, bytesPerBlock: 2 + 16),
        Entry(id: 3, name: "Q4_1", blockSize: 32, bytesPerBlock: 2 + 2 + 16),
        Entry(id: 6, name: "Q5_0", blockSize: 32, bytesPerBlock: 2 + 4 + 16),
        Entry(id: 7, name: "Q5_1", blockSize: 32, bytesPerBlock: 2 + 2 + 4 + 16),
        Entry(id: 8, name: "Q8_0", blockSize: 32, bytesPerBlock: 2 + 32),
        Entry(id: 9, name: "Q8_1", blockSize: 32, bytesPerBlock: 4 + 4 + 32),
        Entry(id: 10, name: "Q2_K", blockSize: 256, bytesPerBlock: 2 + 2 + 16 + 64),
        Entry(id: 11, name: "Q3_K", blockSize: 256, bytesPerBlock: 2 + 64 + 32 + 12),
        Entry(id: 12, name: "Q4_K", blockSize: 256, bytesPerBlock: 2 + 2 + 128 + 12),
        Entry(id: 13, name: "Q5_K", blockSize: 256, bytesPerBlock: 2 + 2 + 128 + 32 + 12),
        Entry(id: 14, name: "Q6_K", blockSize: 256, bytesPerBlock: 2 + 128 + 64 + 16),
        Entry(id: 15, name: "Q8_K", blockSize: 256, bytesPerBlock: 4 + 256 + 32),
        Entry(id: 16, name: "IQ2_XXS", blockSize: 256, bytesPerBlock: 2 + 64),
        Entry(id: 17, name: "IQ2_XS", blockSize: 256, bytesPerBlock: 2 + 64 + 8),
        Entry(id: 18, name: "IQ3_XXS", blockSize: 256, bytesPerBlock: 2 + 64 + 32),
        Entry(id: 19, name: "IQ1_S", blockSize: 256, bytesPerBlock: 2 + 32 + 16),
        Entry(id: 20, name: "IQ4_NL", blockSize: 32, bytesPerBlock: 2 + 16),
        Entry(id: 21, name: "IQ3_S", blockSize: 256, bytesPerBlock: 2 + 64 + 32 + 8 + 4),
        Entry(id: 22, name: "IQ2_S", blockSize: 256, bytesPerBlock: 2 + 64 + 16),
        Entry(id: 23, name: "IQ4_XS", blockSize: 256, bytesPerBlock: 2 + 2 + 128 + 4),
        Entry(id: 24, name: "I8", blockSize: 1, bytesPerBlock: 1),
        Entry(id: 25, name: "I16", blockSize: 1, bytesPerBlock: 2),
        Entry(id: 26, name: "I32", blockSize: 1, bytesPerBlock: 4),
        Entry(id: 27, name: "I64", blockSize: 1, bytesPerBlock: 8),
        Entry(id: 28, name: "F64", blockSize: 1, bytesPerBlock: 8),
        Entry(id: 29, name: "IQ1_M", blockSize: 256, bytesPerBlock: 32 + 16 + 8),
        Entry(id: 30, name: "BF16", blockSize: 1, bytesPerBlock: 2),
        Entry(id: 34, name: "TQ1_0", blockSize: 256, bytesPerBlock: 2 + 4 * 13),
        Entry(id: 35, name: "TQ2_0", blockSize: 256, bytesPerBlock: 2 + 64),
        Entry(id: 39, name: "MXFP4", blockSize: 32, bytesPerBlock: 1 + 16),
        Entry(id: 40, name: "NVFP4", blockSize: 64, bytesPerBlock: 4 + 32),
        Entry(id: 41, name: "Q1_0", blockSize: 128, bytesPerBlock: 2 + 16),
    ]

    private static func entry(_ id: UInt32) -> Entry? {
        // Ids 0...41 map to table positions; a linear search over 34 entries is cheap and runs once per tensor.
        table.first { $0.id == id }
    }
}
