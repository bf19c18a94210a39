import Foundation

extension HuffmanCodec {
    /// Decompresses one frame (layout: ``HuffmanCodec``) to exactly `decodedByteCount` bytes.
    ///
    /// Checks, before allocating the output: the magic number, the width, that `symbolCount × width` equals
    /// `decodedByteCount`, every table (counts, value ranges, lengths 1...15 forming a complete code), each chunk's
    /// table kind, and that the chunk byte counts fit what their symbols can take under their tables and end
    /// exactly at the end of `input`. Then decodes the chunks on all cores into one buffer of `decodedByteCount`
    /// bytes (building each own table's lookup tables in the chunk's task), and checks that each chunk's codes
    /// end in its last byte. The frame's width, not ``width``, decides the symbol width. Every symbol takes at
    /// least one bit, so the output is at most `8 × width` times the chunks' bytes, except in a chunk whose table
    /// is one value, coded in zero bits: there the output is bounded by `decodedByteCount` alone, which must
    /// equal the frame's symbol count × width.
    /// - Throws: `CodecError.Code.corruptInput` for a bad magic number or width, a corrupt table, a table kind
    ///   other than 0 or 1, chunk counts that disagree with the frame, trailing bytes, or codes that overrun or
    ///   stop short of their chunk; `.sizeMismatch` when `decodedByteCount` is negative or differs from the
    ///   frame's symbol count × width.
    /// - Complexity: O(`input.count` + `decodedByteCount`) time.
    public func decode(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) -> [UInt8] {
        try decodeFrame(input, decodedByteCount: decodedByteCount, empty: []) { count, fill in
            [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
                fill(UnsafeMutableRawPointer(buffer.baseAddress!))
                initializedCount = count
            }
        }
    }

    /// ``decode(_:decodedByteCount:)`` into a `Data` that owns the decoded buffer (no copy from an array), with
    /// the same checks before the output is allocated and the same errors.
    public func decodedData(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) -> Data {
        try decodeFrame(input, decodedByteCount: decodedByteCount, empty: Data()) { count, fill in
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
            fill(buffer)
            return Data(bytesNoCopy: buffer, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
        }
    }

    /// Checks the frame, then has `allocate` make the output of `decodedByteCount > 0` bytes and fill it by calling
    /// the closure it is given with the buffer's address; `empty` for a frame of no symbols.
    private func decodeFrame<Output>(
        _ input: UnsafeRawBufferPointer, decodedByteCount: Int, empty: Output,
        allocate: (Int, (UnsafeMutableRawPointer) -> Void) -> Output
    ) throws(CodecError) -> Output {
        guard decodedByteCount >= 0 else {
            throw CodecError(.sizeMismatch, "decoded byte count \(decodedByteCount) is negative", codecName: name)
        }
        var cursor = HuffmanFrameCursor(input)
        guard input.count >= 4, Array(input.prefix(4)) == Self.magic else {
            throw CodecError(
                .corruptInput,
                "payload of \(input.count) bytes does not start with the huffman magic 57 50 48 32 (\"WPH2\")",
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
            return empty
        }
        let chunkLog2 = Int(try cursor.readUInt8("chunk size"))
        guard (10...24).contains(chunkLog2) else {
            throw CodecError(.corruptInput, "chunks of 2^\(chunkLog2) symbols; expected 2^10...2^24", codecName: name)
        }
        let shared = try HuffmanAlphabet.read(from: &cursor, width: frameWidth)
        let chunks = try readChunkHeaders(
            &cursor, symbolCount: symbolCount, chunkSymbols: 1 << chunkLog2, width: frameWidth, shared: shared)
        return try decodeChunks(
            input, chunks: chunks, shared: HuffmanDecodingTable(alphabet: shared), width: frameWidth,
            decodedByteCount: decodedByteCount, allocate: allocate)
    }

    /// One chunk: its symbols, its own table (`nil` for the shared one) and its bytes in the frame.
    struct ChunkRange {
        var symbols: Range<Int>
        var ownAlphabet: HuffmanAlphabet?
        var bytes: Range<Int>
    }

    /// Reads the chunk headers (table kind, own table, byte count) and checks each byte count against the
    /// chunk's symbols under its table, and their sum against the rest of the frame.
    private func readChunkHeaders(
        _ cursor: inout HuffmanFrameCursor, symbolCount: Int, chunkSymbols: Int, width: Int, shared: HuffmanAlphabet
    ) throws(CodecError) -> [ChunkRange] {
        let chunkCount = (symbolCount - 1) / chunkSymbols + 1
        guard chunkCount <= cursor.remainingByteCount / 2 else {
            throw CodecError(
                .corruptInput,
                "\(symbolCount) symbols need \(chunkCount) chunk headers of at least 2 bytes; the frame has \(cursor.remainingByteCount) bytes left",
                codecName: name)
        }
        var chunks: [ChunkRange] = []
        chunks.reserveCapacity(chunkCount)
        var byteOffset = 0
        for chunk in 0..<chunkCount {
            let symbols = (chunk * chunkSymbols)..<min((chunk + 1) * chunkSymbols, symbolCount)
            let ownAlphabet = try readChunkTable(&cursor, chunk: chunk, width: width)
            let alphabet = ownAlphabet ?? shared
            let size = try cursor.readVarint("size of chunk \(chunk)")
            let least = (symbols.count * alphabet.minimumSymbolBitCount + 7) / 8
            let most = (symbols.count * alphabet.maximumSymbolBitCount + 7) / 8
            guard size >= least, size <= most else {
                throw CodecError(
                    .corruptInput,
                    "chunk \(chunk) records \(size) bytes; its \(symbols.count) symbols take \(least)...\(most)",
                    codecName: name)
            }
            chunks.append(
                ChunkRange(symbols: symbols, ownAlphabet: ownAlphabet, bytes: byteOffset..<(byteOffset + size)))
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
            ChunkRange(
                symbols: $0.symbols, ownAlphabet: $0.ownAlphabet,
                bytes: ($0.bytes.lowerBound + start)..<($0.bytes.upperBound + start))
        }
    }

    /// Reads a chunk's table kind and, for kind 1, its own table; `nil` means the shared table.
    private func readChunkTable(_ cursor: inout HuffmanFrameCursor, chunk: Int, width: Int) throws(CodecError)
        -> HuffmanAlphabet?
    {
        let kind = try cursor.readUInt8("table kind of chunk \(chunk)")
        switch kind {
        case Self.sharedTableKind:
            return nil
        case Self.ownTableKind:
            do throws(CodecError) {
                return try HuffmanAlphabet.read(from: &cursor, width: width)
            } catch {
                throw CodecError(error.code, "chunk \(chunk): " + error.message, codecName: name)
            }
        default:
            throw CodecError(
                .corruptInput,
                "chunk \(chunk) has table kind \(kind) at byte \(cursor.offset - 1); expected 0 (shared) or 1 (own)",
                codecName: name)
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

    /// Decodes every chunk with its table into one buffer, in parallel when there are several; throws the first chunk's error.
    private func decodeChunks<Output>(
        _ input: UnsafeRawBufferPointer, chunks: [ChunkRange], shared: HuffmanDecodingTable, width: Int,
        decodedByteCount: Int, allocate: (Int, (UnsafeMutableRawPointer) -> Void) -> Output
    ) throws(CodecError) -> Output {
        let errors = UnsafeMutableBufferPointer<CodecError?>.allocate(capacity: chunks.count)
        errors.initialize(repeating: nil)
        defer { errors.deinitialize().deallocate() }
        // One-byte symbols are decoded four chunks at a time, interleaved (``decodeFourByteChunks``).
        let groupSize = width == 1 ? 4 : 1
        let output = allocate(decodedByteCount) { destination in
            performConcurrently(iterations: (chunks.count + groupSize - 1) / groupSize) { group in
                let members = (group * groupSize)..<min((group + 1) * groupSize, chunks.count)
                let tables = members.map { chunks[$0].ownAlphabet.map { HuffmanDecodingTable(alphabet: $0) } ?? shared }
                let symbolCount = chunks[members.lowerBound].symbols.count
                if members.count == 4, members.allSatisfy({ chunks[$0].symbols.count == symbolCount }) {
                    let consumed = Self.decodeFourByteChunks(
                        members.map { UnsafeRawBufferPointer(rebasing: input[chunks[$0].bytes]) },
                        into: members.map { destination + chunks[$0].symbols.lowerBound },
                        symbolCount: symbolCount, tables: tables)
                    for (offset, index) in members.enumerated() {
                        do throws(CodecError) {
                            try Self.checkConsumed(
                                consumed[offset], symbolCount: symbolCount, byteCount: chunks[index].bytes.count)
                        } catch {
                            errors[index] = CodecError(
                                error.code, "chunk \(index): " + error.message, codecName: "huffman")
                        }
                    }
                    return
                }
                for (offset, index) in members.enumerated() {
                    let chunk = chunks[index]
                    let source = UnsafeRawBufferPointer(rebasing: input[chunk.bytes])
                    let target = destination + chunk.symbols.lowerBound * width
                    do throws(CodecError) {
                        try Self.decodeChunk(
                            source, into: target, symbolCount: chunk.symbols.count, table: tables[offset],
                            width: width)
                    } catch {
                        errors[index] = CodecError(
                            error.code, "chunk \(index): " + error.message, codecName: "huffman")
                    }
                }
            }
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return output
    }
}
