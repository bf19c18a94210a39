/// Maps each input symbol to its code: `entry = reversedCode << 8 | escapeFlag | length`, where
/// `escapeFlag` (0x80) marks the escape code, after which the value's zig-zag bits follow.
struct HuffmanEncodingTable {
    /// Set in an entry for the escape code.
    static let escapeFlag: UInt32 = 0x80

    /// Entries indexed by the symbol's bit pattern (width 1 and 2) or by `value - base` (width 4).
    let entries: [UInt32]
    /// The value of `entries[0]` for width 4.
    let base: Int64
    /// Entries of width-4 values when they span too much for `entries`.
    let sparse: [Int32: UInt32]?
    /// The escape's entry (also every unlisted width-4 value's); 0 when there is no escape.
    let escapeEntry: UInt32
    /// Raw bits after an escape code.
    let escapeBitCount: Int
    /// The longest code plus the escape bits: the most bits one symbol takes.
    let maximumSymbolBitCount: Int

    /// Widest value range (width 4) that gets a dense table.
    private static let maximumDenseSpan: Int64 = 1 << 20

    /// Builds the table for `alphabet` and symbols of `width` bytes.
    init(alphabet: HuffmanAlphabet, width: Int) {
        let limit = HuffmanCodec.maximumCodeLength
        let codes = HuffmanCodeLengths.reversedCanonicalCodes(lengths: alphabet.lengths, limit: limit)
        func entry(_ symbol: Int) -> UInt32 { codes[symbol] << 8 | UInt32(alphabet.lengths[symbol]) }
        escapeBitCount = alphabet.escapeBitCount ?? 0
        escapeEntry = alphabet.escapeIndex.map { entry($0) | Self.escapeFlag } ?? 0
        maximumSymbolBitCount = Int(alphabet.lengths.max() ?? 0) + escapeBitCount
        switch width {
        case 1, 2:
            var table = [UInt32](repeating: escapeEntry, count: 1 << (8 * width))
            let mask = Int(table.count - 1)
            for (symbol, value) in alphabet.values.enumerated() { table[Int(value) & mask] = entry(symbol) }
            entries = table
            base = 0
            sparse = nil
        default:
            let low = Int64(alphabet.values.first ?? 0)
            let span = Int64(alphabet.values.last ?? 0) - low + 1
            base = low
            if span <= Self.maximumDenseSpan {
                var table = [UInt32](repeating: escapeEntry, count: Int(span))
                for (symbol, value) in alphabet.values.enumerated() { table[Int(Int64(value) - low)] = entry(symbol) }
                entries = table
                sparse = nil
            } else {
                entries = []
                var map: [Int32: UInt32] = [:]
                for (symbol, value) in alphabet.values.enumerated() { map[value] = entry(symbol) }
                sparse = map
            }
        }
    }

    /// The entry of a width-4 value.
    @inline(__always)
    func entry(forInt32 value: Int32) -> UInt32 {
        if let sparse { return sparse[value] ?? escapeEntry }
        let slot = Int64(value) &- base
        return slot >= 0 && slot < Int64(entries.count) ? entries[Int(slot)] : escapeEntry
    }
}
