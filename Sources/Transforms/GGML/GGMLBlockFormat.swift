/// The GGML block quantization formats WeightPack encodes and decodes: 32 elements per block, one binary16
/// scale `d` per block (and a binary16 minimum `m` for the `_1` formats).
///
/// Block layouts (ggml `ggml-common.h`, gguf-py `quants.py`), all little-endian; codes of elements `j` and
/// `j + 16` share byte `j` of the nibble array, `j` in the low nibble:
///
/// | Format | Bytes | Layout | Element |
/// |---|---|---|---|
/// | `q8_0` | 34 | `d`, 32 × int8 `q` | `d × q` |
/// | `q4_0` | 18 | `d`, 16 bytes of nibbles | `d × (q − 8)` |
/// | `q4_1` | 20 | `d`, `m`, 16 bytes of nibbles | `d × q + m` |
/// | `q5_0` | 22 | `d`, `uint32` fifth bits (bit `j` for element `j`), 16 bytes of nibbles | `d × (q − 16)` |
/// | `q5_1` | 24 | `d`, `m`, `uint32` fifth bits, 16 bytes of nibbles | `d × q + m` |
///
/// The raw value is the lowercase GGML type name; ``ggmlTypeName`` is gguf-py's uppercase spelling.
public enum GGMLBlockFormat: String, Sendable, CaseIterable {
    /// 8-bit symmetric: `d = max|x| / 127`, `q = round(x / d)` (half away from zero).
    case q8_0
    /// 4-bit symmetric: `d = x_max / −8` for the element of largest magnitude, `q = trunc(x / d + 8.5)` ≤ 15.
    case q4_0
    /// 4-bit affine: `d = (max − min) / 15`, `m = min`, `q = trunc((x − min) / d + 0.5)` ≤ 15.
    case q4_1
    /// 5-bit symmetric: `d = x_max / −16`, `q = trunc(x / d + 16.5)` ≤ 31.
    case q5_0
    /// 5-bit affine: `d = (max − min) / 31`, `m = min`, `q = trunc((x − min) / d + 0.5)` ≤ 31.
    case q5_1

    /// Elements per block: 32 for every format here (`QK8_0`, `QK4_0`, …).
    public var blockSize: Int { 32 }

    /// Bytes per block: 34, 18, 20, 22, 24.
    public var bytesPerBlock: Int {
        switch self {
        case .q8_0: 34
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        }
    }

    /// The code width in bits: 8, 4 or 5.
    public var bits: Int {
        switch self {
        case .q8_0: 8
        case .q4_0, .q4_1: 4
        case .q5_0, .q5_1: 5
        }
    }

    /// gguf-py's name of the GGML type (`"Q8_0"`), as the Formats module's `GGMLType.name` spells it.
    public var ggmlTypeName: String { rawValue.uppercased() }

    /// The format whose GGML type is named `name` (`"Q4_0"` or `"q4_0"`); `nil` for any other type.
    public init?(ggmlTypeName name: String) { self.init(rawValue: name.lowercased()) }

    /// Bits per weight including the scale (and minimum): `8 × bytesPerBlock / blockSize` (8.5 for `q8_0`).
    public var bitsPerWeight: Double { Double(8 * bytesPerBlock) / Double(blockSize) }
}
