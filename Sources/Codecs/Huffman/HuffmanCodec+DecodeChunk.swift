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
        let consumed = reader.consumedBitCount
        guard consumed <= source.count * 8, (consumed + 7) / 8 == source.count else {
            throw CodecError(
                .corruptInput,
                "its \(symbolCount) symbols take \(consumed) bits; the chunk holds \(source.count) bytes",
                codecName: "huffman")
        }
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
