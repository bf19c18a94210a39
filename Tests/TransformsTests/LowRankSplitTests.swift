import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct LowRankSplitTests {
    private static func split(_ argument: String) throws -> LowRankSplit {
        try LowRankSplit(recipeArguments: [argument])
    }

    private static func roundTrip(_ split: LowRankSplit, _ values: [Float], shape: Shape) throws -> (
        TransformOutput, [Float]
    ) {
        let output = try split.encode(values, shape: shape, tensorName: "w")
        let decoded = try LowRankSplit.decode(
            output.sections, parameters: output.parameters, shape: shape, tensorName: "w")
        return (output, decoded)
    }

    @Test(arguments: [(Shape([40, 24]), 4), (Shape([24, 40]), 4), (Shape([40, 4, 6]), 3), (Shape([64, 64]), 1)])
    func recoversARankRMatrixExactlyAtRankR(shape: Shape, rank: Int) throws {
        let rows = shape.dimensions[0]
        let columns = try shape.elementCount() / rows
        let values = LowRankMatrices.product(rows: rows, columns: columns, rank: rank, seed: UInt64(rows * 31 + rank))
        let (output, decoded) = try Self.roundTrip(Self.split("rank=\(rank)"), values, shape: shape)
        #expect(output.sections.map(\.kind) == [.elements(.float32, Shape([rows + columns, rank]))])
        #expect(output.parameters["rows"] == String(rows))
        #expect(output.parameters["columns"] == String(columns))
        #expect(output.parameters["rank"] == String(rank))
        #expect(output.parameters["method"] == "dgesdd")
        #expect(try #require(output.parameters["retained_energy"].flatMap(Double.init)) > 1 - 1e-9)
        #expect(decoded.count == values.count)
        #expect(LowRankMatrices.relativeError(decoded, values) < 1e-5)
    }

    @Test func truncationErrorIsTheEnergyOfTheDroppedSingularValues() throws {
        let singularValues: [Double] = [8, 4, 2, 1, 0.5, 0.25]
        let values = LowRankMatrices.withSingularValues(singularValues, rows: 48, columns: 32)
        let (output, decoded) = try Self.roundTrip(Self.split("rank=2"), values, shape: [48, 32])
        // Eckart–Young: ‖W − W_2‖_F² = Σ_{i≥2} s_i².
        let expected = (4.0 + 1 + 0.25 + 0.0625) / (64 + 16 + 4 + 1 + 0.25 + 0.0625)
        let relative = LowRankMatrices.relativeError(decoded, values)
        #expect(abs(relative * relative - expected) < 1e-5)
        let retained = try #require(output.parameters["retained_energy"].flatMap(Double.init))
        #expect(abs(retained - (1 - expected)) < 1e-6)
    }

    /// Energies of s = [8, 4, 2, 1, 0.5, 0.25]: cumulative fractions 0.750, 0.938, 0.985, 0.996, 0.999, 1.
    @Test(arguments: [(0.5, 1), (0.75, 1), (0.9, 2), (0.98, 3), (0.99, 4), (0.999, 5), (1.0, 6)])
    func energyModePicksTheSmallestRankRetainingTheFraction(energy: Double, rank: Int) throws {
        let singularValues: [Double] = [8, 4, 2, 1, 0.5, 0.25]
        let values = LowRankMatrices.withSingularValues(singularValues, rows: 48, columns: 32)
        let output = try Self.split("energy=\(energy)").encode(values, shape: [48, 32], tensorName: "w")
        if energy == 1.0 {
            // Float32 rounding leaves tiny non-zero singular values past s_5; energy=1 keeps them too.
            #expect(try #require(output.parameters["rank"].flatMap { Int($0) }) >= rank)
        } else {
            #expect(output.parameters["rank"] == String(rank))
        }
        #expect(LowRankSplit.rank(retaining: energy, singularValues: singularValues) == rank)
    }

    @Test func rankForAnAllZeroMatrixIsOne() {
        #expect(LowRankSplit.rank(retaining: 0.99, singularValues: [0, 0, 0]) == 1)
    }

    @Test func bothFactorsCarryTheSquareRootOfEachSingularValue() throws {
        let singularValues: [Double] = [9, 4, 1]
        let values = LowRankMatrices.withSingularValues(singularValues, rows: 20, columns: 12)
        let output = try Self.split("rank=3").encode(values, shape: [20, 12], tensorName: "w")
        let factors = output.sections[0].bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        for t in 0..<3 {
            let a = (0..<20).map { Double(factors[$0 * 3 + t]) }
            let b = (20..<32).map { Double(factors[$0 * 3 + t]) }
            let normA = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let normB = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(normA - singularValues[t].squareRoot()) < 1e-5, "column \(t) of A")
            #expect(abs(normB - singularValues[t].squareRoot()) < 1e-5, "column \(t) of B")
        }
    }

    @Test func encodeRefusesASplitThatSavesNoElements() throws {
        var generator = SplitMix64(seed: 5)
        let values = generator.floats(count: 64)
        let error = #expect(throws: TransformError.self) {
            try Self.split("energy=0.999").encode(values, shape: [8, 8], tensorName: "layer.0.w")
        }
        #expect(error?.code == .notBeneficial)
        #expect(error?.tensorName == "layer.0.w")
        #expect(error?.message.contains("m = 8, n = 8") == true)
        #expect(error?.message.contains("rank-") == true)
    }

    @Test(arguments: [
        (Shape([16]), "rank=1", TransformError.Code.invalidParameter),
        (Shape([]), "energy=0.9", .invalidParameter),
        (Shape([8, 40]), "rank=9", .invalidParameter),
        (Shape([8, 8]), "rank=4", .notBeneficial),
        (Shape([2, 2]), "energy=0.5", .notBeneficial),
        (Shape([0, 5]), "energy=0.5", .notBeneficial),
    ])
    func validateRefusesTensorsItCannotSplitProfitably(shape: Shape, argument: String, code: TransformError.Code)
        throws
    {
        let split = try Self.split(argument)
        let error = #expect(throws: TransformError.self) { try split.validate(shape: shape, tensorName: "w") }
        #expect(error?.code == code)
        #expect(error?.tensorName == "w")
    }

    @Test func validateAcceptsTheLargestBeneficialRank() throws {
        // 5 × (16 + 8) = 120 < 16 × 8 = 128; 6 × 24 = 144 is not.
        try Self.split("rank=5").validate(shape: [16, 8], tensorName: "w")
        #expect(throws: TransformError.self) { try Self.split("rank=6").validate(shape: [16, 8], tensorName: "w") }
    }

    @Test func encodeRefusesNonFiniteValues() throws {
        var values = [Float](repeating: 1, count: 64)
        values[3] = .nan
        values[9] = .infinity
        let error = #expect(throws: TransformError.self) {
            try Self.split("rank=1").encode(values, shape: [16, 4], tensorName: "w")
        }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.message.hasPrefix("2 of 64") == true)
    }

    @Test(arguments: ["rank=64", "energy=0.99", "energy=1.0", "rank=1"])
    func recipeTextRecreatesTheSplit(argument: String) throws {
        let split = try Self.split(argument)
        #expect(split.recipeText == "lowrank:\(argument)")
        #expect(try LowRankSplit(recipeArguments: [String(split.recipeText.dropFirst("lowrank:".count))]) == split)
    }

    @Test(arguments: [
        [], ["rank=0"], ["rank=-3"], ["energy=0"], ["energy=1.5"], ["energy=nan"], ["rank=x"],
        ["bits=4"], ["rank=4", "energy=0.9"], ["rank"],
    ])
    func recipeRefusesAnythingButOneRankOrEnergy(arguments: [String]) {
        let error = #expect(throws: TransformError.self) { try LowRankSplit(recipeArguments: arguments) }
        #expect(error?.code == .invalidParameter)
    }

    @Test func outputKindsMatchWhatEncodeProduced() throws {
        let values = LowRankMatrices.product(rows: 30, columns: 20, rank: 2, seed: 9)
        let output = try Self.split("energy=0.95").encode(values, shape: [30, 2, 10], tensorName: "w")
        let kinds = try LowRankSplit.outputKinds(parameters: output.parameters, shape: [30, 2, 10])
        #expect(kinds == output.sections.map(\.kind))
        #expect(kinds == [.elements(.float32, Shape([50, 2]))])
        #expect(LowRankSplit.stageName == "lowrank")
    }
}
