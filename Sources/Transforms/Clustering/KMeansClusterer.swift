/// One-dimensional k-means (Lloyd's algorithm) over every value of a tensor, exact and deterministic.
///
/// The values are sorted once (``SortedValues``: radix sort plus Float64 prefix sums). Because clusters of
/// ascending 1-D centroids are contiguous runs of the sorted values, an iteration only finds the `k − 1`
/// decision thresholds (``NearestCentroidLookup``) by binary search and takes each new centroid as a difference
/// of prefix sums over its run: O(k log n) per iteration after the O(n) sort. Assignments follow the nearest
/// centroid, ties to the lower index, exactly as a brute-force Lloyd iteration would. Iteration stops when the
/// assignment no longer changes (converged) or after `maxIterations` updates.
///
/// - Exact zeros: with `pinningZero` and at least one value equal to ±0, one centroid is fixed at 0.0 and never
///   moves, so exact zeros (e.g. pruned weights) decode as exactly 0; the other `k − 1` centroids are
///   initialised from the non-zero values.
/// - Few distinct values: when the values take at most `k` distinct values, those are the centroids (padded with
///   the largest value), with no iteration and no error.
/// - Empty clusters: a free centroid left with no values is moved to split the free cluster of largest squared
///   error (ties: lowest index) at its mean; the split cluster keeps the mean of its lower part and the moved
///   centroid takes the mean of its upper part. When no free cluster has any spread, the centroid stays unused.
///
/// Source: Han, Mao & Dally, "Deep Compression", ICLR 2016, §3 (weight sharing by k-means; linear, density and
/// random initialisation, linear recommended); k-means++ seeding: Arthur & Vassilvitskii, SODA 2007.
public struct KMeansClusterer: Sendable {
    /// How the centroids start.
    public enum Initialization: String, Sendable, CaseIterable {
        /// Evenly spaced between the smallest and largest value: `cⱼ = min + (max − min) × j / (k − 1)`
        /// (the midpoint when only one centroid is free). The paper's recommendation.
        case linear
        /// Evenly spaced quantiles: `cⱼ` is the value of rank `⌊(j + ½) × n / k⌋` in ascending order.
        case density
        /// k-means++ D² seeding on 4,096 evenly spaced quantiles of the values (all of them when fewer), drawn
        /// with SplitMix64 seeded by ``KMeansClusterer/seed``; the pinned zero counts as already chosen.
        case kmeansPlusPlus = "kmeans++"
    }

    /// The result of clustering.
    public struct Result: Sendable, Equatable {
        /// `k` centroids, ascending; duplicates only when the values have fewer than `k` distinct values or a
        /// centroid was left unused.
        public var centroids: [Float]
        /// Lloyd updates performed (0 when the distinct values became the centroids).
        public var iterations: Int
        /// True when the assignment stopped changing within `maxIterations` updates.
        public var converged: Bool
        /// True when one centroid was fixed at exactly 0.0 because the values hold an exact zero.
        public var hasPinnedZero: Bool
    }

    /// The number of centroids, `1...256`.
    public var k: Int
    /// How the centroids start.
    public var initialization: Initialization
    /// The maximum number of Lloyd updates.
    public var maxIterations: Int
    /// The seed of k-means++ seeding (unused by the other initialisations).
    public var seed: UInt64

    /// Creates a clusterer; `k` must be in `1...256` and `maxIterations` non-negative (caller bugs otherwise).
    public init(k: Int, initialization: Initialization = .linear, maxIterations: Int = 30, seed: UInt64 = 0) {
        precondition((1...256).contains(k), "k must be in 1...256, found \(k)")
        precondition(maxIterations >= 0, "maxIterations must be non-negative")
        self.k = k
        self.initialization = initialization
        self.maxIterations = maxIterations
        self.seed = seed
    }

    /// Clusters finite `values` (a precondition: callers check for NaN and infinity first).
    /// - Parameters:
    ///   - values: any number of finite Float32 values; empty gives `k` zero centroids.
    ///   - pinningZero: fix one centroid at 0.0 when any value is ±0.
    /// - Complexity: O(n) sort and prefix sums, split across cores; then O(k log n) per iteration (O(n) more in an
    ///   iteration that re-seeds an empty cluster); deterministic for any core count.
    public func cluster(_ values: [Float], pinningZero: Bool = true) -> Result {
        precondition(values.allSatisfy(\.isFinite), "values must be finite")
        let sorted = values.withUnsafeBufferPointer { SortedValues($0) }
        return cluster(sorted, pinningZero: pinningZero)
    }

    /// Clusters values already sorted.
    func cluster(_ sorted: SortedValues, pinningZero: Bool) -> Result {
        guard sorted.count > 0 else {
            return Result(
                centroids: [Float](repeating: 0, count: k), iterations: 0, converged: true, hasPinnedZero: false)
        }
        let zeroStart = sorted.firstIndex(notBelow: 0)
        let zeroEnd = sorted.firstIndex(notBelow: Float.leastNonzeroMagnitude)
        let pinned = pinningZero && zeroEnd > zeroStart
        if let distinct = distinctValues(sorted, atMost: k) {
            let padded = distinct + [Float](repeating: distinct.last!, count: k - distinct.count)
            return Result(centroids: padded, iterations: 0, converged: true, hasPinnedZero: pinned)
        }
        let free = FreeValues(sorted: sorted, excluding: pinned ? zeroStart..<zeroEnd : 0..<0)
        var state = LloydState(
            centroids: initialCentroids(free, count: pinned ? k - 1 : k, pinnedZero: pinned), pinnedZero: pinned)
        var previousBounds: [Int] = []
        var iterations = 0
        var converged = false
        while true {
            let bounds = state.clusterBounds(sorted)
            if bounds == previousBounds {
                converged = true
                break
            }
            guard iterations < maxIterations else { break }
            let reseeded = state.update(sorted, bounds: bounds)
            iterations += 1
            previousBounds = reseeded ? [] : bounds
        }
        return Result(centroids: state.centroids, iterations: iterations, converged: converged, hasPinnedZero: pinned)
    }

    /// The distinct values ascending, or `nil` when there are more than `limit`.
    private func distinctValues(_ sorted: SortedValues, atMost limit: Int) -> [Float]? {
        var distinct: [Float] = []
        var start = 0
        while start < sorted.count {
            guard distinct.count < limit else { return nil }
            let value = sorted.value(at: start)
            distinct.append(value)
            start = value == .greatestFiniteMagnitude ? sorted.count : sorted.firstIndex(notBelow: value.nextUp)
        }
        return distinct
    }
}

/// The values that free centroids are initialised from: the sorted values without the run of exact zeros
/// when a centroid is pinned at zero.
struct FreeValues {
    let sorted: SortedValues
    let excluded: Range<Int>

    init(sorted: SortedValues, excluding excluded: Range<Int>) {
        self.sorted = sorted
        self.excluded = excluded
    }

    /// The number of free values.
    var count: Int { sorted.count - excluded.count }

    /// The free value of ascending rank `rank`.
    func value(rank: Int) -> Float {
        sorted.value(at: rank < excluded.lowerBound ? rank : rank + excluded.count)
    }
}
