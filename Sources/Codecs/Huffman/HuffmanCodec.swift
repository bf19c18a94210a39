/// Canonical, length-limited Huffman coding of little-endian signed integers of 1, 2 or 4 bytes, in
/// independently decodable chunks.
///
/// Stage name `"huffman"`; parameters `["width": "1" | "2" | "4"]`, the symbol width in bytes. The input is
/// a sequence of little-endian signed integers of that width (its byte count must be a multiple of it).
///
/// **Codes.** Order-0 canonical Huffman codes (deflate's canonical assignment, RFC 1951 §3.2.2: shorter
/// codes first, ties by symbol order) limited to ``maximumCodeLength`` bits by package-merge (Larmore &
/// Hirschberg 1990), which gives the optimal length-limited code. Bits are written least significant bit
/// first, each code bit-reversed (as deflate does), so a decoder peeks the next bits with one mask.
/// Decoding is table-driven: one lookup on the next ``lookupBits`` bits, and a second one on the next
/// `maximumCodeLength - lookupBits` bits for longer codes.
///
/// **Alphabet and escape.** Width 1 codes every byte value present, with no escape. Widths 2 and 4 code
/// the `K ≤` ``maximumAlphabetCount`` most frequent values (K chosen to minimise the estimated total size:
/// order-0 entropy of the coded symbols, the escapes' raw bits and the table) plus, when some values are
/// left out, one escape symbol. An escaped value follows its escape code as `escapeBitCount` raw bits of
/// its zig-zag form (`(v << 1) ^ (v >> 31)`), where `escapeBitCount` is the width of the largest escaped
/// zig-zag value in the stream. A stream whose alphabet (escape included) has one symbol codes it with
/// zero bits.
///
/// **Frame** (all multi-byte integers are unsigned LEB128 varints unless marked):
///
/// | Field | Size | Value |
/// |---|---|---|
/// | magic | 4 bytes | `57 50 48 31` ("WPH1") |
/// | width | 1 byte | 1, 2 or 4 |
/// | symbolCount | varint | input bytes / width; the frame ends here when 0 |
/// | chunkSymbolCountLog2 | 1 byte | 10...24: each chunk holds `2^n` symbols, the last one the rest |
/// | escapeBitCount | 1 byte | `0xFF`: no escape symbol; else 0...32 |
/// | valueCount | varint | coded values (escape excluded): ≤ 256 for width 1, ≤ 4096 otherwise |
/// | rangeCount | varint | runs of consecutive coded values, ascending |
/// | ranges | 2 varints each | the first run's start as zig-zag; later runs `start - previousEnd - 2` (gap > 0); then `length - 1` |
/// | code lengths | bytes | a bit stream (LSB first, zero-padded to a byte) of the lengths of the values in ascending order, then the escape's: the first as 4 bits; each next one `0` (same), `10s` (±1, `s = 1` for −1) or `11` + 4 bits. Absent when the alphabet has one symbol |
/// | chunkByteCounts | varint each | one per chunk |
/// | chunks | | each: the symbols' codes (and escape bits), LSB first, zero-padded to a byte |
///
/// The frame must end exactly at the last chunk; code lengths must satisfy Kraft's equality (a complete
/// code) unless the alphabet has one symbol. Output is identical for any number of threads.
public struct HuffmanCodec: ByteCodec {
    /// The longest code, in bits.
    public static let maximumCodeLength = 15
    /// Bits resolved by the first decoding table lookup.
    public static let lookupBits = 11
    /// Most coded values in a width-2 or width-4 alphabet, escape excluded.
    public static let maximumAlphabetCount = 4096
    /// Symbols per chunk: `2^18` (256 Ki). Chunks are encoded and decoded in parallel.
    public static let chunkSymbolCountLog2 = 18
    /// The symbol widths accepted, in bytes.
    public static let supportedWidths = [1, 2, 4]
    /// The frame's first four bytes, "WPH1".
    static let magic: [UInt8] = [0x57, 0x50, 0x48, 0x31]

    /// The symbol width in bytes: 1, 2 or 4.
    public let width: Int

    /// `"huffman"`.
    public var name: String { "huffman" }

    /// `["width": "<width>"]`.
    public var parameters: [String: String] { ["width": String(width)] }

    /// Creates a codec for symbols of `width` bytes.
    /// - Parameter width: 1, 2 or 4; default 1.
    /// - Throws: `CodecError.Code.invalidParameter` for any other width.
    public init(width: Int = 1) throws(CodecError) {
        guard Self.supportedWidths.contains(width) else {
            throw CodecError(
                .invalidParameter, "symbol width \(width) is not supported; use 1, 2 or 4 bytes", codecName: "huffman")
        }
        self.width = width
    }

    /// Creates a codec from parameters recorded in a container: the inverse of ``parameters``.
    /// - Parameter parameters: `["width": "1" | "2" | "4"]`; a missing width means 1. No other key is accepted.
    /// - Throws: `CodecError.Code.invalidParameter` for an unknown key or a width other than 1, 2 or 4.
    public init(parameters: [String: String]) throws(CodecError) {
        if let unknown = parameters.keys.sorted().first(where: { $0 != "width" }) {
            throw CodecError(
                .invalidParameter, "unknown parameter '\(unknown)'; the only huffman parameter is 'width'",
                codecName: "huffman")
        }
        guard let text = parameters["width"] else {
            try self.init()
            return
        }
        guard let width = Int(text) else {
            throw CodecError(
                .invalidParameter, "width '\(text)' is not a decimal integer; use 1, 2 or 4", codecName: "huffman")
        }
        try self.init(width: width)
    }
}
