import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct EntropyCodedQuantizerTests {
    private static func roundTrip(_ arguments: [String], _ values: [Float], _ shape: Shape) throws
        -> (TransformOutput, [Float])
    {
        let output = try EntropyCodedQuantizer(recipeArguments: arguments).encode(values, shape: shape, tensorName: "w")
        #expect(
            output.sections.map(\.kind)
                == (try EntropyCodedQuantizer.outputKinds(parameters: output.parameters, shape: shape)))
        let decoded = try EntropyCodedQuantizer.decode(
            output.sections, parameters: output.parameters, shape: shape, tensorName: "w")
        return (output, decoded)
    }

    private static func snrDecibels(_ values: [Float], _ decoded: [Float]) -> Double {
        let signal = values.reduce(0.0) { $0 + Double($1) * Double($1) }
        let noise = zip(values, decoded).reduce(0.0) {
            $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1))
        }
        return 10 * log10(signal / noise)
    }

    /// Rows of very different scales, one all zero, Gaussian-like (sums of uniforms) as weights are.
    private static func weights(rows: Int, columns: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<rows).flatMap { row -> [Float] in
            guard row != 2 else { return [Float](repeating: 0, count: columns) }
            let scale = Float([0.01, 0.05, 1, 0.2, 3e-4][row % 5])
            return (0..<columns).map { _ in (generator.floats(count: 4).reduce(0, +)) * scale }
        }
    }

    @Test(arguments: [10.0, 20, 30, 40, 55])
    func theAchievedSNRMeetsTheTargetAndIsClose(target: Double) throws {
        let values = Self.weights(rows: 12, columns: 96, seed: UInt64(target))
        let (output, decoded) = try Self.roundTrip(["snr=\(target)"], values, [12, 96])
        let achieved = Self.snrDecibels(values, decoded)
        #expect(achieved >= target, "achieved \(achieved) dB for a target of \(target)")
        #expect(achieved < target + 0.5, "achieved \(achieved) dB is far above the target \(target)")
        #expect(output.parameters["mode"] == "snr")
        #expect(output.parameters["target_snr_db"] == String(Int(target)))
        #expect(abs(Double(output.parameters["snr_db"]!)! - achieved) < 1e-3)
        #expect(decoded[(2 * 96)..<(3 * 96)].allSatisfy { $0 == 0 })
    }

    @Test func relativeStepsAreTheRowRMSTimesRRoundedToFloat16() throws {
        let values: [Float] = [3, -4, 0, 0, 0, 0, 0, 0, 1, 1, -1, -1]  // RMS: √(25 / 4) = 2.5, 0, 1
        let (output, decoded) = try Self.roundTrip(["rel=0.1"], values, [3, 4])
        let steps = output.sections[0].bytes.withUnsafeBytes { FloatConversion.float32(fromFloat16LE: $0) }
        #expect(steps == [Float(Float16(0.25)), 0, Float(Float16(0.1))])
        #expect(output.sections[1].kind == .bytes(symbolWidth: 1))
        let integers = [Int8](output.sections[1].bytes.map { Int8(bitPattern: $0) })
        #expect(integers == [12, -16, 0, 0, 0, 0, 0, 0, 10, 10, -10, -10])
        #expect(decoded[0] == 12 * Float(Float16(0.25)))
        #expect(
            output.parameters == [
                "mode": "rel", "rel": "0.1", "width": "1", "rows": "3", "columns": "4",
                "snr_db": output.parameters["snr_db"]!,
            ])
    }

    @Test func anAbsoluteStepIsAParameterAndTheErrorIsAtMostHalfAStep() throws {
        var generator = SplitMix64(seed: 8)
        let values = generator.floats(count: 200, magnitude: 1) + [0, -0.0]
        let (output, decoded) = try Self.roundTrip(["step=0.01"], values, [202])
        #expect(output.sections.count == 1)
        #expect(output.parameters["step"] == "0.01")
        #expect(output.parameters["rows"] == "1" && output.parameters["columns"] == "202")
        for index in values.indices {
            #expect(abs(Double(values[index]) - Double(decoded[index])) <= 0.005 * (1 + 1e-6), "\(index)")
        }
        #expect(decoded[200] == 0 && decoded[201] == 0)
    }

    @Test func theIntegerWidthIsTheLeastThatHoldsEveryInteger() throws {
        for (values, width) in [
            ([127, -128], 1), ([128, 0], 2), ([-129, 5], 2), ([32767, -32768], 2), ([40000, 1], 4),
        ] as [([Float], Int)] {
            let (output, decoded) = try Self.roundTrip(["step=1"], values, [2])
            #expect(output.parameters["width"] == String(width))
            #expect(output.sections[0].kind == .bytes(symbolWidth: width))
            #expect(output.sections[0].bytes.count == 2 * width)
            #expect(decoded == values)
        }
    }

    @Test func anAllZeroTensorHasStepsZeroAndDecodesToZeros() throws {
        for arguments in [["snr=30"], ["rel=0.05"], ["step=0.5"]] {
            let (output, decoded) = try Self.roundTrip(arguments, [Float](repeating: 0, count: 8), [2, 4])
            #expect(decoded == [Float](repeating: 0, count: 8))
            #expect(output.parameters["snr_db"] == "inf")
        }
        let (empty, none) = try Self.roundTrip(["snr=30"], [], [0, 4])
        #expect(none.isEmpty && empty.sections[0].bytes.isEmpty)
    }

    @Test func anIntegerBeyondInt32IsRefusedNamingTheTensor() throws {
        let error = #expect(throws: TransformError.self) {
            try EntropyCodedQuantizer(stepRule: .absolute(1e-6)).encode([1, 3000], shape: [2], tensorName: "lm_head")
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.tensorName == "lm_head")
        #expect(error?.message.contains("element 1 is 3000") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("use a larger step") == true)
    }

    @Test(
        arguments: [
            ["snr=0"], ["snr=301"], ["rel=-1"], ["step=0"], ["step=inf"], ["step=x"], ["bits=4"], [],
            ["snr=30", "rel=0.1"],
        ] as [[String]])
    func badRecipeArgumentsAreRefused(arguments: [String]) throws {
        let error = #expect(throws: TransformError.self) { try EntropyCodedQuantizer(recipeArguments: arguments) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("step=ABS") == true, "\(error?.message ?? "")")
    }

    @Test func recipeTextRoundTrips() throws {
        for text in ["ecsq:snr=30", "ecsq:snr=32.5", "ecsq:rel=0.05", "ecsq:step=0.001"] {
            let arguments = text.split(separator: ":").dropFirst().map(String.init)
            #expect(try EntropyCodedQuantizer(recipeArguments: arguments).recipeText == text)
        }
    }

    @Test(arguments: [Float.nan, .infinity])
    func nonFiniteValuesAreRefusedWithTheirCount(bad: Float) throws {
        let error = #expect(throws: TransformError.self) {
            try EntropyCodedQuantizer(stepRule: .relative(0.1)).encode([bad, 1, bad, bad], shape: [4], tensorName: "w")
        }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.message.hasPrefix("3 of 4 elements") == true)
    }

    @Test(arguments: [["snr=30"], ["step=0.01"]])
    func damagedSectionsThrowAndMutationsNeverTrap(arguments: [String]) throws {
        let values = Self.weights(rows: 4, columns: 16, seed: 3)
        let output = try EntropyCodedQuantizer(recipeArguments: arguments).encode(
            values, shape: [4, 16], tensorName: "w")
        func decode(_ sections: [PayloadSection], _ parameters: [String: String]) throws(TransformError) -> [Float] {
            try EntropyCodedQuantizer.decode(sections, parameters: parameters, shape: [4, 16], tensorName: "w")
        }
        for index in output.sections.indices {
            var sections = output.sections
            sections[index].bytes.removeLast()
            #expect(throws: TransformError.self) { try decode(sections, output.parameters) }
            sections[index].bytes.append(contentsOf: [0, 0])
            #expect(throws: TransformError.self) { try decode(sections, output.parameters) }
        }
        #expect(throws: TransformError.self) { try decode(Array(output.sections.dropFirst()), output.parameters) }
        var badParameters = [("width", "3"), ("mode", "abs"), ("rows", "2"), ("columns", "32")]
        if output.parameters["mode"] == "step" { badParameters += [("step", "-1"), ("step", "nan"), ("step", "")] }
        for (key, value) in badParameters {
            var parameters = output.parameters
            parameters[key] = value
            let error = #expect(throws: TransformError.self) { try decode(output.sections, parameters) }
            #expect(error?.code == .invalidParameter || error?.code == .corruptPayload, "\(key)")
        }
        var generator = SplitMix64(seed: 5)
        var thrown = 0
        for _ in 0..<300 {
            var sections = output.sections
            let index = generator.int(below: sections.count)
            let offset = sections[index].bytes.startIndex + generator.int(below: sections[index].bytes.count)
            sections[index].bytes[offset] ^= UInt8(1 << generator.int(below: 8))
            do { #expect(try decode(sections, output.parameters).count == 64) } catch { thrown += 1 }
        }
        #expect(arguments == ["step=0.01"] || thrown > 0, "flipped sign or exponent bits of steps must be caught")
    }

    @Test func aZeroStepRowWithNonZeroIntegersIsCorrupt() throws {
        var output = try EntropyCodedQuantizer(stepRule: .relative(0.1)).encode(
            [0, 0, 1, 2], shape: [2, 2], tensorName: "w")
        output.sections[1].bytes[output.sections[1].bytes.startIndex] = 1
        let error = #expect(throws: TransformError.self) {
            try EntropyCodedQuantizer.decode(
                output.sections, parameters: output.parameters, shape: [2, 2], tensorName: "w")
        }
        #expect(error?.message.contains("row 0 has step 0") == true, "\(error?.message ?? "")")
    }
}
