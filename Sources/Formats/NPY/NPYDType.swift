import TensorCore

extension DType {
    /// numpy's `dtype.str` spelling of this type as WeightPack writes it, little-endian: `'<f8'`, `'<f4'`,
    /// `'<f2'`, `'<i8'` … `'|i1'`, `'<u8'` … `'|u1'`, `'|b1'` (one-byte types take `'|'`, "not applicable",
    /// as numpy writes them); `nil` for bfloat16, which numpy cannot spell.
    public var npyDescr: String? {
        switch self {
        case .bool: "|b1"
        case .uint8: "|u1"
        case .int8: "|i1"
        case .int16: "<i2"
        case .uint16: "<u2"
        case .float16: "<f2"
        case .bfloat16: nil
        case .int32: "<i4"
        case .uint32: "<u4"
        case .float32: "<f4"
        case .float64: "<f8"
        case .int64: "<i8"
        case .uint64: "<u8"
        }
    }
}

/// Reads a `descr` string: numpy's `dtype.str`, an optional byte-order character (`<` little, `>` big,
/// `=` native, `|` not applicable), a kind character and the item size in bytes.
///
/// Supported: `b1`, `i1 i2 i4 i8`, `u1 u2 u4 u8`, `f2 f4 f8`, in every byte order. Kinds numpy has but
/// WeightPack cannot hold (complex, objects, strings, void records, datetimes, long double) are refused by
/// name; anything else is an unknown spelling.
enum NPYDescr {
    /// The supported spellings, without byte order, for messages.
    static let supportedSpellings = "b1 i1 i2 i4 i8 u1 u2 u4 u8 f2 f4 f8"

    /// True on big-endian hosts, where `'='` and `'|'` mean big-endian.
    static let hostIsBigEndian = UInt16(1).bigEndian == 1

    /// The dtype and stored byte order of `descr`.
    /// - Parameter byteOffset: where the string literal starts in the file, for errors.
    /// - Throws: `FormatError.Code.unsupportedDType` for a kind numpy has but WeightPack cannot hold, naming
    ///   the kind; `FormatError.Code.unknownDType` for any other spelling.
    static func parse(_ descr: String, byteOffset: Int) throws(FormatError) -> (dtype: DType, isBigEndian: Bool) {
        var characters = Substring(descr)
        var bigEndian = hostIsBigEndian
        if let order = characters.first, "<>=|".contains(order) {
            characters = characters.dropFirst()
            if order == "<" { bigEndian = false }
            if order == ">" { bigEndian = true }
        }
        guard let kind = characters.first else { throw unknown(descr, byteOffset) }
        let size = characters.dropFirst()
        let dtype: DType? =
            switch (kind, size) {
            case ("b", "1"): .bool
            case ("i", "1"): .int8
            case ("i", "2"): .int16
            case ("i", "4"): .int32
            case ("i", "8"): .int64
            case ("u", "1"): .uint8
            case ("u", "2"): .uint16
            case ("u", "4"): .uint32
            case ("u", "8"): .uint64
            case ("f", "2"): .float16
            case ("f", "4"): .float32
            case ("f", "8"): .float64
            default: nil
            }
        if let dtype { return (dtype, dtype.byteWidth > 1 && bigEndian) }
        if let kindName = refusedKindName(kind: kind, size: size) {
            throw FormatError(
                .unsupportedDType,
                "dtype '\(descr)' (\(kindName)) is not supported; WeightPack reads \(supportedSpellings) in any byte order",
                byteOffset: byteOffset)
        }
        throw unknown(descr, byteOffset)
    }

    /// What numpy calls a kind WeightPack refuses, or `nil` when the spelling is not numpy's at all.
    private static func refusedKindName(kind: Character, size: Substring) -> String? {
        let digits = size.prefix { $0.isASCII && $0.isNumber }
        let hasSize = !digits.isEmpty
        switch kind {
        case "c" where hasSize: return "complex"
        case "f" where ["10", "12", "16"].contains(digits): return "long double"
        case "O": return "Python objects, stored as a pickle"
        case "S", "a": return "byte strings"
        case "U": return "Unicode strings"
        case "V": return "raw void records"
        case "M": return "datetime64"
        case "m": return "timedelta64"
        case "T": return "variable-width strings"
        default: return nil
        }
    }

    private static func unknown(_ descr: String, _ byteOffset: Int) -> FormatError {
        FormatError(
            .unknownDType,
            "dtype '\(descr)' is not a numpy dtype WeightPack knows; expected a byte order (< > = |) and one of \(supportedSpellings)",
            byteOffset: byteOffset)
    }

    /// A readable name for a `descr` that is not a string (a list is a structured dtype, a tuple a subarray).
    static func refusedNonString(_ literal: PythonLiteral) -> FormatError {
        let kind: String
        switch literal.value {
        case .list: kind = "a structured dtype (a list of fields)"
        case .tuple: kind = "a subarray dtype"
        default:
            return FormatError(
                .invalidHeader,
                "'descr' is \(literal.typeName) \(literal.shortRepr); expected a dtype string such as '<f4'",
                byteOffset: literal.offset)
        }
        return FormatError(
            .unsupportedDType,
            "dtype \(literal.shortRepr) is \(kind), which WeightPack does not support; it reads \(supportedSpellings)",
            byteOffset: literal.offset)
    }
}
