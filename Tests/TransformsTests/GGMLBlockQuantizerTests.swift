import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

/// Our quantizer against gguf-py's `gguf.quants.quantize`, byte for byte, on edge-case and random blocks.
struct GGMLBlockQuantizerTests {
    @Test(arguments: GGMLBlockFormat.allCases)
    func everyGoldenBlockQuantizesToGGUFPysBytes(format: GGMLBlockFormat) throws {
        let golden = try GGMLGolden.quantize()
        let expected = try #require(golden.expected[format.ggmlTypeName])
        #expect(expected.count == golden.inputs.count)
        for (name, inputHex) in golden.inputs.sorted(by: { $0.key < $1.key }) {
            let values = GGMLGolden.floats(inputHex)
            let bytes = try GGMLBlockQuantizer.quantize(values, as: format, tensorName: name)
            #expect(GGMLGolden.hex(bytes) == expected[name], "\(format) \(name)")
        }
    }

    @Test func goldenInputsCoverTheEdgeCases() throws {
        let names = Set(try GGMLGolden.quantize().inputs.keys)
        let required = [
            "all_zero", "negative_zero_first", "all_negative_zero", "one_huge_1e30", "negative_max",
            "magnitude_tie_positive_first", "q8_halves", "q4_ties", "constant", "tiny_subnormal", "random_8_blocks",
        ]
        #expect(Set(required).isSubset(of: names))
    }

    @Test func q8HalvesRoundAwayFromZero() throws {
        // max|x| = 127, so d = 1 and each code is x rounded half away from zero.
        let values: [Float] = [127, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 126.5] + Array(repeating: 0, count: 24)
        let bytes = [UInt8](try GGMLBlockQuantizer.quantize(values, as: .q8_0, tensorName: "w"))
        #expect(bytes[0..<2] == [0x00, 0x3C])  // binary16 1.0
        #expect(bytes[2..<10].map { Int8(bitPattern: $0) } == [127, 1, -1, 2, -2, 3, -3, 127])
    }

    @Test func q4ScaleTakesTheSignOfTheLargestMagnitude() throws {
        // The extreme is +4 (first of ±4), so d = 4 / -8 = -0.5 and +4 gets code 0.
        let values: [Float] = [1, 4, -4, -1] + Array(repeating: 0, count: 28)
        let bytes = [UInt8](try GGMLBlockQuantizer.quantize(values, as: .q4_0, tensorName: "w"))
        #expect(bytes[0..<2] == [0x00, 0xB8])  // binary16 -0.5
        // codes: trunc(x × -2 + 8.5): 1 → 6, 4 → 0, -4 → 16 clipped to 15, -1 → 10; zeros → 8.
        #expect(bytes[2] == 6 | 8 << 4)
        #expect(bytes[3] == 0 | 8 << 4)
        #expect(bytes[4] == 15 | 8 << 4)
        #expect(bytes[5] == 10 | 8 << 4)
    }

    @Test(arguments: GGMLBlockFormat.allCases)
    func outputHasOneBlockPer32Values(format: GGMLBlockFormat) throws {
        var generator = SplitMix64(seed: 5)
        for blocks in [0, 1, 7] {
            let bytes = try GGMLBlockQuantizer.quantize(
                generator.floats(count: 32 * blocks), as: format, tensorName: "w")
            #expect(bytes.count == blocks * format.bytesPerBlock)
        }
    }

    @Test(arguments: GGMLBlockFormat.allCases)
    func roundTripErrorIsAtMostHalfAStepPlusScaleRounding(format: GGMLBlockFormat) throws {
        var generator = SplitMix64(seed: 99)
        let values = generator.floats(count: 32 * 64, magnitude: 3)
        let bytes = try GGMLBlockQuantizer.quantize(values, as: format, tensorName: "w")
        let decoded = try GGMLBlockDequantizer.dequantize(
            bytes, as: format, elementCount: values.count, tensorName: "w")
        let levels: Float = format.bits == 8 ? 127 : Float(1 << format.bits) / 2
        for block in 0..<64 {
            let slice = values[(block * 32)..<(block * 32 + 32)]
            let range =
                format == .q4_1 || format == .q5_1
                ? (slice.max()! - slice.min()!) / Float((1 << format.bits) - 1) : slice.map(abs).max()! / levels
            for index in slice.indices {
                // Truncating codes and binary16 scales add up to one step plus a rounding of the scale.
                #expect(abs(decoded[index] - values[index]) <= range * 1.01 + 1e-3, "\(format) element \(index)")
            }
        }
    }

    // MARK: errors

    @Test func nonFiniteValuesAreCountedAndNamed() throws {
        var values = [Float](repeating: 1, count: 64)
        values[3] = .nan
        values[40] = .infinity
        values[41] = -.infinity
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockQuantizer.quantize(values, as: .q8_0, tensorName: "blk.0.w")
        }
        #expect(error.code == .nonFiniteValues)
        #expect(error.tensorName == "blk.0.w")
        #expect(error.message.contains("3 of 64"))
        #expect(error.message.contains("Q8_0"))
    }

    @Test(arguments: [1, 31, 33, 48])
    func elementCountNotAMultipleOf32IsRefused(count: Int) throws {
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockQuantizer.quantize([Float](repeating: 0, count: count), as: .q4_0, tensorName: "w")
        }
        #expect(error.code == .blockSizeNotDivisor)
        #expect(error.message.contains("\(count) elements"))
        #expect(error.tensorName == "w")
    }

    @Test func formatNamesMatchGGMLTypeNames() {
        #expect(GGMLBlockFormat.allCases.map(\.ggmlTypeName) == ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"])
        #expect(GGMLBlockFormat.allCases.map(\.bytesPerBlock) == [34, 18, 20, 22, 24])
        #expect(GGMLBlockFormat(ggmlTypeName: "Q5_1") == .q5_1)
        #expect(GGMLBlockFormat(ggmlTypeName: "Q4_K") == nil)
        #expect(GGMLBlockFormat.q8_0.bitsPerWeight == 8.5)
    }
}
