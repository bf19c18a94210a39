import Foundation

/// The distinct values of a symbol stream and how often each occurs.
struct HuffmanHistogram {
    /// Distinct values, ascending.
    var values: [Int32]
    /// `counts[i]`: occurrences of `values[i]`; all positive.
    var counts: [UInt64]
    /// Symbols counted.
    var symbolCount: Int

    /// Counts the little-endian signed integers of `width` bytes in `input`.
    ///
    /// Widths 1 and 2 count into a dense array; width 4 counts values in `-32768...32767` densely and the
    /// rest in a dictionary.
    /// - Precondition: `width` is 1, 2 or 4 and divides `input.count`.
    /// - Complexity: O(n) time; O(distinct values) extra memory beyond a 64 Ki-entry array.
    init(_ input: UnsafeRawBufferPointer, width: Int) {
        let symbolCount = input.count / width
        self.symbolCount = symbolCount
        switch width {
        case 1:
            // Four interleaved tables: runs of one byte (an exponent plane is mostly a few values) would otherwise
            // chain every increment on the previous one through memory.
            var tables = [UInt64](repeating: 0, count: 4 * 256)
            tables.withUnsafeMutableBufferPointer { counts in
                let quads = input.count / 4
                for quad in 0..<quads {
                    let word = input.loadUnaligned(fromByteOffset: quad &* 4, as: UInt32.self)
                    counts[Int(word & 0xFF)] &+= 1
                    counts[256 &+ Int((word >> 8) & 0xFF)] &+= 1
                    counts[512 &+ Int((word >> 16) & 0xFF)] &+= 1
                    counts[768 &+ Int(word >> 24)] &+= 1
                }
                for index in (quads * 4)..<input.count { counts[Int(input[index])] &+= 1 }
            }
            var table = [UInt64](repeating: 0, count: 256)
            for value in 0..<256 {
                let low: UInt64 = tables[value] &+ tables[256 + value]
                let high: UInt64 = tables[512 + value] &+ tables[768 + value]
                table[value] = low &+ high
            }
            (values, counts) = Self.collect(table, bias: 128) { Int32(Int8(truncatingIfNeeded: $0)) }
        case 2:
            var table = [UInt64](repeating: 0, count: 65536)
            table.withUnsafeMutableBufferPointer { counts in
                for index in 0..<symbolCount {
                    let pattern = input.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self).littleEndian
                    counts[Int(pattern)] &+= 1
                }
            }
            (values, counts) = Self.collect(table, bias: 32768) { Int32(Int16(truncatingIfNeeded: $0)) }
        default:
            var table = [UInt64](repeating: 0, count: 65536)
            var outliers: [Int32] = []
            table.withUnsafeMutableBufferPointer { counts in
                for index in 0..<symbolCount {
                    let value = Int32(
                        bitPattern: input.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self).littleEndian)
                    let slot = Int(value) &+ 32768
                    if slot >= 0 && slot < 65536 {
                        counts[slot] &+= 1
                    } else {
                        outliers.append(value)
                    }
                }
            }
            outliers.sort()
            var runs: [(value: Int32, count: UInt64)] = []
            for value in outliers {
                if let last = runs.last, last.value == value {
                    runs[runs.count - 1].count += 1
                } else {
                    runs.append((value, 1))
                }
            }
            (values, counts) = Self.combine(dense: table, sortedOutliers: runs)
        }
    }

    /// The histogram of the concatenated streams `parts` counted, symbols of `width` bytes.
    /// - Complexity: O(Σ distinct values + 256) time for width 1, O(Σ distinct values + 64 Ki) otherwise.
    init(merging parts: [HuffmanHistogram], width: Int) {
        if width == 1 {
            var table = [UInt64](repeating: 0, count: 256)
            for part in parts {
                for (value, count) in zip(part.values, part.counts) {
                    table[Int(UInt8(bitPattern: Int8(value)))] &+= count
                }
            }
            symbolCount = parts.reduce(0) { $0 + $1.symbolCount }
            (values, counts) = Self.collect(table, bias: 128) { Int32(Int8(truncatingIfNeeded: $0)) }
            return
        }
        var table = [UInt64](repeating: 0, count: 65536)
        var outliers: [(value: Int32, count: UInt64)] = []
        var symbolCount = 0
        for part in parts {
            symbolCount += part.symbolCount
            for (value, count) in zip(part.values, part.counts) {
                let slot = Int(value) &+ 32768
                if slot >= 0 && slot < 65536 {
                    table[slot] &+= count
                } else {
                    outliers.append((value, count))
                }
            }
        }
        self.symbolCount = symbolCount
        outliers.sort { $0.value < $1.value }
        var runs: [(value: Int32, count: UInt64)] = []
        for entry in outliers {
            if let last = runs.last, last.value == entry.value {
                runs[runs.count - 1].count += entry.count
            } else {
                runs.append(entry)
            }
        }
        (values, counts) = Self.combine(dense: table, sortedOutliers: runs)
    }

    /// The nonzero entries of `dense` (slot `i` counts value `i - 32768`) and the distinct `sortedOutliers`
    /// (ascending, all outside the dense range), ascending: the outliers below −32768, the dense entries, then the
    /// outliers above 32767.
    private static func combine(dense table: [UInt64], sortedOutliers: [(value: Int32, count: UInt64)])
        -> ([Int32], [UInt64])
    {
        let dense = Self.collect(table, bias: 0) { Int32($0) - 32768 }
        guard !sortedOutliers.isEmpty else { return dense }
        let below = sortedOutliers.prefix { $0.value < -32768 }
        let above = sortedOutliers.dropFirst(below.count)
        return (
            below.map(\.value) + dense.0 + above.map(\.value),
            below.map(\.count) + dense.1 + above.map(\.count)
        )
    }

    /// The nonzero entries of a dense table, in ascending value order: slot `(i + bias) % count` holds the
    /// i-th smallest value, so with `bias` = half the table, two's-complement patterns come out sorted.
    private static func collect(_ table: [UInt64], bias: Int, value: (Int) -> Int32) -> ([Int32], [UInt64]) {
        var values: [Int32] = []
        var counts: [UInt64] = []
        for offset in 0..<table.count {
            let slot = (offset + bias) % table.count
            if table[slot] > 0 {
                values.append(value(slot))
                counts.append(table[slot])
            }
        }
        return (values, counts)
    }

    /// The empirical order-0 entropy, in bits per symbol: `-Σ p log2 p`; 0 for an empty stream.
    var entropyBitsPerSymbol: Double {
        guard symbolCount > 0 else { return 0 }
        let total = Double(symbolCount)
        var bits = 0.0
        for count in counts {
            let p = Double(count) / total
            bits -= p * log2(p)
        }
        return bits
    }
}

/// The zig-zag form of `value`: 0, -1, 1, -2, … map to 0, 1, 2, 3, ….
@inline(__always)
func zigZag(_ value: Int32) -> UInt32 {
    UInt32(bitPattern: (value &<< 1) ^ (value &>> 31))
}

/// The inverse of ``zigZag(_:)``.
@inline(__always)
func unZigZag(_ value: UInt32) -> Int32 {
    Int32(bitPattern: value &>> 1) ^ -Int32(bitPattern: value & 1)
}

/// Bits needed to write `value`: 0 for 0.
@inline(__always)
func bitWidth(of value: UInt32) -> Int {
    32 - value.leadingZeroBitCount
}
