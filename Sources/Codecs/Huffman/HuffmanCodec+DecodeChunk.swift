extension HuffmanCodec {
    /// Decodes `symbolCount` symbols of `width` bytes from one chunk's bytes into `target`.
    /// - Throws: `CodecError.Code.corruptInput` when the codes run past the chunk or end before its last byte.
    static func decodeChunk(
        _ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawPointer, symbolCount: Int,
        table: HuffmanDecodingTable, width: Int
    ) throws(CodecError) {
        var reader = HuffmanBitReader(
            base: source.baseAddress ?? UnsafeRawPointer(target), byteCount: source.count)
        table.primary.withUnsafeBufferPointer { primary in
            table.secondary.withUnsafeBufferPointer { secondary in
                table.values.withUnsafeBufferPointer { values in
                    let decoder = SymbolDecoder(primary: primary, secondary: secondary)
                    switch width {
                    case 1:
                        let out = target.assumingMemoryBound(to: UInt8.self)
                        decodeLiterals(&reader, decoder, values, count: symbolCount) { index, value in
                            out[index] = UInt8(truncatingIfNeeded: value)
                        }
                    case 2:
                        decodeWithEscapes(&reader, decoder, values, table: table, count: symbolCount) { index, value in
                            target.storeBytes(
                                of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: index &* 2,
                                as: UInt16.self)
                        }
                    default:
                        decodeWithEscapes(&reader, decoder, values, table: table, count: symbolCount) { index, value in
                            target.storeBytes(of: value.littleEndian, toByteOffset: index &* 4, as: UInt32.self)
                        }
                    }
                }
            }
        }
        try checkConsumed(reader.consumedBitCount, symbolCount: symbolCount, byteCount: source.count)
    }

    /// Checks that a chunk's codes, `consumed` bits, end in its last byte.
    /// - Throws: `CodecError.Code.corruptInput` when they overrun the chunk or stop short of its last byte.
    static func checkConsumed(_ consumed: Int, symbolCount: Int, byteCount: Int) throws(CodecError) {
        guard consumed <= byteCount * 8, (consumed + 7) / 8 == byteCount else {
            throw CodecError(
                .corruptInput, "its \(symbolCount) symbols take \(consumed) bits; the chunk holds \(byteCount) bytes",
                codecName: "huffman")
        }
    }

    /// Decodes four chunks of one-byte symbols (which never have an escape), each of `symbolCount` symbols, in
    /// lockstep: each symbol's table lookup waits on the previous one's length, so one chunk alone leaves the
    /// processor idle between lookups, while four independent chains overlap (the interleaving of Collet's
    /// huff0 "4X" decoders, applied here to chunks the frame already separates).
    /// - Returns: the bits each chunk's codes took, to be checked by ``checkConsumed(_:symbolCount:byteCount:)``.
    static func decodeFourByteChunks(
        _ sources: [UnsafeRawBufferPointer], into targets: [UnsafeMutableRawPointer], symbolCount: Int,
        tables: [HuffmanDecodingTable]
    ) -> [Int] {
        withLookups(tables) { decoders, values in
            func reader(_ k: Int) -> HuffmanBitReader {
                HuffmanBitReader(
                    base: sources[k].baseAddress ?? UnsafeRawPointer(targets[k]), byteCount: sources[k].count)
            }
            var (r0, r1, r2, r3) = (reader(0), reader(1), reader(2), reader(3))
            let (d0, d1, d2, d3) = (decoders[0], decoders[1], decoders[2], decoders[3])
            let (v0, v1, v2, v3) = (values[0], values[1], values[2], values[3])
            let o0 = targets[0].assumingMemoryBound(to: UInt8.self)
            let o1 = targets[1].assumingMemoryBound(to: UInt8.self)
            let o2 = targets[2].assumingMemoryBound(to: UInt8.self)
            let o3 = targets[3].assumingMemoryBound(to: UInt8.self)
            var index = 0
            while index &+ 3 <= symbolCount {
                r0.refill()
                r1.refill()
                r2.refill()
                r3.refill()
                for step in 0..<3 {
                    let a0 = d0.decode(&r0)
                    let a1 = d1.decode(&r1)
                    let a2 = d2.decode(&r2)
                    let a3 = d3.decode(&r3)
                    o0[index &+ step] = UInt8(truncatingIfNeeded: v0[Int(a0)])
                    o1[index &+ step] = UInt8(truncatingIfNeeded: v1[Int(a1)])
                    o2[index &+ step] = UInt8(truncatingIfNeeded: v2[Int(a2)])
                    o3[index &+ step] = UInt8(truncatingIfNeeded: v3[Int(a3)])
                }
                index &+= 3
            }
            while index < symbolCount {
                r0.refill()
                r1.refill()
                r2.refill()
                r3.refill()
                o0[index] = UInt8(truncatingIfNeeded: v0[Int(d0.decode(&r0))])
                o1[index] = UInt8(truncatingIfNeeded: v1[Int(d1.decode(&r1))])
                o2[index] = UInt8(truncatingIfNeeded: v2[Int(d2.decode(&r2))])
                o3[index] = UInt8(truncatingIfNeeded: v3[Int(d3.decode(&r3))])
                index &+= 1
            }
            return [r0.consumedBitCount, r1.consumedBitCount, r2.consumedBitCount, r3.consumedBitCount]
        }
    }

    /// Calls `body` with a decoder and the value table of each of `tables`, valid during the call.
    private static func withLookups<Result>(
        _ tables: [HuffmanDecodingTable], _ body: ([SymbolDecoder], [UnsafeBufferPointer<UInt32>]) -> Result
    ) -> Result {
        var decoders: [SymbolDecoder] = []
        var values: [UnsafeBufferPointer<UInt32>] = []
        func visit(_ index: Int) -> Result {
            guard index < tables.count else { return body(decoders, values) }
            return tables[index].primary.withUnsafeBufferPointer { primary in
                tables[index].secondary.withUnsafeBufferPointer { secondary in
                    tables[index].values.withUnsafeBufferPointer { table in
                        decoders.append(SymbolDecoder(primary: primary, secondary: secondary))
                        values.append(table)
                        return visit(index + 1)
                    }
                }
            }
        }
        return visit(0)
    }

    /// Decodes symbols without escapes, three per refill.
    @inline(__always)
    private static func decodeLiterals(
        _ reader: inout HuffmanBitReader, _ decoder: SymbolDecoder, _ values: UnsafeBufferPointer<UInt32>, count: Int,
        store: (Int, UInt32) -> Void
    ) {
        var index = 0
        while index &+ 3 <= count {
            reader.refill()
            let a = decoder.decode(&reader)
            let b = decoder.decode(&reader)
            let c = decoder.decode(&reader)
            store(index, values[Int(a)])
            store(index &+ 1, values[Int(b)])
            store(index &+ 2, values[Int(c)])
            index &+= 3
        }
        while index < count {
            reader.refill()
            store(index, values[Int(decoder.decode(&reader))])
            index &+= 1
        }
    }

    /// Decodes symbols that may be escapes (three per refill when the alphabet has none).
    @inline(__always)
    private static func decodeWithEscapes(
        _ reader: inout HuffmanBitReader, _ decoder: SymbolDecoder, _ values: UnsafeBufferPointer<UInt32>,
        table: HuffmanDecodingTable, count: Int, store: (Int, UInt32) -> Void
    ) {
        let escape = table.escapeSymbol
        guard escape != UInt32.max else {
            decodeLiterals(&reader, decoder, values, count: count, store: store)
            return
        }
        let escapeBits = UInt64(table.escapeBitCount)
        let mask: UInt64 = (1 &<< escapeBits) &- 1
        for index in 0..<count {
            reader.refill()
            let symbol = decoder.decode(&reader)
            if symbol == escape {
                reader.refill()
                let raw = UInt32(truncatingIfNeeded: reader.buffer & mask)
                reader.consume(escapeBits)
                store(index, UInt32(bitPattern: unZigZag(raw)))
            } else {
                store(index, values[Int(symbol)])
            }
        }
    }
}

/// One table lookup (two for codes longer than `HuffmanCodec.lookupBits`).
private struct SymbolDecoder {
    let primary: UnsafeBufferPointer<UInt32>
    let secondary: UnsafeBufferPointer<UInt32>

    /// Decodes one symbol; `reader` must hold at least `maximumCodeLength` bits.
    @inline(__always)
    func decode(_ reader: inout HuffmanBitReader) -> UInt32 {
        let bits = reader.buffer
        var entry = primary[Int(truncatingIfNeeded: bits & UInt64(primary.count &- 1))]
        if entry & HuffmanDecodingTable.subtableFlag != 0 {
            let rest =
                Int(truncatingIfNeeded: (bits &>> UInt64(HuffmanCodec.lookupBits)))
                & ((1 << HuffmanDecodingTable.subtableBits) &- 1)
            entry = secondary[Int(entry &>> 8) &+ rest]
        }
        reader.consume(UInt64(entry & 0x1F))
        return entry &>> 8
    }
}
