import Foundation

/// Chooses one rate-distortion point per tensor under a budget.
///
/// Method: the Lagrangian sweep of Shoham and Gersho ("Efficient bit allocation for an arbitrary set of
/// quantizers", IEEE Trans. ASSP 36(9), 1988). For a multiplier λ, each tensor independently takes the point that
/// minimises D + λ·R (R: stored bytes; D: its weighted error w_t·ε²); total R falls and total D rises as λ grows,
/// so a bisection on λ finds the allocation that just meets a size budget (or, minimising R + μ·D, an error
/// budget). The result lies on each tensor's lower convex hull; points inside the hull are never chosen, which
/// leaves at most one hull step of budget unused.
struct BitAllocation {
    /// One tensor's measured points and the weight of its error.
    struct Item {
        var points: [RateDistortionPoint]
        /// w_t: element count (size weighting), 1 (uniform) or β_t (sensitivity).
        var weight: Double
        func distortion(_ point: RateDistortionPoint) -> Double { weight * point.relativeNoise }
    }

    /// Per tensor, the cheapest point with SNR ≥ `decibels` (bit-exact points always qualify).
    /// - Returns: the chosen point index per item, or `nil` for an item with no qualifying point.
    static func cheapest(_ items: [Item], minimumSNR decibels: Double) -> [Int?] {
        items.map { item in
            item.points.indices.filter { item.points[$0].snrDecibels >= decibels }
                .min { item.points[$0].storedBytes < item.points[$1].storedBytes }
        }
    }

    /// For a multiplier λ, each item's point minimising D + λ·R (ties: fewer bytes).
    static func choose(_ items: [Item], lambda: Double) -> [Int] {
        items.map { item in
            var best = 0
            var bestCost = Double.infinity
            for (index, point) in item.points.enumerated() {
                let cost = item.distortion(point) + lambda * Double(point.storedBytes)
                if cost < bestCost || (cost == bestCost && point.storedBytes < item.points[best].storedBytes) {
                    best = index
                    bestCost = cost
                }
            }
            return best
        }
    }

    static func totalBytes(_ items: [Item], _ choice: [Int]) -> Int {
        zip(items, choice).reduce(0) { $0 + $1.0.points[$1.1].storedBytes }
    }

    static func totalDistortion(_ items: [Item], _ choice: [Int]) -> Double {
        zip(items, choice).reduce(0) { $0 + $1.0.distortion($1.0.points[$1.1]) }
    }

    /// The least total distortion whose total bytes are at most `byteBudget`.
    /// - Returns: the choice, or `nil` when even the smallest point of every item exceeds the budget.
    static func minimumDistortion(_ items: [Item], byteBudget: Int) -> [Int]? {
        let smallest = items.map { item in
            item.points.indices.min { item.points[$0].storedBytes < item.points[$1].storedBytes }!
        }
        guard totalBytes(items, smallest) <= byteBudget else { return nil }
        if totalBytes(items, choose(items, lambda: 0)) <= byteBudget { return choose(items, lambda: 0) }
        // Bisection in log λ between a λ that is too small (over budget) and one large enough.
        var low = 1e-30
        var high = 1.0
        while totalBytes(items, choose(items, lambda: high)) > byteBudget, high < 1e30 { high *= 16 }
        guard totalBytes(items, choose(items, lambda: high)) <= byteBudget else { return smallest }
        for _ in 0..<200 {
            let middle = (low * high).squareRoot()
            if totalBytes(items, choose(items, lambda: middle)) <= byteBudget { high = middle } else { low = middle }
            if high / low < 1 + 1e-12 { break }
        }
        return choose(items, lambda: high)
    }

    /// The fewest total bytes whose total distortion is at most `distortionBudget`.
    /// - Returns: the choice, or `nil` when even the least-distortion point of every item exceeds the budget.
    static func minimumBytes(_ items: [Item], distortionBudget: Double) -> [Int]? {
        // Minimising R + μ·D is minimising D + (1/μ)·R: sweep λ = 1/μ downwards until the distortion fits.
        let best = choose(items, lambda: 0)
        guard totalDistortion(items, best) <= distortionBudget else { return nil }
        var low = 1e-30
        var high = 1.0
        while totalDistortion(items, choose(items, lambda: high)) <= distortionBudget, high < 1e30 { high *= 16 }
        if totalDistortion(items, choose(items, lambda: high)) <= distortionBudget {
            return choose(items, lambda: high)
        }
        for _ in 0..<200 {
            let middle = (low * high).squareRoot()
            if totalDistortion(items, choose(items, lambda: middle)) <= distortionBudget {
                low = middle
            } else {
                high = middle
            }
            if high / low < 1 + 1e-12 { break }
        }
        return choose(items, lambda: low)
    }
}
