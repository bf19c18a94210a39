import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

/// The lowrank decoder on damaged sections and parameters: it throws, never traps.
struct LowRankSplitDecodeTests {
    private static let shape: Shape = [12, 8]
    private static let parameters = [
        "rows": "12", "columns": "8", "rank": "2", "retained_energy": "1", "method": "dgesdd",
    ]

    private static func section(floats: Int, shape: Shape = [20, 2]) -> PayloadSection {
        var generator = SplitMix64(seed: UInt64(floats))
        return PayloadSection(
            kind: .elements(.float32, shape), bytes: Data(generator.floats(count: floats).withUnsafeBytes { Data($0) }))
    }

    private static func decodeError(_ sections: [PayloadSection], parameters: [String: String] = parameters)
        -> TransformError?
    {
        #expect(throws: TransformError.self) {
            try LowRankSplit.decode(sections, parameters: parameters, shape: shape, tensorName: "w")
        }
    }

    @Test func decodesAWellFormedSectionToTheProductOfItsFactors() throws {
        // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8], [9, 10]] → A·Bᵀ = [[17, 23, 29], [39, 53, 67]].
        let section = PayloadSection(float32: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], shape: [5, 2])
        let decoded = try LowRankSplit.decode(
            [section], parameters: ["rows": "2", "columns": "3", "rank": "2"], shape: [2, 3], tensorName: "w")
        #expect(decoded == [17, 23, 29, 39, 53, 67])
    }

    @Test func decodesASectionWhoseDataIsASliceNotStartingAtZero() throws {
        let floats: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        let padded = Data([0xAA, 0xBB, 0xCC]) + floats.withUnsafeBytes { Data($0) }
        let section = PayloadSection(kind: .elements(.float32, [5, 2]), bytes: padded[3...])
        let decoded = try LowRankSplit.decode(
            [section], parameters: ["rows": "2", "columns": "3", "rank": "2"], shape: [2, 3], tensorName: "w")
        #expect(decoded == [17, 23, 29, 39, 53, 67])
    }

    @Test(arguments: [-4, -1, 1, 4, -80])
    func rejectsASectionOfTheWrongByteCount(delta: Int) {
        var section = Self.section(floats: 40)
        if delta < 0 { section.bytes.removeLast(-delta) } else { section.bytes += Data(count: delta) }
        let error = Self.decodeError([section])
        #expect(error?.code == .corruptPayload)
        #expect(error?.message.contains("\(160 + delta) bytes") == true)
    }

    @Test(arguments: [
        PayloadSection.Kind.elements(.float32, [2, 20]), .elements(.float32, [20, 3]), .elements(.float16, [20, 2]),
        .bytes(symbolWidth: 4),
    ])
    func rejectsASectionOfAnotherKind(kind: PayloadSection.Kind) {
        var section = Self.section(floats: 40)
        section.kind = kind
        #expect(Self.decodeError([section])?.code == .corruptPayload)
    }

    @Test func rejectsNoneOrTwoSections() {
        #expect(Self.decodeError([])?.code == .corruptPayload)
        #expect(Self.decodeError([Self.section(floats: 40), Self.section(floats: 40)])?.code == .corruptPayload)
    }

    @Test(arguments: [
        ["rows": "12", "columns": "8"], ["rows": "12", "columns": "8", "rank": "0"],
        ["rows": "12", "columns": "8", "rank": "9"], ["rows": "12", "columns": "8", "rank": "two"],
        ["rows": "8", "columns": "12", "rank": "2"], ["rows": "12", "columns": "9", "rank": "2"],
        ["rows": "-12", "columns": "8", "rank": "2"], ["columns": "8", "rank": "2"],
        ["rows": "12", "columns": "8", "rank": "99999999999999999999"],
    ])
    func rejectsParametersThatDisagreeWithTheShape(parameters: [String: String]) {
        #expect(Self.decodeError([Self.section(floats: 40)], parameters: parameters)?.code == .invalidParameter)
        #expect(throws: TransformError.self) { try LowRankSplit.outputKinds(parameters: parameters, shape: Self.shape) }
    }

    @Test func rejectsAOneDimensionalOrHugeShape() {
        #expect(throws: TransformError.self) {
            try LowRankSplit.decode(
                [Self.section(floats: 40)], parameters: Self.parameters, shape: [96], tensorName: "w")
        }
        #expect(throws: TransformError.self) {
            try LowRankSplit.decode(
                [Self.section(floats: 40)], parameters: ["rows": "65536", "columns": "65536", "rank": "1"],
                shape: [65536, 65536], tensorName: "w")
        }
    }

    @Test func randomlyTruncatedOrExtendedSectionsThrowAndNeverTrap() {
        var generator = SplitMix64(seed: 77)
        for _ in 0..<200 {
            let count = generator.int(below: 400)
            guard count != 160 else { continue }
            let section = PayloadSection(
                kind: .elements(.float32, [20, 2]), bytes: Data((0..<count).map { _ in generator.byte() }))
            #expect(Self.decodeError([section])?.code == .corruptPayload)
        }
    }
}
