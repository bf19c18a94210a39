extension HuffmanCodec {
    /// Compresses `input`, little-endian signed integers of ``width`` bytes, into one frame (layout: ``HuffmanCodec``).
    ///
    /// Counts the symbols, chooses the alphabet (and escape) and optimal code lengths of at most
    /// ``maximumCodeLength`` bits, then codes chunks of `2^`\(``chunkSymbolCountLog2``) symbols on all cores.
    /// - Returns: the frame; deterministic for equal input and width, whatever the number of cores.
    /// - Throws: `CodecError.Code.invalidParameter` when `input.count` is not a multiple of ``width``.
    /// - Complexity: O(n) time; O(n) memory for the output.
    public func encode(_ input: UnsafeRawBufferPointer) throws(CodecError) -> [UInt8] {
        let symbolCount = try symbolCount(of: input)
        var frame = Self.magic + [UInt8(width)]
        frame.appendVarint(symbolCount)
        guard symbolCount > 0 else { return frame }
        let alphabet = HuffmanAlphabet(histogram: HuffmanHistogram(input, width: width), width: width)
        let table = HuffmanEncodingTable(alphabet: alphabet, width: width)
        frame.append(UInt8(Self.chunkSymbolCountLog2))
        alphabet.write(into: &frame)
        let chunks = encodeChunks(
            input, table: table, symbolCount: symbolCount,
            trivial: alphabet.lengths == [0] && table.maximumSymbolBitCount == 0)
        for chunk in chunks { frame.appendVarint(chunk.count) }
        frame.reserveCapacity(frame.count + chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { frame.append(contentsOf: chunk) }
        return frame
    }

    /// The exact size of the frame ``encode(_:)`` writes for `input`, without writing it.
    /// - Throws: `CodecError.Code.invalidParameter` when `input.count` is not a multiple of ``width``.
    /// - Complexity: O(n) time, about half of ``encode(_:)``'s; O(distinct symbols) memory.
    public func encodedByteCount(of input: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        let symbolCount = try symbolCount(of: input)
        var frame = Self.magic + [UInt8(width)]
        frame.appendVarint(symbolCount)
        guard symbolCount > 0 else { return frame.count }
        let alphabet = HuffmanAlphabet(histogram: HuffmanHistogram(input, width: width), width: width)
        let table = HuffmanEncodingTable(alphabet: alphabet, width: width)
        frame.append(UInt8(Self.chunkSymbolCountLog2))
        alphabet.write(into: &frame)
        var total = frame.count
        let chunkSymbols = 1 << Self.chunkSymbolCountLog2
        for start in stride(from: 0, to: symbolCount, by: chunkSymbols) {
            let range = start..<min(start + chunkSymbols, symbolCount)
            let bits = chunkBitCount(input, range: range, table: table)
            var varint: [UInt8] = []
            varint.appendVarint((bits + 7) / 8)
            total += varint.count + (bits + 7) / 8
        }
        return total
    }

    /// The empirical order-0 entropy of `input`'s symbols of `width` bytes, in bits per symbol (all distinct
    /// values, no escape): the bound an order-0 coder approaches, before its table.
    /// - Throws: `CodecError.Code.invalidParameter` when `width` is not 1, 2 or 4 or does not divide `input.count`.
    /// - Complexity: O(n) time.
    public static func entropyBitsPerSymbol(of input: UnsafeRawBufferPointer, width: Int) throws(CodecError) -> Double {
        let codec = try HuffmanCodec(width: width)
        _ = try codec.symbolCount(of: input)
        return HuffmanHistogram(input, width: width).entropyBitsPerSymbol
    }

    /// `input.count / width`, checked.
    func symbolCount(of input: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        guard input.count % width == 0 else {
            throw CodecError(
                .invalidParameter,
                "input of \(input.count) bytes is not a whole number of \(width)-byte symbols", codecName: name)
        }
        return input.count / width
    }

    /// Codes every chunk, in parallel when there are several.
    private func encodeChunks(
        _ input: UnsafeRawBufferPointer, table: HuffmanEncodingTable, symbolCount: Int, trivial: Bool
    ) -> [[UInt8]] {
        let chunkSymbols = 1 << Self.chunkSymbolCountLog2
        let chunkCount = (symbolCount + chunkSymbols - 1) / chunkSymbols
        if trivial { return [[UInt8]](repeating: [], count: chunkCount) }
        let results = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: chunkCount)
        results.initialize(repeating: [])
        defer { results.deinitialize().deallocate() }
        performConcurrently(iterations: chunkCount) { chunk in
            let range = (chunk * chunkSymbols)..<min((chunk + 1) * chunkSymbols, symbolCount)
            results[chunk] = encodeChunk(input, range: range, table: table)
        }
        return Array(results)
    }
}
