extension HuffmanCodec {
    /// Codes the symbols `range` of `input` into whole bytes (the last zero-padded).
    func encodeChunk(_ input: UnsafeRawBufferPointer, range: Range<Int>, table: HuffmanEncodingTable) -> [UInt8] {
        let capacity = (range.count * table.maximumSymbolBitCount + 7) / 8 + 16
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            var writer = HuffmanBitWriter(base: UnsafeMutableRawPointer(buffer.baseAddress!))
            forEachSymbol(input, range: range, table: table) { symbols, lookUp in
                let escapeBits = UInt64(table.escapeBitCount)
                if table.escapeEntry == 0 {
                    var index = 0
                    while index + 3 <= symbols {
                        for k in 0..<3 {
                            let entry = lookUp(index &+ k).entry
                            writer.put(UInt64(entry &>> 8), count: UInt64(entry & 0x1F))
                        }
                        writer.flush()
                        index &+= 3
                    }
                    while index < symbols {
                        let entry = lookUp(index).entry
                        writer.put(UInt64(entry &>> 8), count: UInt64(entry & 0x1F))
                        writer.flush()
                        index &+= 1
                    }
                } else {
                    for index in 0..<symbols {
                        let (entry, value) = lookUp(index)
                        writer.put(UInt64(entry &>> 8), count: UInt64(entry & 0x1F))
                        if entry & HuffmanEncodingTable.escapeFlag != 0 {
                            writer.put(UInt64(zigZag(value)), count: escapeBits)
                        }
                        writer.flush()
                    }
                }
            }
            initializedCount = writer.finish()
        }
    }

    /// Calls `body` with the number of symbols in `range` and a function from a symbol's index (from the
    /// range's start) to its table entry and value, specialised per width.
    @inline(__always)
    private func forEachSymbol(
        _ input: UnsafeRawBufferPointer, range: Range<Int>, table: HuffmanEncodingTable,
        _ body: (Int, (Int) -> (entry: UInt32, value: Int32)) -> Void
    ) {
        let start = input.baseAddress! + range.lowerBound * width
        table.entries.withUnsafeBufferPointer { entries in
            switch width {
            case 1:
                let symbols = start.assumingMemoryBound(to: UInt8.self)
                body(range.count) { index in (entries[Int(symbols[index])], 0) }
            case 2:
                body(range.count) { index in
                    let pattern = start.loadUnaligned(fromByteOffset: index &* 2, as: UInt16.self).littleEndian
                    return (entries[Int(pattern)], Int32(Int16(bitPattern: pattern)))
                }
            default:
                body(range.count) { index in
                    let value = Int32(
                        bitPattern: start.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self).littleEndian)
                    return (table.entry(forInt32: value), value)
                }
            }
        }
    }
}

/// Writes codes least significant bit first, 8 bytes at a time.
///
/// `put` adds up to 64 - 7 bits between two `flush` calls; `flush` stores all 8 bytes of the accumulator at
/// the current byte and advances by the whole bytes it holds, so the buffer needs 8 bytes of slack.
struct HuffmanBitWriter {
    /// The output's first byte.
    let base: UnsafeMutableRawPointer
    /// Bytes completed.
    private var position = 0
    /// Pending bits, lowest first.
    private var accumulator: UInt64 = 0
    /// Pending bit count, at most 7 after `flush`.
    private var bitCount: UInt64 = 0

    init(base: UnsafeMutableRawPointer) { self.base = base }

    /// Appends the low `count` bits of `bits` (the higher bits must be 0).
    @inline(__always)
    mutating func put(_ bits: UInt64, count: UInt64) {
        accumulator |= bits &<< bitCount
        bitCount &+= count
    }

    /// Stores the accumulator and keeps only the bits of its last, incomplete byte.
    @inline(__always)
    mutating func flush() {
        (base + position).storeBytes(of: accumulator.littleEndian, as: UInt64.self)
        position &+= Int(bitCount &>> 3)
        accumulator = accumulator &>> (bitCount & 56)
        bitCount &= 7
    }

    /// Flushes and returns the byte count, the last byte zero-padded.
    mutating func finish() -> Int {
        flush()
        return position + (bitCount > 0 ? 1 : 0)
    }
}
