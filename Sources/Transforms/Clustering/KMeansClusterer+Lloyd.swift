/// The centroids during Lloyd iterations, ascending, with the pinned zero (if any) marked.
struct LloydState {
    /// Ascending centroids.
    private(set) var centroids: [Float]
    /// `pinned[j]` is true for the centroid fixed at 0.0.
    private var pinned: [Bool]

    /// Starts from `free` centroids plus a pinned 0.0 when `pinnedZero`.
    init(centroids free: [Float], pinnedZero: Bool) {
        var pairs = free.map { ($0, false) }
        if pinnedZero { pairs.append((0, true)) }
        // Ascending; at an equal value the pinned zero comes first, so it owns the exact zeros.
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 && !$1.1) }
        centroids = pairs.map(\.0)
        pinned = pairs.map(\.1)
    }

    /// Cluster `j` is the sorted positions `bounds[j]..<bounds[j + 1]`: the values nearest to centroid `j`
    /// (ties to the lower index; a centroid equal to an earlier one gets an empty run). `k + 1` entries.
    func clusterBounds(_ sorted: SortedValues) -> [Int] {
        let lookup = NearestCentroidLookup(ascending: centroids)
        let groups = lookup.distinctCentroids.count
        var groupStarts = [0]
        for group in 1..<max(1, groups) {
            groupStarts.append(sorted.firstIndex(notBelow: lookup.thresholds[group - 1]))
        }
        groupStarts.append(sorted.count)
        var bounds = [Int](repeating: 0, count: centroids.count + 1)
        var group = 0
        for index in centroids.indices {
            if group < groups, Int(lookup.firstIndices[group]) == index {
                bounds[index] = groupStarts[group]
                group += 1
            } else {
                bounds[index] = groupStarts[group]
            }
        }
        bounds[centroids.count] = sorted.count
        return bounds
    }

    /// Moves every free centroid to the mean of its cluster and re-seeds empty ones.
    /// - Returns: true when an empty cluster was re-seeded (the assignment then changes).
    mutating func update(_ sorted: SortedValues, bounds: [Int]) -> Bool {
        var empty: [Int] = []
        for index in centroids.indices where !pinned[index] {
            let run = bounds[index]..<bounds[index + 1]
            if run.isEmpty { empty.append(index) } else { centroids[index] = Self.mean(sorted, run) }
        }
        guard !empty.isEmpty else { return false }
        let reseeded = reseed(empty, sorted: sorted, bounds: bounds)
        if reseeded {
            var pairs = Array(zip(centroids, pinned))
            pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 && !$1.1) }
            centroids = pairs.map(\.0)
            pinned = pairs.map(\.1)
        }
        return reseeded
    }

    /// Splits the free clusters of largest squared error to give each of `empty` a run of values.
    private mutating func reseed(_ empty: [Int], sorted: SortedValues, bounds: [Int]) -> Bool {
        var runs = centroids.indices.map { bounds[$0]..<bounds[$0 + 1] }
        var errors = runs.indices.map { pinned[$0] ? 0 : Self.squaredError(sorted, runs[$0]) }
        var changed = false
        for target in empty {
            guard
                let widest = errors.indices.max(by: { errors[$0] < errors[$1] || (errors[$0] == errors[$1] && $0 > $1) }
                ),
                errors[widest] > 0
            else { break }
            let run = runs[widest]
            let split = Self.splitPoint(sorted, run)
            runs[widest] = run.lowerBound..<split
            runs[target] = split..<run.upperBound
            centroids[widest] = Self.mean(sorted, runs[widest])
            centroids[target] = Self.mean(sorted, runs[target])
            errors[widest] = Self.squaredError(sorted, runs[widest])
            errors[target] = Self.squaredError(sorted, runs[target])
            changed = true
        }
        return changed
    }

    /// A split of `run` (which holds at least two distinct values) at its mean, both parts non-empty.
    private static func splitPoint(_ sorted: SortedValues, _ run: Range<Int>) -> Int {
        var split = sorted.firstIndex(notBelow: mean(sorted, run))
        split = min(max(split, run.lowerBound), run.upperBound)
        if split == run.lowerBound {
            split = sorted.firstIndex(notBelow: sorted.value(at: run.lowerBound).nextUp)
        } else if split == run.upperBound {
            split = sorted.firstIndex(notBelow: sorted.value(at: run.upperBound - 1))
        }
        return split
    }

    /// The mean of a non-empty run, rounded to Float32.
    static func mean(_ sorted: SortedValues, _ run: Range<Int>) -> Float {
        Float(sorted.sum(run) / Double(run.count))
    }

    /// The sum of squared deviations from the mean, in Float64; 0 for an empty run.
    private static func squaredError(_ sorted: SortedValues, _ run: Range<Int>) -> Double {
        guard !run.isEmpty else { return 0 }
        let center = sorted.sum(run) / Double(run.count)
        return sorted.keys.withUnsafeBufferPointer { keys in
            var total = 0.0
            for position in run {
                let deviation = Double(SortedValues.value(keys[position])) - center
                total += deviation * deviation
            }
            return total
        }
    }
}
