import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct IntegerQuantizerTests {
    /// Every recipe shape the stage accepts, for sweeps.
    static let recipes: [[String]] = [
        ["int8"], ["int8", "asym"], ["int8", "per_tensor"], ["int8", "group=4", "scale=f16"],
        ["int4"], ["int4", "asym"], ["int4", "group=4"], ["int4", "asym", "group=4", "packing=bytes"],
        ["int4", "per_tensor", "scale=f16"], ["int2"], ["int2", "asym", "group=2"], ["int2", "packing=bytes"],
        ["int2", "asym", "per_tensor", "scale=f16", "packing=bytes"],
    ]

    static let shapes: [[Int]] = [[], [0], [1], [12], [3, 4], [2, 3, 4], [0, 4], [4, 0], [5, 8]]

    private static func roundTrip(_ quantizer: IntegerQuantizer, _ values: [Float], _ shape: Shape) throws
        -> (TransformOutput, [Float])
    {
        let output = try quantizer.encode(values, shape: shape, tensorName: "w")
        let decoded = try IntegerQuantizer.decode(
            output.sections, parameters: output.parameters, shape: shape, tensorName: "w")
        return (output, decoded)
    }

    /// The scales an output holds, widened to Float32.
    private static func scales(_ output: TransformOutput) -> [Float] {
        let bytes = output.sections[0].bytes
        return bytes.withUnsafeBytes { raw in
            output.sections[0].kind == .bytes(symbolWidth: 2)
                ? FloatConversion.float32(fromFloat16LE: raw)
                : (0..<(raw.count / 4)).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                }
        }
    }

    @Test(arguments: recipes, [UInt64(1), 2])
    func roundTripErrorIsAtMostHalfAScale(arguments: [String], seed: UInt64) throws {
        let quantizer = try IntegerQuantizer(recipeArguments: arguments)
        for dimensions in Self.shapes {
            let shape = Shape(dimensions)
            let columns = dimensions.count < 2 ? try shape.elementCount() : dimensions.dropFirst().reduce(1, *)
            if arguments.contains(where: { $0.hasPrefix("group=") }), columns % 4 != 0 { continue }
            var generator = SplitMix64(seed: seed &* 977 &+ UInt64(dimensions.reduce(3, &+)))
            let values = generator.floats(count: try shape.elementCount(), magnitude: 5)
            let (output, decoded) = try Self.roundTrip(quantizer, values, shape)
            try #require(decoded.count == values.count)
            #expect(
                output.sections.map(\.kind)
                    == (try IntegerQuantizer.outputKinds(parameters: output.parameters, shape: shape)))
            let scales = Self.scales(output)
            let runLength = scales.isEmpty ? 1 : values.count / scales.count
            for index in values.indices {
                let scale = Double(scales[index / runLength])
                let bound = scale / 2 + 255 * scale * 0x1p-23
                #expect(
                    abs(Double(values[index]) - Double(decoded[index])) <= bound, "\(arguments) \(shape) [\(index)]")
            }
        }
    }

    @Test(arguments: recipes)
    func zeroDecodesToExactlyZeroEvenWhenEveryOtherValueIsPositive(arguments: [String]) throws {
        let quantizer = try IntegerQuantizer(recipeArguments: arguments)
        // Rows far from zero on one side, with zeros inside: affine grids must widen to hold 0.
        let values: [Float] = [0, 3.1, 7.7, 0, -0.0, -2.2, -9.9, 0, 0.3, 0.31, 0.32, 0, 0, 0, 0, 0]
        let (_, decoded) = try Self.roundTrip(quantizer, values, [4, 4])
        for index in values.indices where values[index] == 0 {
            #expect(decoded[index] == 0, "\(arguments) element \(index) decoded to \(decoded[index])")
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func int8SymmetricPerChannelDecodesExactlyAsInt8Quantizer(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let tiny = Float.leastNonzeroMagnitude
        var rows: [[Float]] = [
            [Float](repeating: 0, count: 16),  // all zero
            [190 * tiny, -190 * tiny] + [Float](repeating: 3 * tiny, count: 14),  // subnormal scale
            [Float](repeating: -5, count: 16),  // constant negative extreme
            [1e-30] + [Float](repeating: 0, count: 15),  // one non-zero
            [.greatestFiniteMagnitude, -.greatestFiniteMagnitude] + generator.floats(count: 14, magnitude: 1e38),
            [2.5, 3.5, -2.5, -0.5, 0.5, 1.5, 127, 63.5, -64.5, 0, 1, 2, 3, 4, 5, 6],  // ties
        ]
        for magnitude: Float in [1e-3, 0.05, 1, 1e4] { rows.append(generator.floats(count: 16, magnitude: magnitude)) }
        let values = rows.flatMap { $0 }
        let shape: Shape = [rows.count, 16]
        let reference = try Int8Quantizer().encode(values, shape: shape, tensorName: "w")
        let expected = try Int8Dequantizer.decode(
            reference.bytes, parameters: reference.parameters, elementCount: values.count, tensorName: "w")
        let (output, decoded) = try Self.roundTrip(IntegerQuantizer(format: .int8), values, shape)
        #expect(decoded.map(\.bitPattern) == expected.map(\.bitPattern))
        // The same bytes too: scales then codes.
        #expect(output.sections[0].bytes + output.sections[1].bytes == reference.bytes)
        // And for 1-D tensors, which Int8Quantizer treats as one row.
        let vector = generator.floats(count: 40, magnitude: 2)
        let vectorReference = try Int8Quantizer().encode(vector, shape: [40], tensorName: "b")
        let (_, vectorDecoded) = try Self.roundTrip(IntegerQuantizer(format: .int8), vector, [40])
        #expect(
            vectorDecoded
                == (try Int8Dequantizer.decode(
                    vectorReference.bytes, parameters: vectorReference.parameters, elementCount: 40, tensorName: "b")))
    }

    @Test func int4PacksTwoCodesPerByteLowNibbleFirst() throws {
        // max|w| = 7, so scale = 1 and the codes are the values: 7, -7, 1, -1, 3, -2, 0.
        let output = try IntegerQuantizer(format: .int4).encode([7, -7, 1, -1, 3, -2, 0], shape: [7], tensorName: "w")
        #expect(Self.scales(output) == [1])
        #expect([UInt8](output.sections[1].bytes) == [0x97, 0xF1, 0xE3, 0x00])
        let bytes = try IntegerQuantizer(format: .int4, packing: .bytes).encode(
            [7, -7, 1, -1, 3, -2, 0], shape: [7], tensorName: "w")
        #expect([UInt8](bytes.sections[1].bytes) == [0x07, 0xF9, 0x01, 0xFF, 0x03, 0xFE, 0x00])
        #expect(bytes.parameters["packing"] == "bytes")
    }

    @Test func int2PacksFourCodesPerByteLowestBitsFirst() throws {
        let output = try IntegerQuantizer(format: .int2).encode([1, -1, 0, 1, -1], shape: [5], tensorName: "w")
        #expect([UInt8](output.sections[1].bytes) == [0b0100_1101, 0b0000_0011])
        let affine = try IntegerQuantizer(format: .int2, mode: .affine).encode(
            [-1, 0, 2, 1, 2], shape: [5], tensorName: "w")
        // lo = -1, hi = 2: scale = 3 / 3 = 1, zero point 1, codes 0, 1, 3, 2, 3.
        #expect(Self.scales(affine) == [1])
        #expect([UInt8](affine.sections[1].bytes) == [1])
        #expect([UInt8](affine.sections[2].bytes) == [0b1011_0100, 0b0000_0011])
    }

    @Test func affineZeroPointIsAnIntegerSoZeroIsOnTheGrid() throws {
        // lo = -0.25, hi = 3.5: scale = 3.75 / 15 = 0.25, z = round(0.25 / 0.25) = 1.
        let values: [Float] = [-0.25, 0, 0.1, 3.5, 1.7, 0, 0.5, 2.0]
        let (output, decoded) = try Self.roundTrip(IntegerQuantizer(format: .int4, mode: .affine), values, [1, 8])
        #expect(
            output.sections.map(\.kind) == [.bytes(symbolWidth: 4), .bytes(symbolWidth: 1), .bytes(symbolWidth: 1)])
        #expect([UInt8](output.sections[1].bytes) == [1])
        #expect(Self.scales(output) == [0.25])
        #expect(decoded[1] == 0 && decoded[5] == 0)
        // All positive: the range is widened to [0, max], so z = 0 and the codes are unsigned.
        let positive: [Float] = [0.5, 1, 1.5, 3]
        let (widened, _) = try Self.roundTrip(IntegerQuantizer(format: .int2, mode: .affine), positive, [4])
        #expect([UInt8](widened.sections[1].bytes) == [0])
        #expect(Self.scales(widened) == [1])
        #expect([UInt8](widened.sections[2].bytes) == [0b1110_0100])  // 0.5 → 0 (even), 1, 2 (1.5 → even), 3
    }

    @Test func allZeroRunsHaveScaleZeroAndCodesZero() throws {
        for arguments in Self.recipes where !arguments.contains("per_tensor") {
            let quantizer = try IntegerQuantizer(recipeArguments: arguments)
            let values: [Float] = [0, 0, -0.0, 0, 1, -2, 3, 4]
            let (output, decoded) = try Self.roundTrip(quantizer, values, [2, 4])
            #expect(Self.scales(output).first == 0, "\(arguments)")
            #expect(decoded[0..<4].allSatisfy { $0 == 0 }, "\(arguments)")
            if arguments.contains("asym") { #expect(output.sections[1].bytes.first == 0, "\(arguments)") }
        }
    }

    @Test func float16ScalesAreRoundedUpSoNoCodeLeavesTheGrid() throws {
        var generator = SplitMix64(seed: 5)
        let values = generator.floats(count: 64 * 16, magnitude: 3)
        for mode in IntegerQuantizer.Mode.allCases {
            let single = try IntegerQuantizer(format: .int4, mode: mode).encode(
                values, shape: [64, 16], tensorName: "w")
            let half = try IntegerQuantizer(format: .int4, mode: mode, scaleType: .float16).encode(
                values, shape: [64, 16], tensorName: "w")
            #expect(half.sections[0].kind == .bytes(symbolWidth: 2))
            #expect(zip(Self.scales(half), Self.scales(single)).allSatisfy { $0 >= $1 })
        }
        let error = #expect(throws: TransformError.self) {
            try IntegerQuantizer(format: .int2, scaleType: .float16).encode([1e6, 1], shape: [2], tensorName: "big")
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("65504") == true, "\(error?.message ?? "")")
    }

    @Test func aGroupThatDoesNotDivideTheRowIsRefusedNamingTensorAndStage() throws {
        let quantizer = try IntegerQuantizer(recipeArguments: ["int4", "group=32"])
        let error = #expect(throws: TransformError.self) {
            try quantizer.validate(shape: [4, 100], tensorName: "encoder.layer.0.weight")
        }
        #expect(error?.code == .blockSizeNotDivisor)
        #expect(error?.tensorName == "encoder.layer.0.weight")
        #expect(
            error?.description
                == "tensor 'encoder.layer.0.weight': stage 'quant:int4:group=32': group size 32 does not divide the row length 100 of shape [4, 100] (rows are dimension 0, a row holds the product of the others); choose a group size that divides 100"
        )
        #expect(throws: TransformError.self) {
            try quantizer.encode([Float](repeating: 1, count: 400), shape: [4, 100], tensorName: "w")
        }
        try quantizer.validate(shape: [4, 2, 16], tensorName: "w")  // the row length is 2 × 16 = 32
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteValuesAreRefusedWithTheirCount(bad: Float) throws {
        let error = #expect(throws: TransformError.self) {
            try IntegerQuantizer(format: .int4).encode([1, bad, 2, bad], shape: [2, 2], tensorName: "w")
        }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.message.hasPrefix("2 of 4 elements") == true, "\(error?.message ?? "")")
    }
}
