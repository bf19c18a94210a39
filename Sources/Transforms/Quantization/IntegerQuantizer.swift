import Foundation
import TensorCore

/// Integer quantization to 8, 4 or 2 bits on a grid that holds zero exactly: the `quant` stage.
///
/// A tensor is viewed as `[rows, columns]` with `rows` its dimension 0 and `columns` the product of the others
/// (a scalar or 1-D tensor is one row). Elements share a scale per tensor, per row (`per_channel`) or per run of
/// `blockSize` consecutive elements of a row (`group=G`, along the last axis); in every case a scale covers a
/// contiguous run of the row-major elements, scale `k` the run `[k × L, (k + 1) × L)`.
///
/// **Symmetric** (`sym`): `scale = max|w| / qmax` in Float32 with `qmax` = 127, 7 or 1, and
/// `q = round(w / scale)` (to nearest, ties to even, as numpy's `np.round`) in `[-qmax, qmax]`. The most negative
/// two's-complement code (−128, −8, −2) is never written, and decoding refuses it. A scale that would be subnormal is
/// rounded up to the least one with `max|w| / scale ≤ qmax` (the rule of ``Int8Quantizer``), so `int8:sym` per
/// channel decodes to exactly the values ``Int8Quantizer`` and ``Int8Dequantizer`` give. Decoded: `q × scale`.
///
/// **Affine** (`asym`): the range is widened to hold zero, `lo = min(min w, 0)`, `hi = max(max w, 0)`;
/// `scale = (hi − lo) / (2^bits − 1)` (the difference and quotient in Float64, rounded once to Float32; a subnormal
/// scale is rounded up as above), an integer zero point `z = round(−lo / scale)` in `[0, 2^bits − 1]`, and unsigned
/// codes `q = round(w / scale) + z` in `[0, 2^bits − 1]`. Decoded: `(q − z) × scale`, so `w = 0` decodes to 0
/// exactly.
///
/// With `scale=f16` the Float32 scale is rounded *up* to the next binary16 value (so the grid still covers the
/// range) before the codes are computed. Codes are clamped to the code range, which only ever moves a code that
/// float rounding put half a step past the grid's end: the error per element is at most `scale / 2` (plus
/// Float32 rounding). An all-zero run gets scale 0, codes 0 (zero point 0). NaN and infinity are refused.
///
/// Recipe: `quant:FORMAT[:MODE][:GRANULARITY][:scale=TYPE][:packing=PACKING]`, words in any order:
/// `FORMAT` = `int8` | `int4` | `int2` (required); `MODE` = `sym` (default) | `asym`; `GRANULARITY` =
/// `per_channel` (default) | `per_tensor` | `group=G` (`G` ≥ 1 dividing `columns`); `TYPE` = `f32` (default) |
/// `f16`; `PACKING` = `bits` (default) | `bytes`. ``recipeText`` gives them in this order, defaults omitted.
///
/// Sections, in order (`S` scales: 1, `rows`, or `rows × columns / G`; `n` elements):
/// 1. scales: `.bytes(symbolWidth: 4)` S little-endian Float32, or `.bytes(symbolWidth: 2)` S binary16 with `f16`;
/// 2. zero points (`asym` only): `.bytes(symbolWidth: 1)`, S unsigned bytes;
/// 3. codes: `.bytes(symbolWidth: 1)`, row-major. `packing=bytes`: one code per byte (signed two's complement for
///    `sym`, unsigned for `asym`), `n` bytes. `packing=bits`: `⌈n × bits / 8⌉` bytes, each code's low `bits` bits
///    packed from the lowest bits of each byte up (int4: element `2k` in the low nibble of byte `k`, `2k + 1` in the
///    high nibble; int2: element `4k + j` in bits `2j, 2j + 1`); unused high bits of the last byte are zero.
///
/// Parameters: `format`, `mode` (`sym` | `asym`), `granularity` (`per_tensor` | `per_channel` | `group`),
/// `group` (G, with `group` only), `scale` (`f32` | `f16`), `packing` (`bits` | `bytes`), `rows`, `columns`.
public struct IntegerQuantizer: ValueTransform {
    /// The stage identifier recorded in the container.
    public static let stageName = "quant"

    /// The code width.
    public enum Format: String, Sendable, CaseIterable {
        /// 8-bit codes: symmetric `[-127, 127]`, affine `[0, 255]`.
        case int8
        /// 4-bit codes: symmetric `[-7, 7]`, affine `[0, 15]`.
        case int4
        /// 2-bit codes: symmetric `[-1, 1]`, affine `[0, 3]`.
        case int2

        /// Bits per code: 8, 4 or 2.
        public var bits: Int {
            switch self {
            case .int8: 8
            case .int4: 4
            case .int2: 2
            }
        }

        /// The largest symmetric code, `2^(bits − 1) − 1`: 127, 7 or 1.
        public var symmetricMaximum: Int { (1 << (bits - 1)) - 1 }

        /// The largest affine code, `2^bits − 1`: 255, 15 or 3.
        public var affineMaximum: Int { (1 << bits) - 1 }
    }

    /// Where the grid sits.
    public enum Mode: String, Sendable, CaseIterable {
        /// Signed codes around zero, no zero point (recipe word `sym`).
        case symmetric = "sym"
        /// Unsigned codes with an integer zero point (recipe word `asym`).
        case affine = "asym"
    }

    /// Which elements share a scale.
    public enum Granularity: Sendable, Hashable {
        /// One scale for the tensor (`per_tensor`).
        case perTensor
        /// One scale per row, i.e. per slice along dimension 0 (`per_channel`).
        case perChannel
        /// One scale per run of `blockSize` consecutive elements of a row (`group=G`).
        case blocks(size: Int)

        /// The recipe word: `per_tensor`, `per_channel` or `group=G`.
        public var recipeWord: String {
            switch self {
            case .perTensor: "per_tensor"
            case .perChannel: "per_channel"
            case .blocks(let size): "group=\(size)"
            }
        }
    }

    /// How scales are stored.
    public enum ScaleType: String, Sendable, CaseIterable {
        /// IEEE 754 binary32, 4 bytes.
        case float32 = "f32"
        /// IEEE 754 binary16, 2 bytes; the scale is rounded up to it.
        case float16 = "f16"

        /// Bytes per stored scale.
        public var byteWidth: Int { self == .float32 ? 4 : 2 }
    }

    /// How codes narrower than a byte are stored.
    public enum Packing: String, Sendable, CaseIterable {
        /// Packed, lowest bits first (for storage without an entropy coder).
        case bits
        /// One code per byte (so an entropy coder sees whole symbols).
        case bytes
    }

    /// The code width.
    public var format: Format
    /// Symmetric or affine.
    public var mode: Mode
    /// Which elements share a scale.
    public var granularity: Granularity
    /// How scales are stored.
    public var scaleType: ScaleType
    /// How codes are stored.
    public var packing: Packing

    /// Creates a quantizer; `granularity` `.blocks(size:)` needs a positive size (checked by ``validate(shape:tensorName:)``).
    public init(
        format: Format, mode: Mode = .symmetric, granularity: Granularity = .perChannel,
        scaleType: ScaleType = .float32, packing: Packing = .bits
    ) {
        self.format = format
        self.mode = mode
        self.granularity = granularity
        self.scaleType = scaleType
        self.packing = packing
    }

    /// Parses the recipe arguments (see the type's documentation for the grammar).
    /// - Throws: `TransformError.Code.invalidParameter` naming the argument and what is accepted, when a word is
    ///   unknown, repeated, or the format is missing.
    public init(recipeArguments: [String]) throws(TransformError) {
        var format: Format?
        var mode: Mode?
        var granularity: Granularity?
        var scaleType: ScaleType?
        var packing: Packing?
        func set<T>(_ slot: inout T?, _ value: T, _ word: String) throws(TransformError) {
            guard slot == nil else { throw Self.argumentError("'\(word)' repeats a setting given before") }
            slot = value
        }
        for word in recipeArguments {
            if let value = Format(rawValue: word) {
                try set(&format, value, word)
            } else if let value = Mode(rawValue: word) {
                try set(&mode, value, word)
            } else if word == "per_tensor" || word == "per_channel" {
                try set(&granularity, word == "per_tensor" ? .perTensor : .perChannel, word)
            } else if let text = Self.value(of: word, after: "group=") {
                guard let size = Int(text), size >= 1 else {
                    throw Self.argumentError("'\(word)' needs a positive integer group size, e.g. group=32")
                }
                try set(&granularity, .blocks(size: size), word)
            } else if let text = Self.value(of: word, after: "scale="), let value = ScaleType(rawValue: text) {
                try set(&scaleType, value, word)
            } else if let text = Self.value(of: word, after: "packing="), let value = Packing(rawValue: text) {
                try set(&packing, value, word)
            } else {
                throw Self.argumentError("unknown argument '\(word)'")
            }
        }
        guard let format else { throw Self.argumentError("a format is required") }
        self.init(
            format: format, mode: mode ?? .symmetric, granularity: granularity ?? .perChannel,
            scaleType: scaleType ?? .float32, packing: packing ?? .bits)
    }

    /// The rest of `word` after `prefix`, or `nil` when it does not start with it.
    private static func value(of word: String, after prefix: String) -> String? {
        word.hasPrefix(prefix) ? String(word.dropFirst(prefix.count)) : nil
    }

    private static func argumentError(_ problem: String) -> TransformError {
        TransformError(
            .invalidParameter,
            "stage '\(stageName)': \(problem); accepted: int8|int4|int2 (required), sym|asym, "
                + "per_tensor|per_channel|group=G, scale=f32|f16, packing=bits|bytes")
    }

    /// The recipe text, e.g. `quant:int4:group=32` or `quant:int8:asym:per_tensor:scale=f16:packing=bytes`:
    /// format, mode, granularity, scale type, packing, each omitted when it is the default.
    public var recipeText: String {
        var words = [Self.stageName, format.rawValue]
        if mode != .symmetric { words.append(mode.rawValue) }
        if granularity != .perChannel { words.append(granularity.recipeWord) }
        if scaleType != .float32 { words.append("scale=\(scaleType.rawValue)") }
        if packing != .bits { words.append("packing=\(packing.rawValue)") }
        return words.joined(separator: ":")
    }

    /// Checks that the group size divides the row length of `shape`.
    /// - Throws: `TransformError.Code.blockSizeNotDivisor` naming the tensor, the stage, the group size and the
    ///   row length; `.invalidParameter` for a group size below 1 or a shape whose element count overflows.
    public func validate(shape: Shape, tensorName: String) throws(TransformError) {
        _ = try Layout(shape: shape, granularity: granularity, stage: recipeText, tensorName: tensorName)
    }
}
