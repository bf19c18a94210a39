import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct GGMLBlockTransformTests {
    @Test(arguments: GGMLBlockFormat.allCases)
    func encodesTheQuantizersBlocksAndDecodesAsTheDequantizer(format: GGMLBlockFormat) throws {
        var generator = SplitMix64(seed: 41)
        let values = generator.floats(count: 3 * 64, magnitude: 2)
        let transform = try GGMLBlockTransform(recipeArguments: [format.rawValue])
        let output = try transform.encode(values, shape: [3, 64], tensorName: "w")
        let blocks = try GGMLBlockQuantizer.quantize(values, as: format, tensorName: "w")
        #expect(output.sections == [PayloadSection(kind: .bytes(symbolWidth: 1), bytes: blocks)])
        #expect(output.parameters == ["type": format.rawValue])
        #expect(
            try GGMLBlockTransform.outputKinds(parameters: output.parameters, shape: [3, 64]) == [
                .bytes(symbolWidth: 1)
            ])
        let decoded = try GGMLBlockTransform.decode(
            output.sections, parameters: output.parameters, shape: [3, 64], tensorName: "w")
        let expected = try GGMLBlockDequantizer.dequantize(blocks, as: format, elementCount: 192, tensorName: "w")
        #expect(decoded.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func recipeTakesOneTypeInEitherCase() throws {
        #expect(try GGMLBlockTransform(recipeArguments: ["Q4_0"]).recipeText == "ggml:q4_0")
        #expect(try GGMLBlockTransform(recipeArguments: ["q8_0"]).format == .q8_0)
        for arguments in [[], ["q4_k"], ["q4_0", "q8_0"]] as [[String]] {
            let error = #expect(throws: TransformError.self) { try GGMLBlockTransform(recipeArguments: arguments) }
            #expect(error?.code == .invalidParameter)
            #expect(error?.message.contains("q8_0, q4_0, q4_1, q5_0, q5_1") == true, "\(error?.message ?? "")")
        }
    }

    @Test(arguments: [[4, 100], [48], [], [32, 3]] as [[Int]])
    func aRowLengthThatIsNotAMultipleOf32IsRefused(dimensions: [Int]) throws {
        let transform = GGMLBlockTransform(format: .q4_0)
        let error = #expect(throws: TransformError.self) {
            try transform.validate(shape: Shape(dimensions), tensorName: "embeddings.weight")
        }
        #expect(error?.code == .blockSizeNotDivisor)
        #expect(error?.tensorName == "embeddings.weight")
        #expect(error?.message.contains("stage 'ggml:q4_0'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("multiple of the GGML block size 32") == true)
        try transform.validate(shape: [3, 96], tensorName: "w")
        try transform.validate(shape: [0, 32], tensorName: "w")
    }

    @Test func nonFiniteValuesAreRefusedWithTheirCount() throws {
        var values = [Float](repeating: 1, count: 32)
        values[3] = .nan
        let error = #expect(throws: TransformError.self) {
            try GGMLBlockTransform(format: .q8_0).encode(values, shape: [32], tensorName: "w")
        }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.message.hasPrefix("1 of 32 elements") == true)
    }

    @Test func damagedSectionsAndParametersAreRefused() throws {
        let values = [Float](repeating: 0.5, count: 64)
        let output = try GGMLBlockTransform(format: .q4_1).encode(values, shape: [2, 32], tensorName: "w")
        func error(_ sections: [PayloadSection], _ parameters: [String: String]) -> TransformError? {
            #expect(throws: TransformError.self) {
                try GGMLBlockTransform.decode(sections, parameters: parameters, shape: [2, 32], tensorName: "w")
            }
        }
        var short = output.sections
        short[0].bytes.removeLast()
        #expect(error(short, output.parameters)?.code == .corruptPayload)
        #expect(error(output.sections + output.sections, output.parameters)?.code == .corruptPayload)
        #expect(
            error([PayloadSection(kind: .bytes(symbolWidth: 2), bytes: output.sections[0].bytes)], output.parameters)?
                .code == .corruptPayload)
        #expect(error(output.sections, ["type": "q4_k"])?.code == .invalidParameter)
        #expect(error(output.sections, [:])?.code == .invalidParameter)
        var generator = SplitMix64(seed: 2)
        for _ in 0..<100 {
            var sections = output.sections
            let offset = sections[0].bytes.startIndex + generator.int(below: sections[0].bytes.count)
            sections[0].bytes[offset] = generator.byte()
            let decoded = try GGMLBlockTransform.decode(
                sections, parameters: output.parameters, shape: [2, 32], tensorName: "w")
            #expect(decoded.count == 64)
        }
    }
}
