extension HuffmanCodec {
    /// Compresses `input`, little-endian signed integers of ``width`` bytes, into one frame (layout: ``HuffmanCodec``).
    ///
    /// Counts each chunk of `2^`\(``chunkSymbolCountLog2``) symbols, chooses the shared table and, per chunk,
    /// whether its own table (alphabet, escape and optimal code lengths of at most ``maximumCodeLength`` bits)
    /// takes fewer bytes than the shared one, then codes the chunks on all cores.
    /// - Returns: the frame; deterministic for equal input and width, whatever the number of cores.
    /// - Throws: `CodecError.Code.invalidParameter` when `input.count` is not a multiple of ``width``.
    /// - Complexity: O(n) time; O(n) memory for the output.
    public func encode(_ input: UnsafeRawBufferPointer) throws(CodecError) -> [UInt8] {
        try encode(input, chunkSymbolCountLog2: Self.chunkSymbolCountLog2)
    }

    /// ``encode(_:)`` with chunks of `2^chunkSymbolCountLog2` symbols, `10...24`.
    func encode(_ input: UnsafeRawBufferPointer, chunkSymbolCountLog2: Int) throws(CodecError) -> [UInt8] {
        try encode(input, planned: plan(input, chunkSymbolCountLog2: chunkSymbolCountLog2))
    }

    /// A frame's tables chosen and its size known, before any symbol is coded: what ``encodedByteCount(of:)``
    /// measures and ``encode(_:planned:)`` writes, so that a caller choosing between coders plans once.
    public struct PlannedFrame {
        /// The frame's exact size in bytes.
        public let byteCount: Int
        /// Symbols of ``HuffmanCodec/width`` bytes in the input planned.
        let symbolCount: Int
        /// Bytes in the input planned (to check that the same input is coded).
        let inputByteCount: Int
        /// The tables and chunks; `nil` for an empty input.
        let plan: HuffmanFramePlan?
        let chunkSymbolCountLog2: Int
    }

    /// Plans the frame of `input` (histograms and tables, no coding pass): its exact size, and what
    /// ``encode(_:planned:)`` needs to write it.
    /// - Throws: `CodecError.Code.invalidParameter` when `input.count` is not a multiple of ``width``.
    public func plan(_ input: UnsafeRawBufferPointer) throws(CodecError) -> PlannedFrame {
        try plan(input, chunkSymbolCountLog2: Self.chunkSymbolCountLog2)
    }

    func plan(_ input: UnsafeRawBufferPointer, chunkSymbolCountLog2: Int) throws(CodecError) -> PlannedFrame {
        precondition((10...24).contains(chunkSymbolCountLog2), "chunks hold 2^10...2^24 symbols")
        let symbolCount = try symbolCount(of: input)
        var header = Self.magic + [UInt8(width)]
        header.appendVarint(symbolCount)
        guard symbolCount > 0 else {
            return PlannedFrame(
                byteCount: header.count, symbolCount: 0, inputByteCount: input.count, plan: nil,
                chunkSymbolCountLog2: chunkSymbolCountLog2)
        }
        let plan = HuffmanFramePlan(
            input, width: width, symbolCount: symbolCount, chunkSymbolCountLog2: chunkSymbolCountLog2)
        return PlannedFrame(
            byteCount: header.count + 1 + plan.tablesAndChunksByteCount, symbolCount: symbolCount,
            inputByteCount: input.count, plan: plan, chunkSymbolCountLog2: chunkSymbolCountLog2)
    }

    /// Writes the frame `planned` describes; the same bytes as ``encode(_:)``.
    /// - Parameters:
    ///   - input: the bytes given to ``plan(_:)``, unchanged since.
    ///   - planned: that call's result.
    /// - Throws: `CodecError.Code.invalidParameter` when `input` is not as long as the input planned.
    public func encode(_ input: UnsafeRawBufferPointer, planned: PlannedFrame) throws(CodecError) -> [UInt8] {
        guard input.count == planned.inputByteCount else {
            throw CodecError(
                .invalidParameter,
                "the frame was planned for \(planned.inputByteCount) bytes; \(input.count) were given", codecName: name)
        }
        var frame = Self.magic + [UInt8(width)]
        frame.appendVarint(planned.symbolCount)
        guard let plan = planned.plan else { return frame }
        frame.append(UInt8(planned.chunkSymbolCountLog2))
        plan.writeTables(into: &frame)
        let chunks = encodeChunks(input, plan: plan)
        frame.reserveCapacity(planned.byteCount)
        for chunk in chunks { frame.append(contentsOf: chunk) }
        return frame
    }

    /// The exact size of the frame ``encode(_:)`` writes for `input`, without writing it.
    /// - Throws: `CodecError.Code.invalidParameter` when `input.count` is not a multiple of ``width``.
    /// - Complexity: O(n) time (the histograms and tables, no coding pass); O(distinct symbols) memory.
    public func encodedByteCount(of input: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        try plan(input).byteCount
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

    /// Codes every chunk with its table, in parallel when there are several.
    private func encodeChunks(_ input: UnsafeRawBufferPointer, plan: HuffmanFramePlan) -> [[UInt8]] {
        let shared = HuffmanEncodingTable(alphabet: plan.sharedAlphabet, width: width)
        return mapConcurrently(plan.chunks) { chunk -> [UInt8] in
            guard chunk.bitCount > 0 else { return [] }
            let table = chunk.ownAlphabet.map { HuffmanEncodingTable(alphabet: $0, width: width) } ?? shared
            let bytes = encodeChunk(input, range: chunk.symbols, table: table)
            assert(bytes.count == chunk.byteCount, "the plan counts each chunk's bytes exactly")
            return bytes
        }
    }
}
