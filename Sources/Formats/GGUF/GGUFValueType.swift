/// The type tag of a GGUF metadata value (`enum gguf_metadata_value_type`, GGUF spec "File Structure"):
/// a little-endian `uint32` before each value, and before the elements of an array.
///
/// Ids 0–12 are defined; any other id is representable (``name`` is `"type N"`) but a reader rejects it,
/// since the size of its value is unknown. Integer literals convert: `.array(elementType: 8, …)`.
public struct GGUFValueType: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The id as stored in the file.
    public let rawValue: UInt32

    /// The type with id `rawValue`.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The type with id `value`.
    public init(integerLiteral value: UInt32) { rawValue = value }

    /// `uint8`, 1 byte.
    public static let uint8: GGUFValueType = 0
    /// `int8`, 1 byte.
    public static let int8: GGUFValueType = 1
    /// `uint16`, 2 bytes.
    public static let uint16: GGUFValueType = 2
    /// `int16`, 2 bytes.
    public static let int16: GGUFValueType = 3
    /// `uint32`, 4 bytes.
    public static let uint32: GGUFValueType = 4
    /// `int32`, 4 bytes.
    public static let int32: GGUFValueType = 5
    /// IEEE binary32, 4 bytes.
    public static let float32: GGUFValueType = 6
    /// One byte, 0 (false) or 1 (true).
    public static let bool: GGUFValueType = 7
    /// `uint64` byte length, then that many bytes of UTF-8 (no terminator).
    public static let string: GGUFValueType = 8
    /// `uint32` element type, `uint64` element count, then the elements without their own type tags.
    public static let array: GGUFValueType = 9
    /// `uint64`, 8 bytes.
    public static let uint64: GGUFValueType = 10
    /// `int64`, 8 bytes.
    public static let int64: GGUFValueType = 11
    /// IEEE binary64, 8 bytes.
    public static let float64: GGUFValueType = 12

    /// The spec's lowercase name (`"uint8"`, `"string"`, `"array"`), or `"type N"` for an undefined id.
    public var name: String {
        let names = [
            "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array", "uint64",
            "int64", "float64",
        ]
        return rawValue < names.count ? names[Int(rawValue)] : "type \(rawValue)"
    }

    /// The type's ``name``.
    public var description: String { name }

    /// Bytes of a value of this scalar type; `nil` for `string`, `array` and undefined ids.
    public var scalarByteCount: Int? {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        default: nil
        }
    }

    /// The fewest bytes a value of this type can occupy: its width for scalars, 8 for a string (its length),
    /// 12 for an array (its element type and count); `nil` for undefined ids. Readers use it to cap counts.
    public var minimumByteCount: Int? {
        switch self {
        case .string: 8
        case .array: 12
        default: scalarByteCount
        }
    }
}
