/// Which elements survive pruning, as a bitmap and the surviving values, with what a relative index of each
/// gap width would cost.
struct PrunedSelection {
    /// How elements are chosen for pruning.
    enum Rule {
        /// Prune `|w| < T`.
        case threshold(Float)
        /// Prune exactly `count` elements: every `|w|` below `largestPruned`, then elements with `|w|` equal to it
        /// in index order until `count` are pruned.
        case count(Int, largestPruned: Float)
    }

    /// Bit `i % 8` of byte `i / 8` is set when element `i` survives; `⌈n / 8⌉` bytes.
    private(set) var bitmap: [UInt8]
    /// The surviving values in index order.
    private(set) var survivors: [Float] = []
    /// `fillers[w]`: filler entries a relative index of gap width `w` needs (`w` in `1...8`; index 0 unused).
    private(set) var fillers = [Int](repeating: 0, count: 9)
    /// The element count.
    let count: Int

    /// Applies `rule` to finite `values`.
    /// - Complexity: O(n), one pass (two for `.count`).
    init(_ values: UnsafeBufferPointer<Float>, rule: Rule) {
        count = values.count
        bitmap = [UInt8](repeating: 0, count: (values.count + 7) / 8)
        let limit: UInt32
        var tiesToPrune = 0
        switch rule {
        case .threshold(let threshold):
            limit = threshold.bitPattern & 0x7FFF_FFFF
        case .count(let target, let largestPruned):
            limit = largestPruned.bitPattern & 0x7FFF_FFFF
            var below = 0
            for value in values where value.bitPattern & 0x7FFF_FFFF < limit { below += 1 }
            tiesToPrune = target - below
        }
        var previous = -1
        var fillers = fillers
        var survivors: [Float] = []
        bitmap.withUnsafeMutableBufferPointer { bits in
            for position in 0..<values.count {
                let value = values[position]
                let magnitude = value.bitPattern & 0x7FFF_FFFF
                if magnitude < limit { continue }
                if magnitude == limit, tiesToPrune > 0 {
                    tiesToPrune -= 1
                    continue
                }
                bits[position >> 3] |= 1 << UInt8(position & 7)
                survivors.append(value)
                let gap = position - previous - 1
                for width in 1...8 { fillers[width] += gap >> width }
                previous = position
            }
        }
        self.fillers = fillers
        self.survivors = survivors
    }

    /// The gap width (`1...8`) whose relative index plus Float32 survivors (fillers included) take the fewest
    /// bytes, the smallest on a tie, and that byte count.
    func bestGapWidth() -> (gapBits: Int, byteCount: Int) {
        var best = (gapBits: 8, byteCount: Int.max)
        for width in 1...8 {
            let entries = survivors.count + fillers[width]
            let bytes = (entries * width + 7) / 8 + 4 * entries
            if bytes < best.byteCount { best = (width, bytes) }
        }
        return best
    }

    /// The relative index of gap width `gapBits`: one field per entry, and the entries' values (filler zeros
    /// included).
    func relativeIndex(gapBits: Int) -> (fields: [UInt8], values: [Float]) {
        let entries = survivors.count + fillers[gapBits]
        var fields: [UInt8] = []
        var values: [Float] = []
        fields.reserveCapacity(entries)
        values.reserveCapacity(entries)
        let largestGap = (1 << gapBits) - 1
        var previous = -1
        var next = 0
        for byteIndex in bitmap.indices where bitmap[byteIndex] != 0 {
            var byte = bitmap[byteIndex]
            while byte != 0 {
                let position = byteIndex * 8 + byte.trailingZeroBitCount
                byte &= byte - 1
                var gap = position - previous - 1
                while gap > largestGap {
                    fields.append(UInt8(largestGap))
                    values.append(0)
                    gap -= largestGap + 1
                }
                fields.append(UInt8(gap))
                values.append(survivors[next])
                next += 1
                previous = position
            }
        }
        return (fields, values)
    }
}
