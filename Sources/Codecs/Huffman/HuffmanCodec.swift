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
/// zig-zag value the table was built for. An alphabet (escape included) of one symbol codes it with zero bits.
///
/// **Locally adaptive tables.** The stream is cut into chunks of `2^`\(``chunkSymbolCountLog2``) symbols. The
/// frame carries one shared table, and each chunk is coded either with it or with a table of its own, built
/// from the chunk's histogram; the encoder takes the own table when its bytes plus the chunk's codes are fewer
/// than the chunk's codes under the shared table (sizes counted exactly). The shared table is built from the
/// whole stream, then rebuilt from the chunks that keep it while that shrinks the frame; when no chunk uses it,
/// it is the one-value table of value 0 (`FF 01 01 00 00`).
///
/// **Frame** (all multi-byte integers are unsigned LEB128 varints unless marked):
///
/// | Field | Size | Value |
/// |---|---|---|
/// | magic | 4 bytes | `57 50 48 32` ("WPH2") |
/// | width | 1 byte | 1, 2 or 4 |
/// | symbolCount | varint | input bytes / width; the frame ends here when 0 |
/// | chunkSymbolCountLog2 | 1 byte | 10...24: each chunk holds `2^n` symbols, the last one the rest (the encoder writes 16) |
/// | shared table | | a *table* (below) |
/// | chunk headers | one per chunk | `tableKind` (1 byte): `0` the shared table codes the chunk, `1` a *table* of the chunk's own follows; then the chunk's byte count (varint) |
/// | chunks | Σ byte counts | each: its symbols' codes (and escape bits), LSB first, zero-padded to a byte |
///
/// A *table*:
///
/// | Field | Size | Value |
/// |---|---|---|
/// | escapeBitCount | 1 byte | `0xFF`: no escape symbol; else 0...8 × width (never for width 1) |
/// | valueCount | varint | coded values (escape excluded): ≤ 256 for width 1, ≤ 4096 otherwise |
/// | rangeCount | varint | runs of consecutive coded values, ascending |
/// | ranges | 2 varints each | the first run's start as zig-zag; later runs `start - previousEnd - 2` (gap > 0); then `length - 1` |
/// | code lengths | bytes | a bit stream (LSB first, zero-padded to a byte) of the lengths of the values in ascending order, then the escape's: the first as 4 bits; each next one `0` (same), `10s` (±1, `s = 1` for −1) or `11` + 4 bits. Absent when the alphabet has one symbol |
///
/// The frame must end exactly at the last chunk; every table's code lengths must satisfy Kraft's equality (a
/// complete code) unless its alphabet has one symbol; a chunk's byte count must lie between its symbols'
/// fewest and most bits under its table, and its codes must end in its last byte. Output is identical for any
/// number of threads.
public struct HuffmanCodec: ByteCodec {
    /// The longest code, in bits.
    public static let maximumCodeLength = 15
    /// Bits resolved by the first decoding table lookup.
    public static let lookupBits = 11
    /// Most coded values in a width-2 or width-4 alphabet, escape excluded.
    public static let maximumAlphabetCount = 4096
    /// Symbols per chunk, the unit that may have its own table: `2^16` (64 Ki). Chunks are encoded and
    /// decoded in parallel.
    public static let chunkSymbolCountLog2 = 16
    /// The symbol widths accepted, in bytes.
    public static let supportedWidths = [1, 2, 4]
    /// The frame's first four bytes, "WPH2".
    static let magic: [UInt8] = [0x57, 0x50, 0x48, 0x32]
    /// A chunk header's `tableKind`: the shared table codes the chunk.
    static let sharedTableKind: UInt8 = 0
    /// A chunk header's `tableKind`: the chunk's own table follows.
    static let ownTableKind: UInt8 = 1

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
