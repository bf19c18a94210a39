extension KMeansClusterer {
    /// The sample size of k-means++ seeding.
    static let seedingSampleSize = 4_096

    /// `count` initial free centroids from `free` (non-empty), by ``initialization``.
    func initialCentroids(_ free: FreeValues, count: Int, pinnedZero: Bool) -> [Float] {
        guard count > 0 else { return [] }
        let n = free.count
        switch initialization {
        case .linear:
            let low = Double(free.value(rank: 0))
            let high = Double(free.value(rank: n - 1))
            guard count > 1 else { return [Float((low + high) / 2)] }
            return (0..<count).map { Float(low + (high - low) * Double($0) / Double(count - 1)) }
        case .density:
            return (0..<count).map { free.value(rank: min(n - 1, Int((Double($0) + 0.5) * Double(n) / Double(count)))) }
        case .kmeansPlusPlus:
            let size = min(n, Self.seedingSampleSize)
            let sample = (0..<size).map {
                free.value(rank: min(n - 1, Int((Double($0) + 0.5) * Double(n) / Double(size))))
            }
            return plusPlusSeeds(sample, count: count, pinnedZero: pinnedZero)
        }
    }

    /// k-means++ D² seeding of `count` centroids among `sample`.
    private func plusPlusSeeds(_ sample: [Float], count: Int, pinnedZero: Bool) -> [Float] {
        var generator = SeedingGenerator(seed: seed)
        var distances = [Double](repeating: .infinity, count: sample.count)
        var chosen: [Float] = []
        func include(_ centroid: Float) {
            for index in sample.indices {
                let deviation = Double(sample[index]) - Double(centroid)
                distances[index] = min(distances[index], deviation * deviation)
            }
        }
        if pinnedZero { include(0) }
        while chosen.count < count {
            let total = chosen.isEmpty && !pinnedZero ? Double(sample.count) : distances.reduce(0, +)
            var pick = sample.count - 1
            if total > 0 {
                var target = generator.unitInterval() * total
                for index in sample.indices {
                    let weight = chosen.isEmpty && !pinnedZero ? 1 : distances[index]
                    if target < weight {
                        pick = index
                        break
                    }
                    target -= weight
                }
            } else {
                pick = generator.index(below: sample.count)
            }
            chosen.append(sample[pick])
            include(sample[pick])
        }
        return chosen
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), the deterministic generator of k-means++ seeding.
private struct SeedingGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float64 in `[0, 1)` from the top 53 bits.
    mutating func unitInterval() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform-enough index in `0..<bound` (`bound > 0`).
    mutating func index(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
