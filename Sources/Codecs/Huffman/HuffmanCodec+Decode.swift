extension HuffmanCodec {
    /// Decompresses one frame (layout: ``HuffmanCodec``) to exactly `decodedByteCount` bytes.
    ///
    /// Checks, before allocating: the magic number, the width, that `symbolCount × width` equals
    /// `decodedByteCount`, the code table (counts, value ranges, lengths 1...15 forming a complete code), and
    /// that the chunk byte counts fit what their symbols can take and end exactly at the end of `input`.
    /// Then decodes the chunks on all cores into one buffer of `decodedByteCount` bytes, and checks that each
    /// chunk's codes end in its last byte. The frame's width, not ``width``, decides the symbol width.
    /// Every symbol takes at least one bit, so the output is at most `8 × width` times the chunks' bytes,
    /// except in a frame whose alphabet is one value, coded in zero bits: there the output is bounded by
    /// `decodedByteCount` alone, which must equal the frame's symbol count × width.
    /// - Throws: `CodecError.Code.corruptInput` for a bad magic number or width, a corrupt table, chunk counts
    ///   that disagree with the frame, trailing bytes, or codes that overrun or stop short of their chunk;
    ///   `.sizeMismatch` when `decodedByteCount` is negative or differs from the frame's symbol count × width.
    /// - Complexity: O(`input.count` + `decodedByteCount`) time.
    public func decode(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) -> [UInt8] {
        guard decodedByteCount >= 0 else {
            throw CodecError(.sizeMismatch, "decoded byte count \(decodedByteCount) is negative", codecName: name)
        }
        var cursor = HuffmanFrameCursor(input)
        guard input.count >= 4, Array(input.prefix(4)) == Self.magic else {
            throw CodecError(
                .corruptInput, "payload of \(input.count) bytes does not start with the huffman magic 57 50 48 31",
                codecName: name)
        }
        _ = try cursor.readBytes(4, "magic")
        let frameWidth = Int(try cursor.readUInt8("width"))
        guard Self.supportedWidths.contains(frameWidth) else {
            throw CodecError(
                .corruptInput, "the frame's symbol width is \(frameWidth); expected 1, 2 or 4", codecName: name)
        }
        let symbolCount = try cursor.readVarint("symbol count")
        let (byteCount, overflow) = symbolCount.multipliedReportingOverflow(by: frameWidth)
        guard !overflow, byteCount == decodedByteCount else {
            throw CodecError(
                .sizeMismatch,
                "the frame records \(symbolCount) symbols of \(frameWidth) bytes; expected \(decodedByteCount) bytes",
                codecName: name)
        }
        if symbolCount == 0 {
            try checkNoTrailingBytes(cursor)
            return []
        }
        let chunkLog2 = Int(try cursor.readUInt8("chunk size"))
        guard (10...24).contains(chunkLog2) else {
            throw CodecError(.corruptInput, "chunks of 2^\(chunkLog2) symbols; expected 2^10...2^24", codecName: name)
        }
        let alphabet = try HuffmanAlphabet.read(from: &cursor, width: frameWidth)
        let table = HuffmanDecodingTable(alphabet: alphabet)
        let chunks = try readChunkRanges(
            &cursor, symbolCount: symbolCount, chunkSymbols: 1 << chunkLog2, table: table)
        return try decodeChunks(
            input, chunks: chunks, table: table, width: frameWidth, decodedByteCount: decodedByteCount)
    }

    /// One chunk: its symbols and its bytes in the frame.
    struct ChunkRange {
        var symbols: Range<Int>
        var bytes: Range<Int>
    }

    /// Reads the chunk byte counts and checks them against the symbols and the rest of the frame.
    private func readChunkRanges(
        _ cursor: inout HuffmanFrameCursor, symbolCount: Int, chunkSymbols: Int, table: HuffmanDecodingTable
    ) throws(CodecError) -> [ChunkRange] {
        let chunkCount = (symbolCount - 1) / chunkSymbols + 1
        guard chunkCount <= cursor.remainingByteCount else {
            throw CodecError(
                .corruptInput,
                "\(symbolCount) symbols need \(chunkCount) chunk sizes; the frame has \(cursor.remainingByteCount) bytes left",
                codecName: name)
        }
        var chunks: [ChunkRange] = []
        chunks.reserveCapacity(chunkCount)
        var byteOffset = 0
        for chunk in 0..<chunkCount {
            let symbols = (chunk * chunkSymbols)..<min((chunk + 1) * chunkSymbols, symbolCount)
            let size = try cursor.readVarint("size of chunk \(chunk)")
            let least = (symbols.count * table.minimumSymbolBitCount + 7) / 8
            let most = (symbols.count * table.maximumSymbolBitCount + 7) / 8
            guard size >= least, size <= most else {
                throw CodecError(
                    .corruptInput,
                    "chunk \(chunk) records \(size) bytes; its \(symbols.count) symbols take \(least)...\(most)",
                    codecName: name)
            }
            chunks.append(ChunkRange(symbols: symbols, bytes: byteOffset..<(byteOffset + size)))
            byteOffset += size
        }
        let start = cursor.offset
        guard byteOffset <= cursor.remainingByteCount else {
            throw CodecError(
                .corruptInput,
                "the chunks need \(byteOffset) bytes after byte \(start); the frame has \(cursor.remainingByteCount)",
                codecName: name)
        }
        _ = try cursor.readBytes(byteOffset, "chunks")
        try checkNoTrailingBytes(cursor)
        return chunks.map {
            ChunkRange(symbols: $0.symbols, bytes: ($0.bytes.lowerBound + start)..<($0.bytes.upperBound + start))
        }
    }

    private func checkNoTrailingBytes(_ cursor: HuffmanFrameCursor) throws(CodecError) {
        guard cursor.remainingByteCount == 0 else {
            throw CodecError(
                .corruptInput,
                "the frame ends at byte \(cursor.offset), followed by \(cursor.remainingByteCount) trailing bytes",
                codecName: name)
        }
    }

    /// Decodes every chunk into one buffer, in parallel when there are several; throws the first chunk's error.
    private func decodeChunks(
        _ input: UnsafeRawBufferPointer, chunks: [ChunkRange], table: HuffmanDecodingTable, width: Int,
        decodedByteCount: Int
    ) throws(CodecError) -> [UInt8] {
        let errors = UnsafeMutableBufferPointer<CodecError?>.allocate(capacity: chunks.count)
        errors.initialize(repeating: nil)
        defer { errors.deinitialize().deallocate() }
        let output = [UInt8](unsafeUninitializedCapacity: decodedByteCount) { buffer, initializedCount in
            let destination = UnsafeMutableRawPointer(buffer.baseAddress)
            performConcurrently(iterations: chunks.count) { index in
                let chunk = chunks[index]
                let source = UnsafeRawBufferPointer(rebasing: input[chunk.bytes])
                let target = destination! + chunk.symbols.lowerBound * width
                do throws(CodecError) {
                    try Self.decodeChunk(
                        source, into: target, symbolCount: chunk.symbols.count, table: table, width: width)
                } catch {
                    errors[index] = CodecError(error.code, "chunk \(index): " + error.message, codecName: "huffman")
                }
            }
            initializedCount = decodedByteCount
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return output
    }
}
