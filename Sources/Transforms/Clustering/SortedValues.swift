import Foundation

/// Float32 values sorted ascending, as order-preserving 32-bit keys, with block prefix sums: the input of the 1-D
/// k-means (``KMeansClusterer``), which then needs only binary searches and differences of prefix sums.
///
/// A value's key is its bit pattern with the sign bit flipped for positive values and all bits flipped for
/// negative ones, so unsigned key order is float order; −0 is keyed as +0. Sorting is an LSD radix sort
/// (three passes of 11, 11 and 10 bits, a pass skipped when every key has the same digit), split across cores
/// with per-range histograms; it is stable, so the result does not depend on the core count. Prefix sums are
/// kept per block of 64 values, so memory stays at 4 bytes per value plus 1/8 byte.
struct SortedValues: Sendable {
    /// Keys of the values, ascending.
    let keys: [UInt32]
    /// `blockSums[b]` is the sum, in Float64, of the `b × blockLength` smallest values.
    private let blockSums: [Double]
    /// Values per prefix-sum block: a prefix sum at any position adds fewer than this many values to a block's.
    static let blockLength = 64

    /// The number of values.
    var count: Int { keys.count }

    /// Sorts finite `values`.
    /// - Complexity: O(n) time (3 passes), 16 n bytes of memory besides the result.
    init(_ values: UnsafeBufferPointer<Float>) {
        let count = values.count
        var keys = [UInt32](repeating: 0, count: count)
        var scratch = [UInt32](repeating: 0, count: count)
        let ranges = ParallelChunks.ranges(count: count, minimumLength: 1 << 16)
        keys.withUnsafeMutableBufferPointer { keyBuffer in
            nonisolated(unsafe) let output = keyBuffer
            nonisolated(unsafe) let input = values
            ParallelChunks.run(ranges) { _, range in
                for index in range { output[index] = Self.key(input[index]) }
            }
        }
        for (shift, digitBits) in [(0, 11), (11, 11), (22, 10)] {
            let moved = keys.withUnsafeMutableBufferPointer { source in
                scratch.withUnsafeMutableBufferPointer { target in
                    Self.radixPass(source, into: target, shift: shift, digitBits: digitBits, ranges: ranges)
                }
            }
            if moved { swap(&keys, &scratch) }
        }
        var sums = [Double](repeating: 0, count: count / Self.blockLength + 1)
        keys.withUnsafeBufferPointer { sorted in
            sums.withUnsafeMutableBufferPointer { prefix in
                var running = 0.0
                for block in 1..<prefix.count {
                    for index in ((block - 1) * Self.blockLength)..<(block * Self.blockLength) {
                        running += Double(Self.value(sorted[index]))
                    }
                    prefix[block] = running
                }
            }
        }
        self.keys = keys
        blockSums = sums
    }

    /// The order-preserving key of a finite value (−0 keys as +0).
    @inline(__always)
    static func key(_ value: Float) -> UInt32 {
        let bits = (value + 0).bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// The value of a key made by ``key(_:)``.
    @inline(__always)
    static func value(_ key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// The `index`-th smallest value.
    func value(at index: Int) -> Float { Self.value(keys[index]) }

    /// The first index whose value is at least `value` (`count` when none is).
    /// - Complexity: O(log n).
    func firstIndex(notBelow value: Float) -> Int {
        let target = Self.key(value)
        return keys.withUnsafeBufferPointer { sorted in
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = low + (high - low) / 2
                if sorted[middle] < target { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// The sum, in Float64, of the values at sorted positions `range`.
    /// - Complexity: O(1): two block sums and fewer than `2 × blockLength` values.
    func sum(_ range: Range<Int>) -> Double { prefixSum(range.upperBound) - prefixSum(range.lowerBound) }

    /// The sum, in Float64, of the `position` smallest values.
    private func prefixSum(_ position: Int) -> Double {
        let block = position / Self.blockLength
        var total = blockSums[block]
        for index in (block * Self.blockLength)..<position { total += Double(value(at: index)) }
        return total
    }

    /// One stable counting-sort pass on the digit `(key >> shift) & (2^digitBits − 1)`.
    /// - Returns: false, leaving `target` untouched, when every key has the same digit.
    private static func radixPass(
        _ source: UnsafeMutableBufferPointer<UInt32>, into target: UnsafeMutableBufferPointer<UInt32>, shift: Int,
        digitBits: Int, ranges: [Range<Int>]
    ) -> Bool {
        let buckets = 1 << digitBits
        let mask = UInt32(buckets - 1)
        let digitShift = UInt32(shift)
        var histograms = [Int](repeating: 0, count: buckets * ranges.count)
        histograms.withUnsafeMutableBufferPointer { tallies in
            nonisolated(unsafe) let counts = tallies
            nonisolated(unsafe) let input = source
            ParallelChunks.run(ranges) { chunk, range in
                let base = chunk * buckets
                for index in range { counts[base + Int((input[index] >> digitShift) & mask)] += 1 }
            }
        }
        // Offsets: bucket-major, then range order, so equal digits keep their input order.
        var running = 0
        var single = false
        for bucket in 0..<buckets {
            var bucketTotal = 0
            for chunk in 0..<ranges.count {
                let slot = chunk * buckets + bucket
                let tally = histograms[slot]
                histograms[slot] = running
                running += tally
                bucketTotal += tally
            }
            if bucketTotal == source.count { single = true }
        }
        if single { return false }
        histograms.withUnsafeMutableBufferPointer { offsets in
            nonisolated(unsafe) let next = offsets
            nonisolated(unsafe) let input = source
            nonisolated(unsafe) let output = target
            ParallelChunks.run(ranges) { chunk, range in
                let base = chunk * buckets
                for index in range {
                    let key = input[index]
                    let slot = base + Int((key >> digitShift) & mask)
                    output[next[slot]] = key
                    next[slot] += 1
                }
            }
        }
        return true
    }
}
