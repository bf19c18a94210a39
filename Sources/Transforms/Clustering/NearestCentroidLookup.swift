/// Maps a value to the index of its nearest centroid, ties to the lower index, by a branchless binary search
/// over precomputed decision thresholds.
///
/// Distances are `|Float64(v) − Float64(c)|`. For ascending centroids, the distinct values `d₀ < d₁ < …` get
/// thresholds `tⱼ`: the least Float32 strictly nearer to `dⱼ₊₁` than to `dⱼ` (found by binary search over the
/// Float32 values between them). A value's index is the number of thresholds it reaches, mapped back to the
/// first (lowest) centroid index holding that distinct value, so duplicate centroids never win a tie.
struct NearestCentroidLookup: Sendable {
    /// `thresholds[j]` separates distinct centroid `j` from `j + 1`; padded with +∞ to `2^levels − 1` entries.
    private(set) var thresholds: [Float]
    /// The lowest centroid index of each distinct centroid value.
    private(set) var firstIndices: [UInt8]
    /// The distinct centroid values, ascending.
    private(set) var distinctCentroids: [Float]

    /// Prepares the lookup for `centroids`, which must be finite, ascending and at most 256.
    init(ascending centroids: [Float]) {
        precondition(!centroids.isEmpty && centroids.count <= 256, "1...256 centroids expected")
        var distinct: [Float] = []
        var first: [UInt8] = []
        for (index, centroid) in centroids.enumerated() {
            if let last = distinct.last {
                precondition(last <= centroid, "centroids must be ascending")
                if last == centroid { continue }
            }
            distinct.append(centroid)
            first.append(UInt8(index))
        }
        var levels = 0
        while (1 << levels) < distinct.count { levels += 1 }
        var thresholds = [Float](repeating: .infinity, count: (1 << levels) - 1)
        for index in 0..<(distinct.count - 1) {
            thresholds[index] = Self.threshold(between: distinct[index], and: distinct[index + 1]) + 0  // −0 → +0
        }
        self.thresholds = thresholds
        firstIndices = first
        distinctCentroids = distinct
    }

    /// The least Float32 strictly nearer to `upper` than to `lower` (`lower < upper`, both finite), by binary
    /// search over the Float32 values between them in key order (the predicate is monotone there, since rounding
    /// of the Float64 differences is); 32 steps at most.
    static func threshold(between lower: Float, and upper: Float) -> Float {
        func nearerToUpper(_ value: Float) -> Bool {
            abs(Double(value) - Double(upper)) < abs(Double(value) - Double(lower))
        }
        // Invariant: the answer's key is in (low, high]; `upper` itself is nearer to `upper`.
        var low = SortedValues.key(lower)
        var high = SortedValues.key(upper)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if nearerToUpper(SortedValues.value(middle)) { high = middle } else { low = middle }
        }
        return SortedValues.value(high)
    }

    /// The index among the distinct centroids that `value` is nearest to.
    @inline(__always)
    func distinctIndex(of value: Float, thresholds table: UnsafeBufferPointer<Float>) -> Int {
        var index = 0
        var step = (table.count + 1) >> 1
        while step > 0 {
            if table[index + step - 1] <= value { index += step }
            step >>= 1
        }
        return index
    }

    /// Distinct centroids up to which ``assign(_:to:)`` counts thresholds with SIMD compares instead of a search.
    static let vectorCountLimit = 64

    /// Writes the nearest-centroid index of every value to `indices`, in parallel ranges.
    ///
    /// With up to ``vectorCountLimit`` distinct centroids, 16 values at a time count the thresholds they reach
    /// (one SIMD compare per threshold); with more, each value runs the branchless binary search.
    /// - Complexity: O(n × min(k, 64) / 16) or O(n log k).
    func assign(_ values: UnsafeBufferPointer<Float>, to indices: UnsafeMutableBufferPointer<UInt8>) {
        precondition(indices.count == values.count)
        let identity = firstIndices.enumerated().allSatisfy { Int($0.element) == $0.offset }
        let vectorised = distinctCentroids.count <= Self.vectorCountLimit
        let used = distinctCentroids.count - 1
        thresholds.withUnsafeBufferPointer { table in
            firstIndices.withUnsafeBufferPointer { first in
                nonisolated(unsafe) let input = values
                nonisolated(unsafe) let output = indices
                nonisolated(unsafe) let table = table
                nonisolated(unsafe) let first = first
                let ranges = ParallelChunks.ranges(count: values.count, minimumLength: 1 << 16, alignment: 16)
                ParallelChunks.run(ranges) { _, range in
                    var position = range.lowerBound
                    if vectorised {
                        let raw = UnsafeRawPointer(input.baseAddress!)
                        while position + 16 <= range.upperBound {
                            // v ≥ t exactly when v − t is not negative (IEEE subtraction of distinct finite
                            // values is never zero), with −0 turned to +0 first: add the sign bits of v − t as −1.
                            let vector = raw.loadUnaligned(fromByteOffset: 4 * position, as: SIMD16<Float>.self) + 0
                            var reached = SIMD16<Int32>(repeating: Int32(used))
                            for index in 0..<used {
                                let difference = vector - SIMD16(repeating: table[index])
                                reached &+= unsafeBitCast(difference, to: SIMD16<Int32>.self) &>> 31
                            }
                            if identity {
                                UnsafeMutableRawPointer(output.baseAddress! + position).storeBytes(
                                    of: SIMD16<UInt8>(truncatingIfNeeded: reached), as: SIMD16<UInt8>.self)
                            } else {
                                for lane in 0..<16 { output[position + lane] = first[Int(reached[lane])] }
                            }
                            position += 16
                        }
                    }
                    while position < range.upperBound {
                        output[position] = first[distinctIndex(of: input[position], thresholds: table)]
                        position += 1
                    }
                }
            }
        }
    }
}
