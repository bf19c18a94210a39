/// The encoder's choices for one frame: the shared table, and for each chunk the table that codes it in the
/// fewest frame bytes, its own or the shared one.
///
/// Every size is exact (counted from histograms and code lengths), so ``HuffmanCodec/encodedByteCount(of:)``
/// needs no coding pass. Deterministic: chunks are planned independently and combined in order.
struct HuffmanFramePlan {
    /// One chunk's symbols and table.
    struct Chunk {
        /// The chunk's symbols, as indices into the stream.
        var symbols: Range<Int>
        /// The chunk's own table, or `nil` when the shared table codes it.
        var ownAlphabet: HuffmanAlphabet?
        /// The own table as the frame records it; empty for the shared table.
        var ownTable: [UInt8]
        /// Bits of the chunk's codes and escape bits.
        var bitCount: Int
        /// Bytes of the chunk's codes, the last zero-padded.
        var byteCount: Int { (bitCount + 7) / 8 }
    }

    /// The frame's shared table; ``HuffmanAlphabet/placeholder`` when every chunk has its own.
    private(set) var sharedAlphabet: HuffmanAlphabet
    /// The chunks, in stream order.
    private(set) var chunks: [Chunk]

    /// Plans the frame of `symbolCount > 0` symbols of `width` bytes in chunks of `2^chunkSymbolCountLog2`.
    ///
    /// The shared table starts as the whole stream's; each chunk takes its own table when the table's bytes
    /// plus its codes are fewer than its codes under the shared table. The shared table is then rebuilt from
    /// the chunks that still use it, and the choices redone, while that shrinks the frame (at most twice).
    /// - Complexity: O(n) time for the histograms (on all cores), plus O(chunks × (d + K × 15)) for the
    ///   tables, d distinct values per chunk and K coded values.
    init(_ input: UnsafeRawBufferPointer, width: Int, symbolCount: Int, chunkSymbolCountLog2: Int) {
        let chunkSymbols = 1 << chunkSymbolCountLog2
        let chunkCount = (symbolCount + chunkSymbols - 1) / chunkSymbols
        let ranges = (0..<chunkCount).map { ($0 * chunkSymbols)..<min(($0 + 1) * chunkSymbols, symbolCount) }
        // Each chunk's histogram and own table, with the table's bytes and the chunk's bits under it.
        let own = mapConcurrently(ranges) { range in
            let bytes = UnsafeRawBufferPointer(rebasing: input[(range.lowerBound * width)..<(range.upperBound * width)])
            let histogram = HuffmanHistogram(bytes, width: width)
            let alphabet = HuffmanAlphabet(histogram: histogram, width: width)
            return OwnTable(
                histogram: histogram, alphabet: alphabet, table: alphabet.serialized,
                bitCount: alphabet.bitCount(of: histogram) ?? Int.max)
        }
        // One chunk: the whole stream's table is the chunk's own, and shared costs nothing more.
        let whole =
            chunkCount == 1
            ? own[0].alphabet
            : HuffmanAlphabet(histogram: HuffmanHistogram(merging: own.map(\.histogram), width: width), width: width)
        var best = Self.choose(shared: whole, own: own, ranges: ranges)
        for _ in 0..<2 {
            let users = best.plan.chunks.indices.filter { best.plan.chunks[$0].ownAlphabet == nil }
            guard !users.isEmpty, users.count < chunkCount else { break }
            let histogram = HuffmanHistogram(merging: users.map { own[$0].histogram }, width: width)
            let refined = HuffmanAlphabet(histogram: histogram, width: width)
            let candidate = Self.choose(shared: refined, own: own, ranges: ranges)
            guard candidate.byteCount < best.byteCount else { break }
            best = candidate
        }
        if best.plan.chunks.allSatisfy({ $0.ownAlphabet != nil }) { best.plan.sharedAlphabet = .placeholder }
        self = best.plan
    }

    private init(sharedAlphabet: HuffmanAlphabet, chunks: [Chunk]) {
        self.sharedAlphabet = sharedAlphabet
        self.chunks = chunks
    }

    /// A chunk's histogram, its own table, that table's size in the frame and the chunk's bits under it.
    private struct OwnTable {
        var histogram: HuffmanHistogram
        var alphabet: HuffmanAlphabet
        var table: [UInt8]
        var bitCount: Int
    }

    /// Gives each chunk the cheaper of `shared` and its own table; returns the plan and the bytes it takes
    /// after the chunk size field: the shared table, the chunk headers and the chunks.
    private static func choose(shared: HuffmanAlphabet, own: [OwnTable], ranges: [Range<Int>]) -> (
        plan: HuffmanFramePlan, byteCount: Int
    ) {
        let chunks = mapConcurrently(Array(own.indices)) { index -> Chunk in
            let candidate = own[index]
            let ownCost = candidate.table.count + chunkByteCount(bits: candidate.bitCount)
            if let sharedBits = shared.bitCount(of: candidate.histogram), chunkByteCount(bits: sharedBits) <= ownCost {
                return Chunk(symbols: ranges[index], ownAlphabet: nil, ownTable: [], bitCount: sharedBits)
            }
            return Chunk(
                symbols: ranges[index], ownAlphabet: candidate.alphabet, ownTable: candidate.table,
                bitCount: candidate.bitCount)
        }
        let plan = HuffmanFramePlan(sharedAlphabet: shared, chunks: chunks)
        return (plan, plan.tablesAndChunksByteCount)
    }

    /// The bytes a chunk of `bits` bits takes after its table: its byte count varint and its bytes.
    private static func chunkByteCount(bits: Int) -> Int {
        let bytes = (bits + 7) / 8
        return varintByteCount(bytes) + bytes
    }

    /// Bytes of the shared table, the chunk headers and the chunks.
    var tablesAndChunksByteCount: Int {
        var total = sharedAlphabet.serialized.count
        for chunk in chunks {
            total += 1 + chunk.ownTable.count + Self.chunkByteCount(bits: chunk.bitCount)
        }
        return total
    }

    /// Appends the shared table and the chunk headers (table kind, own table, byte count) to `frame`.
    func writeTables(into frame: inout [UInt8]) {
        sharedAlphabet.write(into: &frame)
        for chunk in chunks {
            if chunk.ownAlphabet != nil {
                frame.append(HuffmanCodec.ownTableKind)
                frame.append(contentsOf: chunk.ownTable)
            } else {
                frame.append(HuffmanCodec.sharedTableKind)
            }
            frame.appendVarint(chunk.byteCount)
        }
    }
}

/// Bytes of `value` as an unsigned LEB128 varint.
func varintByteCount(_ value: Int) -> Int {
    max(1, (64 - UInt64(value).leadingZeroBitCount + 6) / 7)
}
