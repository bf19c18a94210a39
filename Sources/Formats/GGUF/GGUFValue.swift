/// One GGUF metadata value: a scalar, a UTF-8 string, or an array of values of one type (GGUF spec,
/// "File Structure", `gguf_metadata_value_t`).
///
/// Arrays may nest (gguf-py reads and writes arrays of arrays; llama.cpp refuses them); each inner array
/// carries its own element type. Equality is exact: floats compare by bit pattern (so NaN equals the same
/// NaN and `0.0 != -0.0`), strings by their UTF-8 bytes (so canonically equivalent strings differ).
public indirect enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    /// `uint8`.
    case uint8(UInt8)
    /// `int8`.
    case int8(Int8)
    /// `uint16`.
    case uint16(UInt16)
    /// `int16`.
    case int16(Int16)
    /// `uint32`.
    case uint32(UInt32)
    /// `int32`.
    case int32(Int32)
    /// `float32`.
    case float32(Float)
    /// `bool`, stored as one byte 0 or 1.
    case bool(Bool)
    /// `string`: UTF-8.
    case string(String)
    /// `array`: every element has type `elementType` (an empty array still records one).
    case array(elementType: GGUFValueType, [GGUFValue])
    /// `uint64`.
    case uint64(UInt64)
    /// `int64`.
    case int64(Int64)
    /// `float64`.
    case float64(Double)

    /// The value's type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .array: .array
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        }
    }

    /// The string, when this is a `string`.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as an `Int`, when this is an integer type whose value fits.
    public var integerValue: Int? {
        switch self {
        case .uint8(let value): Int(value)
        case .int8(let value): Int(value)
        case .uint16(let value): Int(value)
        case .int16(let value): Int(value)
        case .uint32(let value): Int(value)
        case .int32(let value): Int(value)
        case .uint64(let value): Int(exactly: value)
        case .int64(let value): Int(value)
        default: nil
        }
    }

    /// The elements, when this is an `array`.
    public var arrayElements: [GGUFValue]? {
        if case .array(_, let elements) = self { return elements }
        return nil
    }

    /// Nesting depth: 0 for a scalar or string, 1 for an array of those, 2 for an array of arrays, ….
    /// - Complexity: O(total number of nested values).
    public var arrayDepth: Int {
        guard case .array(_, let elements) = self else { return 0 }
        return 1 + (elements.lazy.map(\.arrayDepth).max() ?? 0)
    }

    /// A short rendering for listings: scalars as written, strings quoted, arrays as their first
    /// 8 elements and their length (`[1, 2, 3, … 151936 × int32]`).
    public var description: String {
        switch self {
        case .uint8(let value): String(value)
        case .int8(let value): String(value)
        case .uint16(let value): String(value)
        case .int16(let value): String(value)
        case .uint32(let value): String(value)
        case .int32(let value): String(value)
        case .float32(let value): String(value)
        case .bool(let value): String(value)
        case .string(let text): "\"\(text)\""
        case .uint64(let value): String(value)
        case .int64(let value): String(value)
        case .float64(let value): String(value)
        case .array(let elementType, let elements):
            elements.count <= 8
                ? "[" + elements.map(\.description).joined(separator: ", ") + "]"
                : "[" + elements.prefix(8).map(\.description).joined(separator: ", ")
                    + ", … \(elements.count) × \(elementType.name)]"
        }
    }

    /// Exact equality: same type tag and same value, floats by bit pattern, strings by UTF-8 bytes, arrays
    /// element by element with the same element type.
    public static func == (lhs: GGUFValue, rhs: GGUFValue) -> Bool {
        switch (lhs, rhs) {
        case (.uint8(let a), .uint8(let b)): a == b
        case (.int8(let a), .int8(let b)): a == b
        case (.uint16(let a), .uint16(let b)): a == b
        case (.int16(let a), .int16(let b)): a == b
        case (.uint32(let a), .uint32(let b)): a == b
        case (.int32(let a), .int32(let b)): a == b
        case (.float32(let a), .float32(let b)): a.bitPattern == b.bitPattern
        case (.bool(let a), .bool(let b)): a == b
        case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)
        case (.array(let typeA, let a), .array(let typeB, let b)): typeA == typeB && a == b
        case (.uint64(let a), .uint64(let b)): a == b
        case (.int64(let a), .int64(let b)): a == b
        case (.float64(let a), .float64(let b)): a.bitPattern == b.bitPattern
        default: false
        }
    }
}
