import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct MagnitudePruningTests {
    private func encode(_ recipe: String, _ values: [Float]) throws -> TransformOutput {
        let stage = try MagnitudePruning(recipeArguments: recipe.split(separator: ":").map(String.init))
        return try stage.encode(values, shape: Shape([values.count]), tensorName: "w")
    }

    private func decode(_ output: TransformOutput, count: Int) throws -> [Float] {
        try MagnitudePruning.decode(
            output.sections, parameters: output.parameters, shape: Shape([count]), tensorName: "w")
    }

    /// Values drawn from a few magnitudes, so ties at the cut are common.
    private static func tiedValues(count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float(generator.int(below: 9) - 4) * 0.25 }
    }

    @Test(arguments: [0.0, 0.1, 0.5, 0.77, 0.9, 0.99], [0, 1, 7, 1_000])
    func sparsityPrunesExactlyTheRoundedCountSmallestFirstTiesByIndex(sparsity: Double, count: Int) throws {
        let values = Self.tiedValues(count: count, seed: UInt64(count))
        let output = try encode("\(sparsity)", values)
        let target = Int((sparsity * Double(count)).rounded())
        #expect(output.parameters["pruned"] == "\(target)")
        let order = values.indices.sorted { (abs(values[$0]), $0) < (abs(values[$1]), $1) }
        let pruned = Set(order.prefix(target))
        let decoded = try decode(output, count: count)
        for index in values.indices {
            #expect(decoded[index] == (pruned.contains(index) ? 0 : values[index]), "element \(index)")
        }
    }

    @Test func thresholdPrunesBelowAndKeepsAtOrAbove() throws {
        let values: [Float] = [0.5, -0.25, 0.2499, -0.5, 0, 0.25, 1, -0.0001]
        let decoded = try decode(try encode("threshold=0.25", values), count: 8)
        #expect(decoded == [0.5, -0.25, 0, -0.5, 0, 0.25, 1, 0])
    }

    @Test func denseSurvivorsChooseTheBitmapAndSparseOnesTheRelativeIndex() throws {
        let values = ClusteringReference.bellValues(count: 4_096, seed: 2)
        let dense = try encode("0.2", values)
        #expect(dense.parameters["index"] == "bitmap")
        #expect(dense.sections[0].bytes.count == 512)
        let sparse = try encode("0.97", values)
        #expect(sparse.parameters["index"] == "relative")
        let gapBits = Int(sparse.parameters["gapBits"]!)!
        #expect((3...8).contains(gapBits))
        // The chosen encoding is no larger than the other one.
        let bitmapTotal = 512 + 4 * (4_096 - Int(sparse.parameters["pruned"]!)!)
        #expect(sparse.sections[0].bytes.count + sparse.sections[1].bytes.count < bitmapTotal)
        for output in [dense, sparse] {
            let decoded = try decode(output, count: 4_096)
            #expect(zip(values, decoded).allSatisfy { $1 == 0 || $0 == $1 })
        }
    }

    @Test(arguments: ["bitmap", "relative"])
    func forcedIndexEncodingsRoundTrip(index: String) throws {
        let values = ClusteringReference.bellValues(count: 999, seed: 12)
        let output = try encode("0.6:index=\(index)", values)
        #expect(output.parameters["index"] == index)
        let expected = try decode(try encode("0.6", values), count: 999)
        #expect(try decode(output, count: 999) == expected)
        #expect(
            try MagnitudePruning.outputKinds(parameters: output.parameters, shape: [999]) == output.sections.map(\.kind)
        )
    }

    @Test func longGapsGetFillerEntriesHoldingZero() throws {
        var values = [Float](repeating: 0, count: 2_000)
        values[0] = 1
        values[300] = -2
        values[1_000] = 3
        values[1_999] = 4
        let output = try encode("threshold=0.5:index=relative", values)
        let gapBits = Int(output.parameters["gapBits"]!)!
        let span = 1 << gapBits
        let gaps = [0, 299, 699, 998]
        let fillers = gaps.reduce(0) { $0 + $1 / span }
        #expect(output.parameters["fillers"] == "\(fillers)")
        #expect(output.parameters["survivors"] == "\(4 + fillers)")
        let survivors = output.sections[1].bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(survivors.filter { $0 != 0 } == [1, -2, 3, 4])
        #expect(survivors.count == 4 + fillers)
        #expect(try decode(output, count: 2_000) == values)
        // Every width gives the same values back; 8-bit gaps need 1 + 2 + 3 fillers.
        let eight = try MagnitudePruning(threshold: 0.5, index: .relative).encode(
            values, shape: [2_000], tensorName: "w")
        #expect(try decode(eight, count: 2_000) == values)
    }

    @Test func relativeGapsOfExactlyTheLargestFieldNeedNoFiller() throws {
        // With 2-bit gaps: a gap of 3 fits in one field, a gap of 4 needs one filler.
        var values = [Float](repeating: 0, count: 10)
        values[3] = 1
        values[8] = 2
        let output = try MagnitudePruning(threshold: 0.5, index: .relative).encode(values, shape: [10], tensorName: "w")
        #expect(try decode(output, count: 10) == values)
        #expect(Int(output.parameters["survivors"]!)! >= 2)
    }

    @Test func globalThresholdEqualsTheQuantileOfTheSortedConcatenation() throws {
        var generator = SplitMix64(seed: 31)
        let tensors = (0..<5).map { index in generator.floats(count: 200 + 37 * index, magnitude: Float(index + 1)) }
        let magnitudes = tensors.flatMap { $0 }.map(abs).sorted()
        for sparsity in [0.0, 0.25, 0.5, 0.9, 0.999] {
            let rank = Int((sparsity * Double(magnitudes.count)).rounded())
            let threshold = MagnitudeThreshold.threshold(forSparsity: sparsity, magnitudesOf: tensors)
            #expect(threshold == magnitudes[rank], "sparsity \(sparsity)")
        }
        #expect(MagnitudeThreshold.threshold(forSparsity: 0.5, magnitudesOf: []) == 0)
        #expect(MagnitudeThreshold.threshold(forSparsity: 0.9, magnitudesOf: [[3, -5]]) == Float(5).nextUp)
    }

    @Test func mergedHistogramsGiveTheSameThreshold() throws {
        var generator = SplitMix64(seed: 8)
        let parts = (0..<3).map { _ in generator.floats(count: 500, magnitude: 0.1) + [.nan] }
        var merged = MagnitudeHistogram()
        for part in parts {
            var histogram = MagnitudeHistogram()
            histogram.add(part)
            merged.merge(histogram)
        }
        #expect(merged.count == 1_500)
        #expect(merged.nonFiniteCount == 3)
        var refinement = merged.refinement(forSparsity: 0.3)
        #expect(refinement.needsSecondPass)
        for part in parts { refinement.add(part) }
        let finite = parts.flatMap { $0 }.filter(\.isFinite)
        #expect(refinement.threshold == MagnitudeThreshold.threshold(forSparsity: 0.3, magnitudesOf: [finite]))
    }

    @Test func globalPruningWithItsThresholdKeepsTiesAtTheThreshold() throws {
        let values: [Float] = [0.1, -0.2, 0.2, 0.3, -0.4]
        let threshold = MagnitudeThreshold.threshold(forSparsity: 0.2, magnitudesOf: [values])
        #expect(threshold == 0.2)
        let stage = try MagnitudePruning(recipeArguments: ["0.2", "global"])
        #expect(throws: TransformError.self) { try stage.encode(values, shape: [5], tensorName: "w") }
        let output = try stage.withThreshold(threshold).encode(values, shape: [5], tensorName: "w")
        #expect(try decode(output, count: 5) == [0, -0.2, 0.2, 0.3, -0.4])
        #expect(stage.withThreshold(threshold).recipeText == "prune:0.2:global:threshold=0.2")
    }

    @Test func prunedSurvivorsClusteredKeepTheirZerosExact() throws {
        var values = ClusteringReference.bellValues(count: 3_000, seed: 17)
        for index in stride(from: 0, to: 3_000, by: 3) { values[index] = 0 }
        let pruned = try encode("0.95:index=relative", values)
        let survivors = pruned.sections[1].bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(survivors.contains(0), "filler zeros are present")
        let clustered = try WeightClustering(bits: 2).encode(
            survivors, shape: Shape([survivors.count]), tensorName: "w")
        let decodedSurvivors = try WeightClustering.decode(
            clustered.sections, parameters: clustered.parameters, shape: Shape([survivors.count]), tensorName: "w")
        for (before, after) in zip(survivors, decodedSurvivors) where before == 0 { #expect(after == 0) }
        var sections = pruned.sections
        sections[1] = PayloadSection(float32: decodedSurvivors, shape: Shape([survivors.count]))
        let dense = try MagnitudePruning.decode(
            sections, parameters: pruned.parameters, shape: [3_000], tensorName: "w")
        #expect(dense.filter { $0 != 0 }.count <= 150)
    }

    @Test func nonFiniteValuesAreRefusedWithTheirCount() throws {
        let error = #expect(throws: TransformError.self) { try encode("0.5", [1, .nan, 2, .infinity]) }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.message.hasPrefix("2 of 4 elements") == true)
    }

    @Test func recipeTextIsCanonical() throws {
        #expect(try MagnitudePruning(recipeArguments: ["0.5"]).recipeText == "prune:0.5")
        #expect(
            try MagnitudePruning(recipeArguments: ["index=relative", "threshold=0.125"]).recipeText
                == "prune:threshold=0.125:index=relative")
        #expect(
            try MagnitudePruning(recipeArguments: ["0.9", "global", "index=auto"]).recipeText == "prune:0.9:global")
    }

    static let badRecipes: [[String]] = [
        [], ["1"], ["1.5"], ["-0.1"], ["nan"], ["0.5", "0.6"], ["global"], ["0.5", "global", "global"],
        ["threshold=-1"], ["threshold=nan"], ["threshold=x"], ["0.5", "index=tree"], ["0.5", "depth=2"], ["half"],
    ]

    @Test(arguments: badRecipes)
    func badRecipeArgumentsAreRefused(arguments: [String]) {
        let error = #expect(throws: TransformError.self) { try MagnitudePruning(recipeArguments: arguments) }
        #expect(error?.code == .invalidParameter)
    }
}
