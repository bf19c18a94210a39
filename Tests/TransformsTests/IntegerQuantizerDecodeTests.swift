import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct IntegerQuantizerDecodeTests {
    private static func encoded(_ arguments: [String], shape: Shape = [4, 8], seed: UInt64 = 3) throws
        -> TransformOutput
    {
        var generator = SplitMix64(seed: seed)
        return try IntegerQuantizer(recipeArguments: arguments).encode(
            generator.floats(count: try shape.elementCount()), shape: shape, tensorName: "w")
    }

    private static func decodeError(
        _ sections: [PayloadSection], _ parameters: [String: String], shape: Shape = [4, 8]
    ) -> TransformError? {
        #expect(throws: TransformError.self) {
            try IntegerQuantizer.decode(sections, parameters: parameters, shape: shape, tensorName: "w")
        }
    }

    @Test(arguments: IntegerQuantizerTests.recipes)
    func decodeBytesHoldsTheDecodedValuesBitForBit(arguments: [String]) throws {
        let output = try Self.encoded(arguments, shape: [6, 64])
        let values = try IntegerQuantizer.decode(
            output.sections, parameters: output.parameters, shape: [6, 64], tensorName: "w")
        let bytes = try IntegerQuantizer.decodeBytes(
            output.sections, parameters: output.parameters, shape: [6, 64], tensorName: "w")
        #expect(bytes == values.withUnsafeBytes { Data($0) })
        var corrupt = output.sections
        corrupt[corrupt.count - 1].bytes.removeLast()
        #expect(throws: TransformError.self) {
            try IntegerQuantizer.decodeBytes(corrupt, parameters: output.parameters, shape: [6, 64], tensorName: "w")
        }
    }

    @Test(arguments: IntegerQuantizerTests.recipes)
    func aSectionOfTheWrongLengthIsCorrupt(arguments: [String]) throws {
        let output = try Self.encoded(arguments)
        for index in output.sections.indices {
            for delta in [-1, 1] {
                var sections = output.sections
                if delta < 0 { sections[index].bytes.removeLast() } else { sections[index].bytes.append(0) }
                let error = Self.decodeError(sections, output.parameters)
                #expect(error?.code == .corruptPayload, "\(arguments) section \(index) \(delta)")
                #expect(error?.message.contains("holds") == true, "\(error?.message ?? "")")
            }
        }
        #expect(Self.decodeError(Array(output.sections.dropLast()), output.parameters)?.code == .corruptPayload)
        #expect(Self.decodeError(output.sections + [output.sections[0]], output.parameters)?.code == .corruptPayload)
    }

    @Test func theMostNegativeSymmetricCodeIsRefused() throws {
        for (arguments, bad) in [(["int4"], UInt8(0x08)), (["int2"], UInt8(0b10)), (["int8"], UInt8(0x80))] {
            var output = try Self.encoded(arguments)
            output.sections[1].bytes[output.sections[1].bytes.startIndex] = bad
            let error = Self.decodeError(output.sections, output.parameters)
            #expect(error?.code == .corruptPayload, "\(arguments)")
            #expect(error?.message.contains("code 0 is") == true, "\(error?.message ?? "")")
        }
        var bytes = try Self.encoded(["int4", "packing=bytes"])
        bytes.sections[1].bytes[bytes.sections[1].bytes.startIndex + 3] = 8  // 8 > 7 in a byte
        #expect(Self.decodeError(bytes.sections, bytes.parameters)?.message.contains("code 3 is 8") == true)
        var affine = try Self.encoded(["int2", "asym", "packing=bytes"])
        affine.sections[2].bytes[affine.sections[2].bytes.startIndex] = 4
        #expect(Self.decodeError(affine.sections, affine.parameters)?.code == .corruptPayload)
    }

    @Test func aSetPaddingBitIsRefused() throws {
        var output = try Self.encoded(["int4"], shape: [7])
        let last = output.sections[1].bytes.endIndex - 1
        output.sections[1].bytes[last] |= 0x10
        let error = Self.decodeError(output.sections, output.parameters, shape: [7])
        #expect(error?.message.contains("unused high bits") == true, "\(error?.message ?? "")")
    }

    @Test func negativeOrNonFiniteScalesAndLargeZeroPointsAreRefused() throws {
        var output = try Self.encoded(["int4", "asym"])
        var negative = output.sections
        negative[0].bytes[negative[0].bytes.startIndex + 3] |= 0x80
        #expect(Self.decodeError(negative, output.parameters)?.message.contains("scale 0 is") == true)
        var infinite = output.sections
        infinite[0].bytes.replaceSubrange(
            infinite[0].bytes.startIndex..<(infinite[0].bytes.startIndex + 4), with: [0, 0, 0x80, 0x7F])
        #expect(Self.decodeError(infinite, output.parameters)?.code == .corruptPayload)
        output.sections[1].bytes[output.sections[1].bytes.startIndex] = 16
        #expect(Self.decodeError(output.sections, output.parameters)?.message.contains("zero point 0 is 16") == true)
    }

    @Test func parametersThatDisagreeWithTheShapeOrAreUnknownAreRefused() throws {
        let output = try Self.encoded(["int4", "group=4"])
        for (key, value) in [
            ("rows", "5"), ("columns", "7"), ("format", "int3"), ("mode", "affine"), ("scale", "bf16"),
            ("packing", "nibbles"), ("granularity", "per_row"), ("group", "0"), ("group", "3"),
        ] {
            var parameters = output.parameters
            parameters[key] = value
            let error = Self.decodeError(output.sections, parameters)
            #expect(error?.code == .invalidParameter || error?.code == .blockSizeNotDivisor, "\(key)=\(value)")
        }
        #expect(Self.decodeError(output.sections, output.parameters, shape: [8, 4])?.code == .invalidParameter)
        var missing = output.parameters
        missing["format"] = nil
        #expect(throws: TransformError.self) { try IntegerQuantizer.outputKinds(parameters: missing, shape: [4, 8]) }
    }

    @Test(arguments: IntegerQuantizerTests.recipes)
    func randomByteMutationsThrowOrDecodeButNeverTrap(arguments: [String]) throws {
        let output = try Self.encoded(arguments, shape: [4, 8], seed: 9)
        var generator = SplitMix64(seed: 17)
        var thrown = 0
        for _ in 0..<200 {
            var sections = output.sections
            let index = generator.int(below: sections.count)
            guard !sections[index].bytes.isEmpty else { continue }
            let offset = sections[index].bytes.startIndex + generator.int(below: sections[index].bytes.count)
            sections[index].bytes[offset] ^= UInt8(1 << generator.int(below: 8))
            do {
                let decoded = try IntegerQuantizer.decode(
                    sections, parameters: output.parameters, shape: [4, 8], tensorName: "w")
                #expect(decoded.count == 32)
            } catch {
                #expect(error.code == .corruptPayload, "\(error)")
                thrown += 1
            }
        }
        #expect(thrown > 0, "some flips (a scale's sign bit, an out-of-grid code) must be caught")
    }

    @Test func recipeTextRoundTripsAndOmitsDefaults() throws {
        let cases: [([String], String)] = [
            (["int4", "group=32"], "quant:int4:group=32"),
            (["int8", "sym", "per_channel", "scale=f32", "packing=bits"], "quant:int8"),
            (
                ["packing=bytes", "scale=f16", "per_tensor", "asym", "int2"],
                "quant:int2:asym:per_tensor:scale=f16:packing=bytes"
            ),
        ]
        for (arguments, text) in cases {
            let quantizer = try IntegerQuantizer(recipeArguments: arguments)
            #expect(quantizer.recipeText == text)
            let again = try IntegerQuantizer(
                recipeArguments: Array(text.split(separator: ":").dropFirst().map(String.init)))
            #expect(again.recipeText == text)
        }
    }

    @Test(
        arguments: [
            [], ["int3"], ["int4", "int8"], ["int4", "group=0"], ["int4", "group=x"], ["int4", "scale=bf16"],
            ["int4", "per_row"], ["int4", "sym", "asym"],
        ] as [[String]])
    func badRecipeArgumentsAreRefusedWithTheAcceptedWords(arguments: [String]) throws {
        let error = #expect(throws: TransformError.self) { try IntegerQuantizer(recipeArguments: arguments) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("accepted: int8|int4|int2") == true, "\(error?.message ?? "")")
    }
}
