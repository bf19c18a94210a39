import Foundation
import TestSupport
import Testing

@testable import Transforms

/// Large inputs run in chunks on several cores; the bytes must not depend on it.
struct GGMLBlockQuantizerChunkingTests {
    @Test(arguments: [GGMLBlockFormat.q8_0, .q4_0, .q5_1])
    func inputsSpanningSeveralChunksQuantizeLikeTheirPieces(format: GGMLBlockFormat) throws {
        var generator = SplitMix64(seed: 77)
        let blocks = 2 * 8_192 + 5
        let values = generator.floats(count: 32 * blocks, magnitude: 2)
        let whole = try GGMLBlockQuantizer.quantize(values, as: format, tensorName: "w")
        var pieces = Data()
        for start in stride(from: 0, to: blocks, by: 3_000) {
            let end = min(start + 3_000, blocks)
            pieces += try GGMLBlockQuantizer.quantize(
                Array(values[(32 * start)..<(32 * end)]), as: format, tensorName: "w")
        }
        #expect(whole == pieces)
        let decoded = try GGMLBlockDequantizer.dequantize(
            whole, as: format, elementCount: values.count, tensorName: "w")
        var decodedPieces: [Float] = []
        for start in stride(from: 0, to: blocks, by: 3_000) {
            let end = min(start + 3_000, blocks)
            let slice = whole[
                (whole.startIndex + start * format.bytesPerBlock)..<(whole.startIndex + end * format.bytesPerBlock)]
            decodedPieces += try GGMLBlockDequantizer.dequantize(
                Data(slice), as: format, elementCount: 32 * (end - start), tensorName: "w")
        }
        #expect(decoded == decodedPieces)
    }

    @Test func nonFiniteValuesInEveryChunkAreCounted() throws {
        var values = [Float](repeating: 0.5, count: 32 * (3 * 8_192))
        values[7] = .nan
        values[32 * 8_192 + 1] = .infinity
        values[values.count - 1] = -.infinity
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockQuantizer.quantize(values, as: .q4_0, tensorName: "big")
        }
        #expect(error.message.hasPrefix("3 of \(values.count) elements"))
    }

    @Test func emptyInputGivesNoBytes() throws {
        #expect(try GGMLBlockQuantizer.quantize([], as: .q8_0, tensorName: "w").isEmpty)
        #expect(try GGMLBlockDequantizer.dequantize(Data(), as: .q8_0, elementCount: 0, tensorName: "w").isEmpty)
    }

    @Test func aZeroMinimumTakesTheSignOfTheLastZero() throws {
        // numpy's min over [-0, +0, …] came out +0 on the reference machine (x86 minps keeps the later operand).
        var values = [Float](repeating: 1, count: 32)
        values[0] = -0.0
        values[9] = 0
        let bytes = [UInt8](try GGMLBlockQuantizer.quantize(values, as: .q4_1, tensorName: "w"))
        #expect(bytes[2..<4] == [0x00, 0x00])  // m = +0
        values[9] = -0.0
        values[0] = 0
        let flipped = [UInt8](try GGMLBlockQuantizer.quantize(values, as: .q4_1, tensorName: "w"))
        #expect(flipped[2..<4] == [0x00, 0x80])  // m = -0
        let decoded = try GGMLBlockDequantizer.dequantize(Data(bytes), as: .q4_1, elementCount: 32, tensorName: "w")
        let decodedFlipped = try GGMLBlockDequantizer.dequantize(
            Data(flipped), as: .q4_1, elementCount: 32, tensorName: "w")
        #expect(decoded == decodedFlipped)
    }
}

/// The inline binary16 rounding of the quantizer's scales against `Float16.init` (round to nearest, ties to
/// even), at every boundary and on random bit patterns.
struct GGMLFloat16RoundingTests {
    private func rounded(_ value: Float) -> UInt16 {
        var bytes: [UInt8] = [0, 0]
        bytes.withUnsafeMutableBytes { GGMLBlockQuantizer.storeFloat16(value, $0.baseAddress!, at: 0) }
        return UInt16(bytes[0]) | UInt16(bytes[1]) << 8
    }

    @Test func boundariesRoundLikeFloat16() {
        let edges: [UInt32] = [
            0, 0x3880_0000, 0x387F_FFFF, 0x3880_0001, 0x477F_E000, 0x477F_EFFF, 0x477F_F000, 0x477F_F001,
            0x4780_0000, 0x7F80_0000, 0x3300_0000, 0x3300_0001, 0x3380_0000, 0x3F80_1000, 0x3F80_3000,
            0x3F80_0FFF, 0x3F80_1001, 0x7F7F_FFFF, 0x0000_0001,
        ]
        for bits in edges {
            for sign: UInt32 in [0, 0x8000_0000] {
                let value = Float(bitPattern: bits | sign)
                #expect(rounded(value) == Float16(value).bitPattern, "\(value)")
            }
        }
    }

    @Test func randomBitPatternsRoundLikeFloat16() {
        var generator = SplitMix64(seed: 16)
        for _ in 0..<200_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard !value.isNaN else { continue }
            #expect(rounded(value) == Float16(value).bitPattern, "\(value)")
        }
    }
}
