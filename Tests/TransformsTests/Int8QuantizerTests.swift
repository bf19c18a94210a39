import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct Int8QuantizerTests {
    private let quantizer = Int8Quantizer()

    @Test func scaleIsMaxMagnitudeOver127PerRow() throws {
        var generator = SplitMix64(seed: 11)
        // Rows of very different magnitudes, so a shared scale would show.
        let values = (1...4).flatMap { magnitude in generator.floats(count: 8, magnitude: Float(magnitude * magnitude))
        }
        let layout = try Int8Layout(quantizer.encode(values, shape: [4, 8], tensorName: "w"))
        #expect(layout.rows == 4)
        #expect(layout.columns == 8)
        for row in 0..<4 {
            let maxMagnitude = values[(row * 8)..<((row + 1) * 8)].map(abs).max()!
            #expect(layout.scales[row] == maxMagnitude / 127, "row \(row)")
        }
    }

    @Test func codesRoundHalfToEven() throws {
        // max|w| = 127, so scale = 1 exactly and w / scale is w itself.
        let values: [Float] = [127, 2.5, 3.5, -2.5, -3.5, 0.5, 1.5, -0.5, 63.5, -64.5]
        let layout = try Int8Layout(quantizer.encode(values, shape: [1, 10], tensorName: "w"))
        #expect(layout.scales == [1])
        #expect(layout.codes == [127, 2, 4, -2, -4, 0, 2, 0, 64, -64])
    }

    @Test func theLargestMagnitudeOfEachRowGetsCode127() throws {
        let values: [Float] = [
            -5, -5, 1, 2,  // the extreme is negative and repeated
            0.25, -0.1, 1e-30, 0.0625,  // -0.1 / scale = -50.8, 0.0625 / scale = 31.75
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, 0,  // scale near Float's limit
        ]
        let layout = try Int8Layout(quantizer.encode(values, shape: [3, 4], tensorName: "w"))
        #expect(Array(layout.codes(ofRow: 0)) == [-127, -127, 25, 51])
        #expect(Array(layout.codes(ofRow: 1)) == [127, -51, 0, 32])
        #expect(Array(layout.codes(ofRow: 2)) == [127, -127, 0, 0])
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func codesStayWithinPlusMinus127(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let values = generator.floats(count: 64 * 33, magnitude: 1e4)
        let layout = try Int8Layout(quantizer.encode(values, shape: [64, 33], tensorName: "w"))
        #expect(layout.codes.allSatisfy { (-127...127).contains($0) })
        #expect(!layout.codes.contains(-128))
    }

    @Test func aSubnormalScaleIsRoundedUpSoNoCodeClips() throws {
        // max|w| = 190 × 2^-149: max / 127 rounds to 1 × 2^-149, where 190 / 1 > 127 would clip. The least Float
        // scale with max|w| / scale ≤ 127 is 2 × 2^-149 (190 / 2 = 95), so the codes are ±95 and decode exactly.
        let tiny = Float.leastNonzeroMagnitude
        let values: [Float] = [190 * tiny, -190 * tiny]
        let output = try quantizer.encode(values, shape: [1, 2], tensorName: "w")
        let layout = try Int8Layout(output)
        #expect(layout.scales == [2 * tiny])
        #expect(layout.scales[0].bitPattern == 2)
        #expect(layout.codes == [95, -95])
        let decoded = try Int8Dequantizer.decode(
            output.bytes, parameters: output.parameters, elementCount: 2, tensorName: "w")
        #expect(decoded == values)
    }

    /// Row maxima `m × 2^-149` whose `m / 127` is subnormal: exact Floats (m < 2^24) on both sides of 127 and of
    /// the largest subnormal.
    static let subnormalMaxima: [UInt32] = [
        1, 2, 126, 127, 128, 190, 253, 254, 255, 1_000, 0x7F_FFFF, 0x80_0000, 0xFF_FFFF,
    ]

    @Test(arguments: subnormalMaxima)
    func aSubnormalScaleIsTheLeastWithNoClipping(multiple: UInt32) throws {
        // docs/FORMAT.md §5.1: the scale is the least k × 2^-149 with m / k ≤ 127, i.e. k = ⌈m / 127⌉.
        let tiny = Float.leastNonzeroMagnitude
        let m = Int(multiple)
        let k = (m + 126) / 127
        let row: [Float] = [Float(m) * tiny, -Float(m) * tiny, Float(m / 3) * tiny, -tiny, 0]
        let output = try quantizer.encode(row, shape: [1, row.count], tensorName: "w")
        let layout = try Int8Layout(output)
        let scale = try #require(layout.scales.first)
        #expect(scale.bitPattern == UInt32(k), "scale = \(scale.bitPattern) × 2^-149, expected \(k)")
        #expect(m <= 127 * k && (k == 1 || m > 127 * (k - 1)), "k = \(k) is the least with m / k ≤ 127")
        let expectedCode = Int8((Double(m) / Double(k)).rounded(.toNearestOrEven))
        #expect(Array(layout.codes.prefix(2)) == [expectedCode, -expectedCode])
        #expect(layout.codes.allSatisfy { (-127...127).contains($0) })
        let decoded = try Int8Dequantizer.decode(
            output.bytes, parameters: output.parameters, elementCount: row.count, tensorName: "w")
        for index in row.indices {
            #expect(abs(Double(row[index]) - Double(decoded[index])) <= Double(scale) / 2, "element \(index)")
        }
    }

    @Test func subnormalRowsKeepTheHalfScaleErrorBound() throws {
        // docs/FORMAT.md §5.1: the error of each element is at most scale / 2, and only a row of zeros has scale 0.
        let tiny = Float.leastNonzeroMagnitude
        let values: [Float] = [7 * tiny, -3 * tiny, 190 * tiny, -tiny]
        let output = try quantizer.encode(values, shape: [2, 2], tensorName: "w")
        let layout = try Int8Layout(output)
        let decoded = try Int8Dequantizer.decode(
            output.bytes, parameters: output.parameters, elementCount: 4, tensorName: "w")
        #expect(layout.scales[0] > 0, "row 0 is not all zeros, yet its scale is \(layout.scales[0])")
        #expect(layout.scales == [tiny, 2 * tiny])
        #expect(layout.codes == [7, -3, 95, 0])  // -1 / 2 = -0.5 rounds to even: 0
        for index in 0..<4 {
            let scale = layout.scales[index / 2]
            #expect(abs(Double(values[index]) - Double(decoded[index])) <= Double(scale) / 2, "element \(index)")
        }
    }

    @Test func allZeroRowHasScaleZeroAndDecodesToZeros() throws {
        let values: [Float] = [0, -0.0, 0, 1, -2, 4]
        let output = try quantizer.encode(values, shape: [2, 3], tensorName: "w")
        let layout = try Int8Layout(output)
        #expect(layout.scales[0].bitPattern == 0)
        #expect(Array(layout.codes(ofRow: 0)) == [0, 0, 0])
        #expect(layout.scales[1] == Float(4) / 127)
        let decoded = try Int8Dequantizer.decode(
            output.bytes, parameters: output.parameters, elementCount: 6, tensorName: "w")
        #expect(decoded[0..<3].allSatisfy { $0 == 0 })
    }

    @Test func allZeroTensorEncodesToZeroBytesAfterItsScales() throws {
        let output = try quantizer.encode([Float](repeating: 0, count: 12), shape: [3, 4], tensorName: "w")
        #expect(output.bytes == Data(count: 3 * 4 + 12))
    }

    static let shapes: [[Int]] = [[0], [1], [5], [3, 4], [2, 3, 4], [0, 4], [4, 0]]

    @Test(arguments: shapes)
    func roundTripErrorIsAtMostHalfScale(dimensions: [Int]) throws {
        let shape = Shape(dimensions)
        let count = try shape.elementCount()
        var generator = SplitMix64(seed: UInt64(31 &* dimensions.reduce(7) { $0 &* 131 &+ $1 }))
        let values = generator.floats(count: count, magnitude: 3)
        let output = try quantizer.encode(values, shape: shape, tensorName: "w")
        let layout = try Int8Layout(output)
        #expect(layout.rows * layout.columns == count)
        #expect(output.bytes.count == 4 * layout.rows + count)
        let decoded = try Int8Dequantizer.decode(
            output.bytes, parameters: output.parameters, elementCount: count, tensorName: "w")
        try #require(decoded.count == count)
        for index in 0..<count {
            let scale = Double(layout.scales[index / layout.columns])
            // q × scale is rounded to Float once: allow that half-ulp of a value at most 127 × scale.
            let bound = scale / 2 + 127 * scale * 0x1p-24
            #expect(abs(Double(values[index]) - Double(decoded[index])) <= bound, "element \(index) of \(shape)")
        }
    }

    @Test func rowsAreTheFirstDimensionAndColumnsTheRest() throws {
        let output = try quantizer.encode([Float](repeating: 1, count: 24), shape: [2, 3, 4], tensorName: "w")
        #expect(output.parameters == ["granularity": "per_channel", "rows": "2", "columns": "12"])
        #expect(output.bytes.count == 2 * 4 + 24)
    }

    @Test(arguments: [[5], [1], []] as [[Int]])
    func tensorsWithFewerThanTwoDimensionsUseOneScale(dimensions: [Int]) throws {
        let shape = Shape(dimensions)
        let count = try shape.elementCount()
        #expect(quantizer.effectiveGranularity(for: shape) == .perTensor)
        let values = (0..<count).map { Float($0 + 1) }
        let output = try quantizer.encode(values, shape: shape, tensorName: "b")
        #expect(output.parameters == ["granularity": "per_tensor", "rows": "1", "columns": String(count)])
        let layout = try Int8Layout(output)
        #expect(layout.scales == [Float(count) / 127])
    }

    @Test func perTensorGranularityUsesOneScaleForA2DTensor() throws {
        let values: [Float] = [1, 2, 3, -254, 0, 127]
        let output = try Int8Quantizer(granularity: .perTensor).encode(values, shape: [2, 3], tensorName: "w")
        #expect(output.parameters == ["granularity": "per_tensor", "rows": "1", "columns": "6"])
        let layout = try Int8Layout(output)
        #expect(layout.scales == [2])
        #expect(layout.codes == [0, 1, 2, -127, 0, 64])  // 0.5 → 0 and 63.5 → 64: ties to even
        #expect(Int8Quantizer().effectiveGranularity(for: [2, 3]) == .perChannel)
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteValuesAreRejectedWithTheirCount(bad: Float) throws {
        let values: [Float] = [1, bad, 2, bad, 3, 4]
        let error = #expect(throws: TransformError.self) {
            try quantizer.encode(values, shape: [2, 3], tensorName: "layers.0.q_proj.weight")
        }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.tensorName == "layers.0.q_proj.weight")
        #expect(error?.message.contains("2 of 6 elements") == true, "\(error?.message ?? "")")
        #expect(error?.description.hasPrefix("tensor 'layers.0.q_proj.weight': ") == true)
    }

    /// docs/FORMAT.md §5.1 for a 2 × 3 input: two Float32 scales (little-endian), then six int8 codes.
    static let goldenInput: [Float] = [127, -63.5, 0, -254, 127, 1]
    static let goldenBytes: [UInt8] = [
        0x00, 0x00, 0x80, 0x3F,  // scale row 0: 127 / 127 = 1.0
        0x00, 0x00, 0x00, 0x40,  // scale row 1: 254 / 127 = 2.0
        0x7F, 0xC0, 0x00,  // 127, round(-63.5) = -64 (even), 0
        0x81, 0x40, 0x00,  // -127, round(63.5) = 64 (even), round(0.5) = 0 (even)
    ]

    @Test func encodesTheGoldenBytesForA2x3Input() throws {
        let output = try quantizer.encode(Self.goldenInput, shape: [2, 3], tensorName: "w")
        #expect([UInt8](output.bytes) == Self.goldenBytes)
        #expect(output.parameters == ["granularity": "per_channel", "rows": "2", "columns": "3"])
    }

    @Test func encodingIsDeterministic() throws {
        var generator = SplitMix64(seed: 5)
        let values = generator.floats(count: 96)
        let first = try quantizer.encode(values, shape: [8, 12], tensorName: "w")
        let second = try quantizer.encode(values, shape: [8, 12], tensorName: "w")
        #expect(first == second)
    }
}
