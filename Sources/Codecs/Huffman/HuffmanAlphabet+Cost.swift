/// What a table costs: the bits it codes a histogram in, its size in a frame, its shortest and longest symbol.
extension HuffmanAlphabet {
    /// The one-value table (value 0, no escape) a frame carries as its shared table when no chunk uses it.
    static let placeholder = HuffmanAlphabet(values: [0], escapeBitCount: nil, lengths: [0])

    /// The most bits one symbol takes: the longest code plus the escape bits.
    var maximumSymbolBitCount: Int { Int(lengths.max() ?? 0) + (escapeBitCount ?? 0) }

    /// The fewest bits one symbol takes: the shortest code (0 only for a one-symbol alphabet), plus the escape
    /// bits when the escape is the only symbol.
    var minimumSymbolBitCount: Int { Int(lengths.min() ?? 0) + (values.isEmpty ? escapeBitCount ?? 0 : 0) }

    /// The table as a frame records it.
    var serialized: [UInt8] {
        var bytes: [UInt8] = []
        write(into: &bytes)
        return bytes
    }

    /// The exact number of bits this alphabet codes `histogram`'s symbols in, escape bits included; `nil` when
    /// a value is neither coded nor escapable (no escape, or its zig-zag form is wider than the escape bits).
    /// - Complexity: O(d + K) for d distinct values in `histogram` and K coded values (a merge of two sorted lists).
    func bitCount(of histogram: HuffmanHistogram) -> Int? {
        var bits = 0
        var coded = 0
        for (value, count) in zip(histogram.values, histogram.counts) {
            while coded < values.count && values[coded] < value { coded += 1 }
            let length: Int
            if coded < values.count && values[coded] == value {
                length = Int(lengths[coded])
            } else if let escapeIndex, let escapeBitCount, bitWidth(of: zigZag(value)) <= escapeBitCount {
                length = Int(lengths[escapeIndex]) + escapeBitCount
            } else {
                return nil
            }
            bits += Int(count) * length
        }
        return bits
    }
}
