import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct WeightClusteringTests {
    private func encode(_ recipe: String, _ values: [Float], shape: Shape? = nil) throws -> TransformOutput {
        let stage = try WeightClustering(recipeArguments: recipe.split(separator: ":").map(String.init))
        return try stage.encode(values, shape: shape ?? Shape([values.count]), tensorName: "w")
    }

    private func decode(_ output: TransformOutput, shape: Shape) throws -> [Float] {
        try WeightClustering.decode(output.sections, parameters: output.parameters, shape: shape, tensorName: "w")
    }

    @Test(arguments: [1, 2, 3, 4, 8], ["bits", "bytes"])
    func everyValueDecodesToItsNearestStoredCentroid(bits: Int, packing: String) throws {
        let values = ClusteringReference.bellValues(count: 1_000, seed: UInt64(bits))
        let output = try encode("\(bits)bit:packing=\(packing)", values, shape: [10, 100])
        let codebook = ClusteringReference.codebook(output.sections[0].bytes, width: 4)
        #expect(codebook.count == 1 << bits)
        #expect(codebook == codebook.sorted())
        let decoded = try decode(output, shape: [10, 100])
        for (value, result) in zip(values, decoded) {
            #expect(result == codebook[ClusteringReference.nearest(value, in: codebook)])
        }
        let indexBytes = packing == "bits" ? (1_000 * bits + 7) / 8 : 1_000
        #expect(output.sections[1].bytes.count == indexBytes)
        #expect(output.sections.map(\.kind) == [.bytes(symbolWidth: 4), .bytes(symbolWidth: 1)])
        #expect(output.parameters["bits"] == "\(bits)" && output.parameters["count"] == "1000")
    }

    @Test func bitPackingStoresIndicesLeastSignificantBitFirst() throws {
        // Four distinct values with k = 4 become the codebook itself: indices 0, 1, 2, 3, 3, 0.
        let values: [Float] = [-1, 0.5, 2, 7, 7, -1]
        let output = try encode("2bit", values)
        #expect(ClusteringReference.codebook(output.sections[0].bytes, width: 4) == [-1, 0.5, 2, 7])
        // Fields 0,1,2,3 → 0b11_10_01_00 = 0xE4; then 3,0 → 0b0000_00_11 = 0x03.
        #expect([UInt8](output.sections[1].bytes) == [0xE4, 0x03])
        #expect(try decode(output, shape: [6]) == values)
        let bytes = try encode("2bit:packing=bytes", values)
        #expect([UInt8](bytes.sections[1].bytes) == [0, 1, 2, 3, 3, 0])
    }

    @Test(arguments: ["linear", "density"])
    func lloydMatchesABruteForceReferenceFromTheSameStart(initialization: String) throws {
        let values = ClusteringReference.bellValues(count: 3_000, seed: 5)
        for k in [4, 8, 16] {
            let bits = k.trailingZeroBitCount
            let output = try encode("\(bits)bit:init=\(initialization):iterations=300", values)
            let start =
                initialization == "linear"
                ? ClusteringReference.linearInitial(values, k: k) : ClusteringReference.densityInitial(values, k: k)
            let expected = ClusteringReference.lloyd(values, initial: start, maxIterations: 300)
            let centroids = ClusteringReference.codebook(output.sections[0].bytes, width: 4)
            for (found, wanted) in zip(centroids, expected) {
                #expect(abs(found - wanted) <= 1e-5, "k \(k): \(centroids) against \(expected)")
            }
            #expect(output.parameters["converged"] == "true")
        }
    }

    @Test func iterationLimitStopsLloydWhereTheReferenceStops() throws {
        let values = ClusteringReference.bellValues(count: 2_000, seed: 9)
        for limit in [0, 1, 3] {
            let output = try encode("3bit:iterations=\(limit)", values)
            let expected = ClusteringReference.lloyd(
                values, initial: ClusteringReference.linearInitial(values, k: 8), maxIterations: limit)
            let centroids = ClusteringReference.codebook(output.sections[0].bytes, width: 4)
            #expect(zip(centroids, expected).allSatisfy { abs($0 - $1) <= 1e-5 }, "limit \(limit)")
            #expect(output.parameters["iterations"] == "\(limit)")
        }
    }

    @Test func kmeansPlusPlusIsDeterministicForASeedAndClustersWell() throws {
        let values = ClusteringReference.bellValues(count: 5_000, seed: 3)
        let first = try encode("4bit:init=kmeans++", values)
        let again = try encode("4bit:init=kmeans++", values)
        let otherSeed = try encode("4bit:init=kmeans++:seed=99", values)
        #expect(first == again)
        #expect(otherSeed.parameters["init"] == "kmeans++")
        let linear = try encode("4bit", values)
        let snrPlusPlus = ClusteringReference.snrDecibels(values, try decode(first, shape: [5_000]))
        let snrLinear = ClusteringReference.snrDecibels(values, try decode(linear, shape: [5_000]))
        #expect(snrPlusPlus > snrLinear - 1.5, "kmeans++ \(snrPlusPlus) dB, linear \(snrLinear) dB")
        #expect(snrPlusPlus > 20)
    }

    @Test(arguments: ["linear", "density", "kmeans++"])
    func exactZerosStayExactlyZeroWithAPinnedCentroid(initialization: String) throws {
        var generator = SplitMix64(seed: 21)
        let values = ClusteringReference.bellValues(count: 4_000, seed: 22).map {
            generator.int(below: 10) < 4 ? (generator.int(below: 2) == 0 ? 0 : -0.0) : $0 + 0.3
        }
        let output = try encode("3bit:init=\(initialization)", values)
        #expect(output.parameters["zero"] == "pinned")
        let codebook = ClusteringReference.codebook(output.sections[0].bytes, width: 4)
        #expect(codebook.contains(0))
        let decoded = try decode(output, shape: [4_000])
        for (value, result) in zip(values, decoded) where value == 0 { #expect(result == 0) }
        let nonzeroDecoded = zip(values, decoded).filter { $0.0 != 0 }.map(\.1)
        #expect(Set(nonzeroDecoded).count > 3, "the free centroids cluster the non-zero values")
    }

    @Test func withoutZerosNoCentroidIsPinned() throws {
        let output = try encode("2bit", ClusteringReference.bellValues(count: 500, seed: 1))
        #expect(output.parameters["zero"] == "free")
    }

    @Test func f16CodebookStoresBinary16AndAssignsWithTheRoundedCentroids() throws {
        let values = ClusteringReference.bellValues(count: 2_000, seed: 8).map { $0 * 1e-3 + 1 }
        let output = try encode("4bit:codebook=f16", values)
        #expect(output.sections[0].kind == .bytes(symbolWidth: 2))
        #expect(output.sections[0].bytes.count == 32)
        let codebook = ClusteringReference.codebook(output.sections[0].bytes, width: 2)
        let decoded = try decode(output, shape: [2_000])
        for (value, result) in zip(values, decoded) {
            #expect(result == codebook[ClusteringReference.nearest(value, in: codebook)])
            #expect(Float(Float16(result)) == result)
        }
        #expect(output.parameters["codebook"] == "f16")
    }

    @Test func f16CodebookRefusesCentroidsBeyondItsRange() throws {
        let error = #expect(throws: TransformError.self) { try encode("1bit:codebook=f16", [1e6, -1e6, 5]) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("binary16") == true)
    }

    @Test func fewerDistinctValuesThanCentroidsDecodeExactly() throws {
        let values: [Float] = [3, -2, 3, 0.25, -2, 3, 1e-20]
        let output = try encode("3bit", values)
        #expect(try decode(output, shape: [7]) == values)
        #expect(output.parameters["iterations"] == "0")
    }

    @Test(arguments: [[Int](), [0], [1], [2, 0, 3]])
    func tinyAndEmptyShapesRoundTrip(dimensions: [Int]) throws {
        let shape = Shape(dimensions)
        let count = try shape.elementCount()
        let values = (0..<count).map { Float($0) * 0.5 - 1 }
        let output = try encode("4bit", values, shape: shape)
        #expect(try decode(output, shape: shape) == values)
    }

    @Test func nonFiniteValuesAreRefusedWithTheirCount() throws {
        let error = #expect(throws: TransformError.self) { try encode("4bit", [1, .nan, .infinity, 2, -.infinity]) }
        #expect(error?.code == .nonFiniteValues)
        #expect(error?.tensorName == "w")
        #expect(error?.message.hasPrefix("3 of 5 elements") == true)
    }

    @Test func recipeTextIsCanonicalAndRoundTrips() throws {
        let full = try WeightClustering(
            recipeArguments: ["packing=bytes", "5bit", "init=kmeans++", "codebook=f16", "iterations=7", "seed=4"])
        #expect(full.recipeText == "cluster:5bit:init=kmeans++:codebook=f16:iterations=7:packing=bytes:seed=4")
        let again = try WeightClustering(
            recipeArguments: Array(full.recipeText.split(separator: ":").dropFirst().map(String.init)))
        #expect(again.recipeText == full.recipeText)
        #expect(try WeightClustering(recipeArguments: ["4bit", "init=linear"]).recipeText == "cluster:4bit")
    }

    static let badRecipes: [[String]] = [
        [], ["0bit"], ["9bit"], ["4"], ["4bits"], ["4bit", "2bit"], ["+4bit"], ["4bit", "init=random"],
        ["4bit", "codebook=f64"], ["4bit", "packing=nibbles"], ["4bit", "iterations=-1"], ["4bit", "iterations=x"],
        ["4bit", "seed=-3"], ["4bit", "colour=red"], ["4bit", "init=linear", "init=density"], ["4bit", "init="], [""],
    ]

    @Test(arguments: badRecipes)
    func badRecipeArgumentsAreRefused(arguments: [String]) throws {
        let error = #expect(throws: TransformError.self) { try WeightClustering(recipeArguments: arguments) }
        #expect(error?.code == .invalidParameter)
    }

    @Test func outputKindsFollowTheParameters() throws {
        let output = try encode("4bit:codebook=f16", [1, 2, 3, 4, 5, 6])
        #expect(
            try WeightClustering.outputKinds(parameters: output.parameters, shape: [2, 3])
                == output.sections.map(\.kind))
        #expect(throws: TransformError.self) {
            try WeightClustering.outputKinds(parameters: output.parameters, shape: [7])
        }
    }
}
