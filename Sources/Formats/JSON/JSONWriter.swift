/// Writes compact JSON exactly as Rust's serde_json does, so that headers WeightPack writes are
/// byte-identical to the reference safetensors library's.
///
/// Strings escape `"` and `\`, use `\b \f \n \r \t` for those controls and `\u00xx` (lower-case hex)
/// for the other controls below U+0020; everything else, non-ASCII included, is written as UTF-8.
public enum JSONWriter {
    /// Appends `text` as a JSON string literal, quotes included.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [
                    0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)],
                    hex[Int(byte & 15)],
                ]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `[a,b,c]` for a list of integers.
    public static func appendIntegers(_ values: [Int], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        out += Array(values.map(String.init).joined(separator: ",").utf8)
        out.append(UInt8(ascii: "]"))
    }
}
