/// Optimal length-limited code lengths by package-merge, and canonical codes from lengths.
enum HuffmanCodeLengths {
    /// The code length of each symbol for `counts`, at most `limit` bits, minimising `Σ count × length`.
    ///
    /// Package-merge (Larmore & Hirschberg, "A fast algorithm for optimal length-limited Huffman codes",
    /// JACM 1990): `limit` rounds of pairing the cheapest items into packages and merging them with the
    /// leaves; the first `2n - 2` items of the last round give each leaf its length (the number of rounds in
    /// which it is among the items taken). Symbols with count 0 still get a code (the caller only passes
    /// symbols it codes). One symbol gets length 0; none gives `[]`.
    /// - Precondition: `counts.count <= 1 << limit`.
    /// - Complexity: O(n × limit) time and memory, n = `counts.count`.
    static func lengths(counts: [UInt64], limit: Int) -> [UInt8] {
        let n = counts.count
        precondition(n <= 1 << limit, "\(n) symbols do not fit codes of \(limit) bits")
        if n <= 1 { return [UInt8](repeating: 0, count: n) }
        // Leaves sorted by count, ties by symbol, so the result is deterministic.
        let order = sortedByCountThenSymbol(counts)
        let leaves = order.map { max(counts[$0], 1) }
        // Item i of level l's merged list (at most 2n - 1 items) is a leaf when isLeaf[l * levelCapacity + i].
        let levelCapacity = 2 * n
        var isLeaf = [Bool](repeating: true, count: limit * levelCapacity)
        // Two lists of 2n items, alternating as the previous level and the one being merged.
        var lists = [UInt64](repeating: 0, count: 2 * levelCapacity)
        for (index, leaf) in leaves.enumerated() { lists[index] = leaf }
        var currentCount = n
        lists.withUnsafeMutableBufferPointer { lists in
            isLeaf.withUnsafeMutableBufferPointer { isLeaf in
                leaves.withUnsafeBufferPointer { leaves in
                    for level in 1..<limit {
                        let current = lists.baseAddress! + ((level - 1) % 2) * levelCapacity
                        let merged = lists.baseAddress! + (level % 2) * levelCapacity
                        let packageCount = currentCount / 2
                        var leafIndex = 0
                        var packageIndex = 0
                        var mergedCount = 0
                        while leafIndex < n || packageIndex < packageCount {
                            let package =
                                packageIndex < packageCount
                                ? current[2 &* packageIndex] &+ current[2 &* packageIndex &+ 1] : 0
                            // A leaf wins ties: it keeps the code shallower at no cost.
                            if packageIndex == packageCount || (leafIndex < n && leaves[leafIndex] <= package) {
                                merged[mergedCount] = leaves[leafIndex]
                                leafIndex &+= 1
                            } else {
                                merged[mergedCount] = package
                                isLeaf[level &* levelCapacity &+ mergedCount] = false
                                packageIndex &+= 1
                            }
                            mergedCount &+= 1
                        }
                        currentCount = mergedCount
                    }
                }
            }
        }
        var lengthsInOrder = [UInt8](repeating: 0, count: n)
        var taken = 2 * n - 2
        for level in stride(from: limit - 1, through: 0, by: -1) {
            var leafCount = 0
            for i in 0..<taken where isLeaf[level * levelCapacity + i] { leafCount += 1 }
            for i in 0..<leafCount { lengthsInOrder[i] += 1 }
            taken = 2 * (taken - leafCount)
            if taken == 0 { break }
        }
        var lengths = [UInt8](repeating: 0, count: n)
        for (rank, symbol) in order.enumerated() { lengths[symbol] = lengthsInOrder[rank] }
        return lengths
    }

    /// Symbol indices ordered by count, then by index: one sort of packed `count << 20 | index` keys when every
    /// count fits 44 bits and there are at most 2^20 symbols (always, for chunk and frame histograms of streams
    /// under 2^44 symbols), else a comparison sort giving the same order.
    static func sortedByCountThenSymbol(_ counts: [UInt64]) -> [Int] {
        let indexBits: UInt64 = 20
        guard counts.count <= 1 << indexBits, counts.allSatisfy({ $0 < 1 << (64 - indexBits) }) else {
            return (0..<counts.count).sorted { counts[$0] != counts[$1] ? counts[$0] < counts[$1] : $0 < $1 }
        }
        var keys = counts.enumerated().map { $0.element << indexBits | UInt64($0.offset) }
        keys.sort()
        return keys.map { Int($0 & ((1 << indexBits) - 1)) }
    }

    /// Canonical codes for `lengths` (RFC 1951 §3.2.2), each bit-reversed for LSB-first writing.
    ///
    /// Symbols of length 0 get code 0. `lengths` must satisfy Kraft's inequality.
    /// - Complexity: O(n + limit).
    static func reversedCanonicalCodes(lengths: [UInt8], limit: Int) -> [UInt32] {
        var lengthCounts = [Int](repeating: 0, count: limit + 1)
        for length in lengths where length > 0 { lengthCounts[Int(length)] += 1 }
        var nextCode = [UInt32](repeating: 0, count: limit + 2)
        var code: UInt32 = 0
        for length in 1...limit {
            code = (code + UInt32(lengthCounts[length - 1])) << 1
            nextCode[length] = code
        }
        var codes = [UInt32](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            codes[symbol] = reversed(nextCode[Int(length)], bitCount: Int(length))
            nextCode[Int(length)] += 1
        }
        return codes
    }

    /// The low `bitCount` bits of `code` in reverse order.
    @inline(__always)
    static func reversed(_ code: UInt32, bitCount: Int) -> UInt32 {
        code.bitSwapped &>> UInt32(32 - bitCount)
    }

    /// Kraft's sum `Σ 2^(limit - length)` over symbols with a nonzero length; a complete code gives `2^limit`.
    static func kraftSum(lengths: [UInt8], limit: Int) -> Int {
        lengths.reduce(0) { $0 + ($1 == 0 ? 0 : 1 << (limit - Int($1))) }
    }
}

extension UInt32 {
    /// The bits in reverse order.
    @inline(__always)
    fileprivate var bitSwapped: UInt32 {
        var v = self
        v = ((v >> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F) | ((v & 0x0F0F_0F0F) << 4)
        v = ((v >> 8) & 0x00FF_00FF) | ((v & 0x00FF_00FF) << 8)
        return (v >> 16) | (v << 16)
    }
}
