/// One magnitude threshold for many tensors (global pruning), computed exactly in two streaming passes.
///
/// Rule: for a sparsity `s` over `N` finite values, `m = round(s × N)` (halves away from zero) and the
/// threshold `T` is the magnitude of rank `m` (0-based) in ascending order of `|w|`, i.e. `sorted(|w|)[m]`;
/// when `m == N`, `T` is the next Float32 above the largest magnitude; when `N == 0`, `T = 0`. Pruning with a
/// threshold removes `|w| < T` and keeps `|w| ≥ T`, so exactly `m` values are pruned when `sorted(|w|)[m − 1] <
/// sorted(|w|)[m]`, and fewer when magnitudes tie at `T` (ties are all kept). NaN and infinite values are not
/// ranked (they are counted in ``MagnitudeHistogram/nonFiniteCount``; the pruning stage refuses them).
public enum MagnitudeThreshold {
    /// The global threshold for `sparsity` (`0 ≤ s < 1`, clamped) over all values of `tensors`.
    /// - Complexity: O(total values), two passes; 0.5 MiB of histograms.
    public static func threshold(forSparsity sparsity: Double, magnitudesOf tensors: [[Float]]) -> Float {
        var histogram = MagnitudeHistogram()
        for tensor in tensors { histogram.add(tensor) }
        var refinement = histogram.refinement(forSparsity: sparsity)
        if refinement.needsSecondPass {
            for tensor in tensors { refinement.add(tensor) }
        }
        return refinement.threshold
    }
}

/// The first pass of ``MagnitudeThreshold``: counts of finite magnitudes by the top 15 bits of `|w|`'s bit
/// pattern (sign cleared), so 32,768 buckets each spanning 1/128 of a binade. Feed every tensor with ``add(_:)``
/// (in any order, or in several histograms joined with ``merge(_:)``), then call ``refinement(forSparsity:)``.
public struct MagnitudeHistogram: Sendable, Equatable {
    /// Count per bucket `(|w|.bitPattern & 0x7FFF_FFFF) >> 16`.
    private var buckets = [Int](repeating: 0, count: 1 << 15)
    /// The largest finite magnitude's bits seen.
    private var largestKey: UInt32 = 0
    /// Finite values counted.
    public private(set) var count = 0
    /// NaN and infinite values seen and left out.
    public private(set) var nonFiniteCount = 0

    /// An empty histogram.
    public init() {}

    /// Counts `values`. - Complexity: O(n).
    public mutating func add(_ values: [Float]) {
        values.withUnsafeBufferPointer { add($0) }
    }

    /// Counts `values`. - Complexity: O(n).
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        var skipped = 0
        var largest = largestKey
        buckets.withUnsafeMutableBufferPointer { tallies in
            for value in values {
                let key = value.bitPattern & 0x7FFF_FFFF
                guard key < 0x7F80_0000 else {
                    skipped += 1
                    continue
                }
                tallies[Int(key >> 16)] += 1
                largest = max(largest, key)
            }
        }
        largestKey = largest
        nonFiniteCount += skipped
        count += values.count - skipped
    }

    /// Adds the counts of `other` (histograms of disjoint parts computed concurrently).
    public mutating func merge(_ other: MagnitudeHistogram) {
        for index in buckets.indices { buckets[index] += other.buckets[index] }
        largestKey = max(largestKey, other.largestKey)
        count += other.count
        nonFiniteCount += other.nonFiniteCount
    }

    /// The second pass for `sparsity` (clamped to `0...1`): which bucket holds the rank `m` magnitude.
    public func refinement(forSparsity sparsity: Double) -> MagnitudeRefinement {
        let clamped = sparsity.isNaN ? 0 : min(max(sparsity, 0), 1)
        return refinement(rank: min(count, Int((clamped * Double(count)).rounded())))
    }

    /// The second pass that finds the magnitude of ascending rank `rank` (0-based; `count` gives the next
    /// Float32 above the largest).
    func refinement(rank: Int) -> MagnitudeRefinement {
        guard rank < count else {
            let threshold = count == 0 ? 0 : Float(bitPattern: largestKey).nextUp
            return MagnitudeRefinement(bucket: nil, rankInBucket: 0, resolved: threshold)
        }
        var before = 0
        for (bucket, tally) in buckets.enumerated() {
            if before + tally > rank {
                return MagnitudeRefinement(bucket: UInt32(bucket), rankInBucket: rank - before, resolved: nil)
            }
            before += tally
        }
        preconditionFailure("the bucket counts sum to \(count)")
    }
}

/// The second pass of ``MagnitudeThreshold``: counts the low 16 bits of the magnitudes in one bucket. Feed it
/// the same values as the histogram (when ``needsSecondPass``), then read ``threshold``.
public struct MagnitudeRefinement: Sendable, Equatable {
    /// The bucket holding the rank, or `nil` when the threshold is known without a second pass.
    private let bucket: UInt32?
    /// The rank within that bucket, 0-based.
    private let rankInBucket: Int
    /// The threshold when known without a second pass.
    private let resolved: Float?
    /// Counts of the low 16 bits within the bucket.
    private var lowCounts: [Int]

    init(bucket: UInt32?, rankInBucket: Int, resolved: Float?) {
        self.bucket = bucket
        self.rankInBucket = rankInBucket
        self.resolved = resolved
        lowCounts = bucket == nil ? [] : [Int](repeating: 0, count: 1 << 16)
    }

    /// True when ``add(_:)`` must see the values again before ``threshold`` is exact.
    public var needsSecondPass: Bool { bucket != nil }

    /// Counts the magnitudes of `values` that fall in the bucket. - Complexity: O(n).
    public mutating func add(_ values: [Float]) {
        values.withUnsafeBufferPointer { add($0) }
    }

    /// Counts the magnitudes of `values` that fall in the bucket. - Complexity: O(n).
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        guard let bucket else { return }
        lowCounts.withUnsafeMutableBufferPointer { tallies in
            for value in values {
                let key = value.bitPattern & 0x7FFF_FFFF
                if key >> 16 == bucket { tallies[Int(key & 0xFFFF)] += 1 }
            }
        }
    }

    /// Adds the counts of `other`, made from the same histogram.
    public mutating func merge(_ other: MagnitudeRefinement) {
        for index in lowCounts.indices where index < other.lowCounts.count {
            lowCounts[index] += other.lowCounts[index]
        }
    }

    /// The threshold `T`: prune `|w| < T`, keep `|w| ≥ T`. Exact after the second pass saw every value.
    public var threshold: Float {
        if let resolved { return resolved }
        guard let bucket else { return 0 }
        var before = 0
        for (low, tally) in lowCounts.enumerated() {
            if before + tally > rankInBucket { return Float(bitPattern: bucket << 16 | UInt32(low)) }
            before += tally
        }
        return Float(bitPattern: bucket << 16 | 0xFFFF).nextUp  // the second pass missed values
    }
}
