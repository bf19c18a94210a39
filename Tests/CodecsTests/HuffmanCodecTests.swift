import Foundation
import TestSupport
import Testing

@testable import Codecs

@Suite("Huffman codec")
struct HuffmanCodecTests {
    /// `count` little-endian integers of `width` bytes drawn by `draw`.
    static func symbols(count: Int, width: Int, seed: UInt64, _ draw: (inout SplitMix64) -> Int64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * width)
        for _ in 0..<count {
            let value = UInt64(bitPattern: draw(&generator))
            for k in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * k))) }
        }
        return bytes
    }

    /// A discrete Laplace-like value with scale `spread`: the difference of two geometric draws.
    static func laplace(_ generator: inout SplitMix64, spread: Double) -> Int64 {
        let u = Double(generator.next() >> 11) / Double(1 << 53) + 1e-18
        let v = Double(generator.next() >> 11) / Double(1 << 53) + 1e-18
        return Int64((spread * log(u)).rounded()) - Int64((spread * log(v)).rounded())
    }

    func roundTrip(_ bytes: [UInt8], width: Int, _ comment: Comment? = nil) throws -> [UInt8] {
        let codec = try HuffmanCodec(width: width)
        let frame = try codec.encode(bytes: bytes)
        #expect(try codec.decode(bytes: frame, decodedByteCount: bytes.count) == bytes, comment)
        let predicted = try bytes.withUnsafeBytes { buffer throws(CodecError) in try codec.encodedByteCount(of: buffer)
        }
        #expect(predicted == frame.count, "encodedByteCount predicts the frame size exactly")
        let planned = try bytes.withUnsafeBytes { buffer throws(CodecError) in
            let plan = try codec.plan(buffer)
            #expect(plan.byteCount == frame.count, "the plan knows the frame's size")
            return try codec.encode(buffer, planned: plan)
        }
        #expect(planned == frame, "a planned frame is the frame encode writes")
        let data = try frame.withUnsafeBytes { try codec.decodedData($0, decodedByteCount: bytes.count) }
        #expect([UInt8](data) == bytes, "decodedData decodes as decode does")
        return frame
    }

    @Test func byteChunksDecodedFourAtATimeRoundTripWithSharedAndOwnTables() throws {
        // Width 1 decodes groups of four equal chunks interleaved; counts that leave 0-3 chunks (or a short one)
        // outside a group, and chunks whose distributions differ enough to take their own tables.
        let chunk = 1 << HuffmanCodec.chunkSymbolCountLog2
        for count in [4 * chunk, 4 * chunk + 7, 5 * chunk, 9 * chunk - 1] {
            var generator = SplitMix64(seed: UInt64(count))
            let bytes = (0..<count).map { index -> UInt8 in
                switch (index / chunk) % 3 {
                case 0: UInt8(truncatingIfNeeded: Self.laplace(&generator, spread: 3))
                case 1: UInt8(truncatingIfNeeded: generator.next())
                default: UInt8(truncatingIfNeeded: 100 &+ Self.laplace(&generator, spread: 20))
                }
            }
            _ = try roundTrip(bytes, width: 1, "\(count) symbols")
        }
    }

    @Test func aDamagedChunkInAnInterleavedGroupIsNamedOrChangesTheOutput() throws {
        let chunk = 1 << HuffmanCodec.chunkSymbolCountLog2
        let bytes = Self.symbols(count: 4 * chunk, width: 1, seed: 9) { Self.laplace(&$0, spread: 4) }
        let codec = try HuffmanCodec(width: 1)
        let frame = try codec.encode(bytes: bytes)
        for position in [frame.count / 2, frame.count - 1] {
            var damaged = frame
            damaged[position] ^= 0x5A
            do {
                let decoded = try codec.decode(bytes: damaged, decodedByteCount: bytes.count)
                #expect(decoded != bytes, "byte \(position) flipped, yet the original came back")
            } catch {
                #expect(error.code == .corruptInput)
                #expect(error.message.contains("chunk "), "\(error.message)")
            }
        }
    }

    @Test func aPlanIsRefusedForAnInputOfAnotherLength() throws {
        let codec = try HuffmanCodec(width: 1)
        let planned = try [UInt8](repeating: 7, count: 100).withUnsafeBytes { try codec.plan($0) }
        let error = try #require(throws: CodecError.self) {
            try [UInt8](repeating: 7, count: 99).withUnsafeBytes { try codec.encode($0, planned: planned) }
        }
        #expect(error.code == .invalidParameter)
        #expect(error.message.contains("planned for 100 bytes; 99 were given"))
    }

    @Test(arguments: [1, 2, 4])
    func uniformRandomSymbolsRoundTrip(width: Int) throws {
        for (index, count) in [1, 2, 3, 100, 10_000].enumerated() {
            let bytes = Self.symbols(count: count, width: width, seed: UInt64(index)) { Int64(bitPattern: $0.next()) }
            _ = try roundTrip(bytes, width: width, "\(count) symbols")
        }
    }

    @Test(arguments: [1, 2, 4])
    func skewedSymbolsAcrossChunkBoundariesRoundTrip(width: Int) throws {
        let chunk = 1 << HuffmanCodec.chunkSymbolCountLog2
        for count in [chunk - 1, chunk, chunk + 1, 2 * chunk + 5] {
            let bytes = Self.symbols(count: count, width: width, seed: UInt64(count)) {
                Self.laplace(&$0, spread: width == 1 ? 6 : 40)
            }
            let frame = try roundTrip(bytes, width: width, "\(count) symbols")
            #expect(frame.count < bytes.count)
        }
    }

    @Test(arguments: [2, 4])
    func rareOutliersAreEscapedAndRoundTrip(width: Int) throws {
        // About 1 symbol in 500 is a distinct large value: width 2 in 20000..<30000, width 4 spread over
        // ±(2^29...2^30 + 2^29), too sparse for the table to pay.
        let bytes = Self.symbols(count: 50_000, width: width, seed: 3) { generator in
            guard generator.next(upperBound: 500 as UInt64) == 0 else { return Self.laplace(&generator, spread: 3) }
            if width == 2 { return 20_000 + Int64(generator.int(below: 10_000)) }
            let magnitude = Int64(1 << 29) + Int64(generator.int(below: 1 << 30))
            return generator.next() & 1 == 0 ? magnitude : -magnitude
        }
        let frame = try roundTrip(bytes, width: width)
        let entropy = try bytes.withUnsafeBytes { buffer throws(CodecError) in
            try HuffmanCodec.entropyBitsPerSymbol(of: buffer, width: width)
        }
        let bitsPerSymbol = Double(frame.count * 8) / 50_000
        // Escapes cost their raw bits, but only 1 symbol in 500 is one.
        #expect(bitsPerSymbol < entropy + 0.15, "\(bitsPerSymbol) bits per symbol against entropy \(entropy)")
        let histogram = bytes.withUnsafeBytes { HuffmanHistogram($0, width: width) }
        let alphabet = HuffmanAlphabet(histogram: histogram, width: width)
        #expect(alphabet.escapeBitCount == (width == 2 ? 16 : 32))
    }

    @Test func moreDistinctValuesThanTheAlphabetRoundTrip() throws {
        let bytes = Self.symbols(count: 200_000, width: 2, seed: 9) { Self.laplace(&$0, spread: 3000) }
        let histogram = bytes.withUnsafeBytes { HuffmanHistogram($0, width: 2) }
        #expect(histogram.values.count > HuffmanCodec.maximumAlphabetCount)
        _ = try roundTrip(bytes, width: 2)
        let alphabet = HuffmanAlphabet(histogram: histogram, width: 2)
        #expect(alphabet.values.count <= HuffmanCodec.maximumAlphabetCount)
        #expect(alphabet.escapeBitCount != nil)
    }

    @Test func aFewValuesOfWidth2AreCodedNotEscaped() throws {
        let bytes = Self.symbols(count: 10_000, width: 2, seed: 10) { Int64($0.int(below: 5)) - 2 }
        let alphabet = HuffmanAlphabet(histogram: bytes.withUnsafeBytes { HuffmanHistogram($0, width: 2) }, width: 2)
        #expect(alphabet.values == [-2, -1, 0, 1, 2])
        #expect(alphabet.escapeBitCount == nil)
        _ = try roundTrip(bytes, width: 2)
    }

    @Test func allDistinctWidth4ValuesAreAllEscapes() throws {
        let bytes = Self.symbols(count: 5_000, width: 4, seed: 5) { Int64(bitPattern: $0.next()) }
        let histogram = bytes.withUnsafeBytes { HuffmanHistogram($0, width: 4) }
        let alphabet = HuffmanAlphabet(histogram: histogram, width: 4)
        #expect(alphabet.values.count == 0)
        #expect(alphabet.lengths.count == 1 && alphabet.lengths[0] == 0, "the lone escape symbol takes no bits")
        let frame = try roundTrip(bytes, width: 4)
        #expect(frame.count <= bytes.count + 64)
    }

    @Test(arguments: [1, 2, 4])
    func emptyAndConstantInputsRoundTrip(width: Int) throws {
        #expect(try roundTrip([], width: width).count == 6, "magic, width and a zero symbol count")
        for count in [1, 7, 1 << 19] {
            for value: Int64 in [-3, 0] {
                let bytes = Self.symbols(count: count, width: width, seed: 1) { _ in value }
                let frame = try roundTrip(bytes, width: width)
                #expect(frame.count < 32, "\(count) symbols \(value) take zero bits each: \(frame.count) bytes")
            }
        }
        let two = Self.symbols(count: 1000, width: width, seed: 2) { $0.next() & 1 == 0 ? 0 : 5 }
        let frame = try roundTrip(two, width: width)
        #expect(frame.count < 1000 / 8 + 24, "two symbols take one bit each")
    }

    @Test func inputNotAWholeNumberOfSymbolsThrows() throws {
        for (width, count) in [(2, 3), (4, 6), (4, 1)] {
            let error = #expect(throws: CodecError.self) {
                try HuffmanCodec(width: width).encode(bytes: [UInt8](repeating: 1, count: count))
            }
            #expect(error?.code == .invalidParameter)
        }
    }

    @Test func parametersRoundTripAndRejectUnknownValues() throws {
        for width in [1, 2, 4] {
            let codec = try HuffmanCodec(width: width)
            #expect(codec.name == "huffman")
            #expect(try HuffmanCodec(parameters: codec.parameters).width == width)
        }
        #expect(try HuffmanCodec(parameters: [:]).width == 1)
        for bad in [["width": "3"], ["width": "x"], ["level": "1"]] {
            let error = #expect(throws: CodecError.self) { try HuffmanCodec(parameters: bad) }
            #expect(error?.code == .invalidParameter)
        }
    }

    @Test func fibonacciCountsAreLimitedToFifteenBitsAndStayComplete() {
        // Unlimited Huffman codes for Fibonacci counts grow one bit per symbol: 39 bits here.
        var counts: [UInt64] = [1, 1]
        while counts.count < 40 { counts.append(counts[counts.count - 1] + counts[counts.count - 2]) }
        let lengths = HuffmanCodeLengths.lengths(counts: counts, limit: HuffmanCodec.maximumCodeLength)
        #expect(lengths.max() == 15)
        #expect(HuffmanCodeLengths.kraftSum(lengths: lengths, limit: 15) == 1 << 15)
        // More frequent symbols never get longer codes.
        for i in 1..<counts.count { #expect(lengths[i] <= lengths[i - 1]) }
    }

    @Test func packageMergeMatchesUnlimitedHuffmanWhenTheLimitDoesNotBind() {
        // counts 1, 1, 2, 4, 8: Huffman lengths 4, 4, 3, 2, 1.
        #expect(HuffmanCodeLengths.lengths(counts: [1, 1, 2, 4, 8], limit: 15) == [4, 4, 3, 2, 1])
        #expect(HuffmanCodeLengths.lengths(counts: [8, 1, 4, 1, 2], limit: 3) == [1, 3, 3, 3, 3])
        #expect(HuffmanCodeLengths.lengths(counts: [5], limit: 15) == [0])
        #expect(HuffmanCodeLengths.lengths(counts: [5, 0], limit: 15) == [1, 1])
    }

    @Test func fibonacciDistributedSymbolsRoundTripWithLongCodes() throws {
        // Symbol k appears about phi^-k of the time: codes reach the 15-bit limit and the second table level.
        let bytes = Self.symbols(count: 300_000, width: 1, seed: 4) { generator in
            var k: Int64 = 0
            while k < 30, generator.next() % 1000 < 618 { k += 1 }
            return k
        }
        _ = try roundTrip(bytes, width: 1)
    }

    @Test func sizeIsWithinFiveHundredthsOfABitOfTheEntropy() throws {
        for (width, spread) in [(1, 4.0), (2, 30.0)] {
            let bytes = Self.symbols(count: 1 << 20, width: width, seed: 8) { Self.laplace(&$0, spread: spread) }
            let frame = try HuffmanCodec(width: width).encode(bytes: bytes)
            let entropy = try bytes.withUnsafeBytes { buffer throws(CodecError) in
                try HuffmanCodec.entropyBitsPerSymbol(of: buffer, width: width)
            }
            let bitsPerSymbol = Double(frame.count * 8) / Double(1 << 20)
            #expect(bitsPerSymbol >= entropy)
            #expect(bitsPerSymbol - entropy < 0.05, "width \(width): \(bitsPerSymbol) against entropy \(entropy)")
        }
    }

    @Test func encodingIsByteExactForASmallInput() throws {
        // Counts 3, 2, 1 give codes 0, 10, 11 (written bit-reversed, LSB first).
        let frame = try HuffmanCodec(width: 1).encode(bytes: [0, 0, 0, 1, 1, 2])
        let expected: [UInt8] = [
            0x57, 0x50, 0x48, 0x32, 0x01, 0x06,  // magic, width 1, 6 symbols
            0x10, 0xFF, 0x03, 0x01, 0x00, 0x02,  // chunks of 2^16; shared table: no escape, 3 values in 1 run from 0
            0x11,  // lengths 1, +1, same
            0x00, 0x02, 0xA8, 0x01,  // one chunk, shared table, 2 bytes: 0 0 0 10 10 11
        ]
        #expect(frame == expected)
    }

    @Test func decodingIgnoresTheInstanceWidth() throws {
        let bytes = Self.symbols(count: 1000, width: 4, seed: 6) { Self.laplace(&$0, spread: 9) }
        let frame = try HuffmanCodec(width: 4).encode(bytes: bytes)
        #expect(try HuffmanCodec(width: 1).decode(bytes: frame, decodedByteCount: bytes.count) == bytes)
    }

    /// Flips, truncates and extends valid frames 3,000 times, half of them with own chunk tables: every decode
    /// throws a `CodecError` or returns exactly the expected byte count; nothing traps.
    @Test(arguments: [1, 2, 4])
    func mutatedFramesThrowOrDecodeToTheExpectedCount(width: Int) throws {
        let bytes = Self.symbols(count: 3000, width: width, seed: 12) { generator in
            generator.next(upperBound: 100 as UInt64) == 0 ? 1 << 14 : Self.laplace(&generator, spread: 5)
        }
        let codec = try HuffmanCodec(width: width)
        let shifting = Self.shiftingSymbols(count: 3000, width: width, runLength: 1024, seed: 13)
        let frames = [
            try codec.encode(bytes: bytes),
            try shifting.withUnsafeBytes { buffer throws(CodecError) in
                try codec.encode(buffer, chunkSymbolCountLog2: 10)
            },
        ]
        var generator = SplitMix64(seed: 0xF022 + UInt64(width))
        var rejected = 0
        for round in 0..<3000 {
            let frame = frames[round % 2]
            var mutated = frame
            switch round / 2 % 3 {
            case 0:
                for _ in 0...generator.int(below: 3) {
                    mutated[generator.int(below: mutated.count)] ^= UInt8(generator.int(below: 255) + 1)
                }
            case 1:
                mutated.removeLast(generator.int(below: mutated.count) + 1)
            default:
                let index = generator.int(below: mutated.count)
                mutated.insert(contentsOf: (0...generator.int(below: 8)).map { _ in generator.byte() }, at: index)
            }
            do throws(CodecError) {
                let decoded = try codec.decode(bytes: mutated, decodedByteCount: bytes.count)
                #expect(decoded.count == bytes.count)
            } catch {
                #expect([.corruptInput, .sizeMismatch].contains(error.code), "\(error)")
                rejected += 1
            }
        }
        #expect(rejected > 2000, "most mutations are detected: \(rejected)")
    }

    @Test func corruptTablesAreRejectedWithCorruptInput() throws {
        let good: [UInt8] = [
            0x57, 0x50, 0x48, 0x32, 0x01, 0x06, 0x10, 0xFF, 0x03, 0x01, 0x00, 0x02, 0x11, 0x00, 0x02, 0xA8, 0x01,
        ]
        #expect(try HuffmanCodec().decode(bytes: good, decodedByteCount: 6) == [0, 0, 0, 1, 1, 2])
        let cases: [(String, Int, UInt8)] = [
            ("magic WPH1", 3, 0x31),
            ("width 3", 4, 0x03),
            ("chunk size 2^9", 6, 0x09),
            ("escape on width 1", 7, 0x08),
            ("257 values", 8, 0xFF),
            ("incomplete code: lengths 1, 2, 3", 12, 0x31 | 0x02),
            ("table kind 2", 13, 0x02),
            ("table kind 1 without a table", 13, 0x01),
            ("chunk longer than its symbols allow", 14, 0x7F),
            ("chunk shorter than its symbols need", 14, 0x00),
        ]
        for (label, index, value) in cases {
            var frame = good
            frame[index] = value
            let error = #expect(throws: CodecError.self, "\(label)") {
                try HuffmanCodec().decode(bytes: frame, decodedByteCount: 6)
            }
            #expect(error?.code == .corruptInput, "\(label): \(String(describing: error))")
        }
    }

    /// The frame of `corruptTablesAreRejectedWithCorruptInput` with the chunk coded by an own table: value 2
    /// gets the 1-bit code, 0 and 1 two bits (`0 → 10`, `1 → 11`, `2 → 0`).
    static let frameWithOwnTable: [UInt8] = [
        0x57, 0x50, 0x48, 0x32, 0x01, 0x06, 0x10,  // magic, width 1, 6 symbols, chunks of 2^16
        0xFF, 0x03, 0x01, 0x00, 0x02, 0x11,  // shared table: lengths 1, 2, 2
        0x01, 0xFF, 0x03, 0x01, 0x00, 0x02, 0xA2,  // own table: lengths 2, same, −1 → bits 0100 0 101
        0x02, 0xD5, 0x03,  // 2 bytes: 10 10 10 11 11 0, first bit lowest
    ]

    @Test func ownChunkTablesDecodeAndCorruptOnesThrow() throws {
        let frame = Self.frameWithOwnTable
        #expect(try HuffmanCodec().decode(bytes: frame, decodedByteCount: 6) == [0, 0, 0, 1, 1, 2])
        let cases: [(String, Int, UInt8)] = [
            ("own table with an escape on width 1", 14, 0x04),
            ("own table lists 257 values", 15, 0xFF),
            ("own table with 2 runs of 3 values", 16, 0x02),
            ("own table's run leaves the width-1 range", 17, 0xFE),
            ("own table's incomplete code: lengths 2, 2, 1 → 2, 2, 2", 19, 0x02),
            ("own table's lengths read into the chunk size", 19, 0x32),
            ("chunk longer than its own table allows", 20, 0x03),
        ]
        for (label, index, value) in cases {
            var mutated = frame
            mutated[index] = value
            let error = #expect(throws: CodecError.self, "\(label)") {
                try HuffmanCodec().decode(bytes: mutated, decodedByteCount: 6)
            }
            #expect(error?.code == .corruptInput, "\(label): \(String(describing: error))")
        }
        // A one-value own table codes the chunk in zero bits, so it may not have bytes.
        let oneValue: [UInt8] = Array(frame[0..<13]) + [0x01, 0xFF, 0x01, 0x01, 0x00, 0x00, 0x02, 0xD5, 0x03]
        let error = #expect(throws: CodecError.self) { try HuffmanCodec().decode(bytes: oneValue, decodedByteCount: 6) }
        #expect(error?.code == .corruptInput)
    }

    /// `count` symbols of `width` bytes in runs of `runLength` whose distributions differ sharply: few small
    /// values, a wide Laplace around 90, one constant, and uniform bytes, in turn.
    static func shiftingSymbols(count: Int, width: Int, runLength: Int, seed: UInt64) -> [UInt8] {
        var index = 0
        return symbols(count: count, width: width, seed: seed) { generator in
            defer { index += 1 }
            switch (index / runLength) % 4 {
            case 0: return Int64(generator.int(below: 3))
            case 1: return 90 + laplace(&generator, spread: width == 1 ? 6 : 300)
            case 2: return -7
            default: return Int64(generator.byte())
            }
        }
    }

    @Test(arguments: [1, 2, 4])
    func chunksOfAbruptlyChangingStatisticsTakeOwnTables(width: Int) throws {
        let codec = try HuffmanCodec(width: width)
        for (log2, runLength, count) in [(10, 1024, 8 * 1024), (10, 700, 9 * 1024 + 5), (16, 1 << 16, 4 << 16)] {
            let bytes = Self.shiftingSymbols(count: count, width: width, runLength: runLength, seed: UInt64(log2))
            let frame = try bytes.withUnsafeBytes { buffer throws(CodecError) in
                try codec.encode(buffer, chunkSymbolCountLog2: log2)
            }
            #expect(try codec.decode(bytes: frame, decodedByteCount: bytes.count) == bytes, "2^\(log2) chunks")
            let plan = bytes.withUnsafeBytes {
                HuffmanFramePlan($0, width: width, symbolCount: count, chunkSymbolCountLog2: log2)
            }
            let owned = plan.chunks.filter { $0.ownAlphabet != nil }.count
            // Runs aligned to chunks: at least the small-value and constant chunks own a table.
            let least = runLength == 1 << log2 ? plan.chunks.count / 2 : 1
            #expect(owned >= least, "2^\(log2) chunks: \(owned) of \(plan.chunks.count) own a table")
            #expect(frame.count == 4 + 1 + Self.varint(count).count + 1 + plan.tablesAndChunksByteCount)
            if log2 == HuffmanCodec.chunkSymbolCountLog2 {
                _ = try roundTrip(bytes, width: width)
                // One table for the whole stream would cost at least its entropy.
                let entropy = try bytes.withUnsafeBytes { buffer throws(CodecError) in
                    try HuffmanCodec.entropyBitsPerSymbol(of: buffer, width: width)
                }
                #expect(Double(frame.count * 8) < 0.8 * entropy * Double(count), "\(frame.count) bytes")
            }
        }
    }

    @Test(arguments: [1, 2, 4])
    func stationaryChunksShareOneTable(width: Int) throws {
        let count = 4 << HuffmanCodec.chunkSymbolCountLog2 + 77
        let bytes = Self.symbols(count: count, width: width, seed: 21) {
            Self.laplace(&$0, spread: width == 1 ? 4 : 30)
        }
        let plan = bytes.withUnsafeBytes {
            HuffmanFramePlan(
                $0, width: width, symbolCount: count, chunkSymbolCountLog2: HuffmanCodec.chunkSymbolCountLog2)
        }
        #expect(plan.chunks.count == 5)
        #expect(plan.chunks.dropLast().allSatisfy { $0.ownAlphabet == nil }, "full chunks use the shared table")
        #expect(plan.sharedAlphabet != HuffmanAlphabet.placeholder)
        _ = try roundTrip(bytes, width: width)
    }

    static func varint(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendVarint(value)
        return bytes
    }
}
