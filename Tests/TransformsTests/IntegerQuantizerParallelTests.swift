import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

/// Large tensors are quantized in ranges of rows on several cores; the bytes must not depend on that.
struct IntegerQuantizerParallelTests {
    /// 1024 rows of 1024: enough elements for several ranges.
    private static func values(seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<1024).flatMap { row in generator.floats(count: 1024, magnitude: Float(row % 7 + 1) * 0.01) }
    }

    @Test func int8PerChannelOfALargeTensorIsByteIdenticalToTheSequentialInt8Quantizer() throws {
        let values = Self.values(seed: 11)
        let shape: Shape = [1024, 1024]
        let reference = try Int8Quantizer().encode(values, shape: shape, tensorName: "w")
        let output = try IntegerQuantizer(format: .int8).encode(values, shape: shape, tensorName: "w")
        #expect(output.sections.count == 2)
        #expect(output.sections[0].bytes + output.sections[1].bytes == reference.bytes)
    }

    @Test(arguments: ["int4:group=32", "int4:group=32:asym", "int2:per_channel", "int8:asym:scale=f16"])
    func everyRunOfALargeTensorMatchesTheSameRunQuantizedAlone(recipe: String) throws {
        let values = Self.values(seed: 12)
        let quantizer = try IntegerQuantizer(recipeArguments: recipe.split(separator: ":").map(String.init))
        let whole = try quantizer.encode(values, shape: [1024, 1024], tensorName: "w")
        let wholeDecoded = try IntegerQuantizer.decode(
            whole.sections, parameters: whole.parameters, shape: [1024, 1024], tensorName: "w")
        // Rows quantize independently (per channel or per group within a row): row 700 alone decodes the same.
        let row = Array(values[(700 * 1024)..<(701 * 1024)])
        let alone = try quantizer.encode(row, shape: [1, 1024], tensorName: "w")
        let aloneDecoded = try IntegerQuantizer.decode(
            alone.sections, parameters: alone.parameters, shape: [1, 1024], tensorName: "w")
        #expect(Array(wholeDecoded[(700 * 1024)..<(701 * 1024)]).map(\.bitPattern) == aloneDecoded.map(\.bitPattern))
    }
}
