import Foundation

/// The symbols a Huffman stream codes: values ascending, then the escape symbol if any, with their code lengths.
struct HuffmanAlphabet: Equatable {
    /// Coded values, strictly ascending.
    var values: [Int32]
    /// Raw bits after each escape code (0...32); `nil` when there is no escape symbol.
    var escapeBitCount: Int?
    /// Code lengths, `values.count` of them, then the escape's: 1...15 bits, or one 0 when there is one symbol.
    var lengths: [UInt8]

    /// Symbols in the alphabet, escape included.
    var symbolCount: Int { lengths.count }

    /// Index of the escape symbol, when there is one.
    var escapeIndex: Int? { escapeBitCount == nil ? nil : values.count }

    /// Chooses the alphabet for `histogram` and computes optimal code lengths of at most
    /// `HuffmanCodec.maximumCodeLength` bits.
    ///
    /// Width 1 codes every value present. Widths 2 and 4 code the K most frequent values (ties by value),
    /// `0 ≤ K ≤ HuffmanCodec.maximumAlphabetCount`, and escape the rest; K minimises
    /// `entropy bits + escapes × escape bits + 12 bits × K` (the last term estimates the table).
    /// - Complexity: O(d log d + K × 15) for d distinct values.
    init(histogram: HuffmanHistogram, width: Int) {
        var coded = Array(histogram.values.indices)
        var escapeCount: UInt64 = 0
        var escapeBits: Int?
        if width != 1 {
            let byCount = histogram.values.indices.sorted {
                histogram.counts[$0] != histogram.counts[$1]
                    ? histogram.counts[$0] > histogram.counts[$1] : histogram.values[$0] < histogram.values[$1]
            }
            let keep = Self.bestKeptCount(byCount: byCount, histogram: histogram)
            coded = byCount[..<keep].sorted()
            if keep < byCount.count {
                var largest: UInt32 = 0
                for index in byCount[keep...] {
                    largest = max(largest, zigZag(histogram.values[index]))
                    escapeCount += histogram.counts[index]
                }
                escapeBits = bitWidth(of: largest)
            }
        }
        values = coded.map { histogram.values[$0] }
        escapeBitCount = escapeBits
        var counts = coded.map { histogram.counts[$0] }
        if escapeBits != nil { counts.append(escapeCount) }
        lengths = HuffmanCodeLengths.lengths(counts: counts, limit: HuffmanCodec.maximumCodeLength)
    }

    /// Creates an alphabet from its parts (as read from a frame).
    init(values: [Int32], escapeBitCount: Int?, lengths: [UInt8]) {
        self.values = values
        self.escapeBitCount = escapeBitCount
        self.lengths = lengths
    }

    /// The K (number of most frequent values kept) that minimises the estimated coded size.
    ///
    /// The estimate is exact for the order-0 entropy of the coded symbols and the escapes' raw bits, and
    /// close for the table: the varints of its runs plus 2 bits per code length.
    private static func bestKeptCount(byCount: [Int], histogram: HuffmanHistogram) -> Int {
        let distinct = byCount.count
        let limit = min(distinct, HuffmanCodec.maximumAlphabetCount)
        // Largest zig-zag value among the values ranked k... (those escaped when K = k).
        var suffixLargest = [UInt32](repeating: 0, count: distinct + 1)
        for rank in stride(from: distinct - 1, through: 0, by: -1) {
            suffixLargest[rank] = max(suffixLargest[rank + 1], zigZag(histogram.values[byCount[rank]]))
        }
        let total = Double(histogram.symbolCount)
        var keptMass = 0.0
        var keptCountLogCount = 0.0
        var table = TableCostEstimate()
        var best = (cost: Double.infinity, kept: limit)
        for kept in 0...limit {
            if kept > 0 {
                let count = Double(histogram.counts[byCount[kept - 1]])
                keptMass += count
                keptCountLogCount += count * log2(count)
                table.insert(Int64(histogram.values[byCount[kept - 1]]))
            }
            let escapes = total - keptMass
            let escapeLog = escapes > 0 ? escapes * log2(escapes) : 0
            let entropyBits = total * log2(total) - keptCountLogCount - escapeLog
            let rawBits = escapes > 0 ? escapes * Double(bitWidth(of: suffixLargest[kept])) : 0
            let cost = entropyBits + rawBits + Double(table.bits)
            if cost < best.cost { best = (cost, kept) }
        }
        return best.kept
    }
}

/// The size of a code table in bits, as values are added: run varints and 2 bits per code length.
///
/// - Complexity: O(K) per insertion (a sorted array), O(K²) for K values; K ≤ 4096.
private struct TableCostEstimate {
    private var sorted: [Int64] = []
    private var runBits = 0

    var bits: Int { runBits + 2 * sorted.count }

    /// Bits of the run fields between consecutive values `low < high`: none inside a run.
    private static func gapBits(_ low: Int64, _ high: Int64) -> Int {
        high - low == 1 ? 0 : 8 * (varintByteCount(UInt64(high - low - 2)) + 1)
    }

    /// Bits of the first run's fields.
    private static func startBits(_ value: Int64) -> Int {
        8 * (varintByteCount(UInt64(zigZag(Int32(value)))) + 1)
    }

    private static func varintByteCount(_ value: UInt64) -> Int {
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }

    mutating func insert(_ value: Int64) {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        let previous = low > 0 ? sorted[low - 1] : nil
        let next = low < sorted.count ? sorted[low] : nil
        switch (previous, next) {
        case (nil, nil):
            runBits += Self.startBits(value)
        case (nil, let next?):
            runBits += Self.startBits(value) + Self.gapBits(value, next) - Self.startBits(next)
        case (let previous?, nil):
            runBits += Self.gapBits(previous, value)
        case (let previous?, let next?):
            runBits += Self.gapBits(previous, value) + Self.gapBits(value, next) - Self.gapBits(previous, next)
        }
        sorted.insert(value, at: low)
    }
}
