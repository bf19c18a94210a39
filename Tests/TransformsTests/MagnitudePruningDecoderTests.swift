import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct MagnitudePruningDecoderTests {
    /// Ten elements, survivors 1.5 at 2 and -3 at 9.
    private static let survivors = PayloadSection(float32: [1.5, -3], shape: [2])
    private static let bitmapParameters = ["index": "bitmap", "count": "10", "survivors": "2"]
    private static let relativeParameters = ["index": "relative", "gapBits": "3", "count": "10", "survivors": "2"]

    private func decode(_ index: [UInt8], _ parameters: [String: String], survivors: PayloadSection = survivors)
        throws -> [Float]
    {
        try MagnitudePruning.decode(
            [PayloadSection(kind: .bytes(symbolWidth: 1), bytes: Data(index)), survivors], parameters: parameters,
            shape: [10], tensorName: "w")
    }

    private func expectCorrupt(_ fragment: String, _ body: () throws -> [Float]) {
        let error = #expect(throws: TransformError.self) { _ = try body() }
        #expect(error?.code == .corruptPayload)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test func decodesGoldenBitmapAndRelativeIndices() throws {
        let expected: [Float] = [0, 0, 1.5, 0, 0, 0, 0, 0, 0, -3]
        #expect(try decode([0b0000_0100, 0b0000_0010], Self.bitmapParameters) == expected)
        // Gaps 2 and 6 in 3-bit fields: 0b110_010 = 0x32.
        #expect(try decode([0x32], Self.relativeParameters) == expected)
    }

    @Test func rejectsABitmapOfTheWrongLength() {
        expectCorrupt("bitmap index holds 1 bytes; 10 elements need 2") { try decode([4], Self.bitmapParameters) }
    }

    @Test func rejectsBitmapPaddingBits() {
        expectCorrupt("bits set past its 10 elements") {
            try decode([0b0000_0100, 0b0000_0110], Self.bitmapParameters)
        }
    }

    @Test func rejectsABitmapWhoseSurvivorCountDiffers() {
        expectCorrupt("marks 3 survivors") { try decode([0b0000_0101, 0b0000_0010], Self.bitmapParameters) }
    }

    @Test func rejectsRelativeGapsThatRunPastTheEnd() {
        // Gaps 2 and 7: the second entry lands at position 10 of 10.
        expectCorrupt("lands at position 10, past the last of 10") { try decode([0x3A], Self.relativeParameters) }
    }

    @Test func rejectsASurvivorsSectionOfTheWrongLength() {
        let short = PayloadSection(kind: .elements(.float32, [2]), bytes: Data([0, 0, 0xC0, 0x3F]))
        expectCorrupt("survivors section holds 4 bytes") {
            try decode([0x32], Self.relativeParameters, survivors: short)
        }
    }

    @Test func rejectsANonFiniteSurvivor() {
        let nan = PayloadSection(float32: [1.5, .nan], shape: [2])
        expectCorrupt("survivor 1 is nan") { try decode([0x32], Self.relativeParameters, survivors: nan) }
    }

    @Test func rejectsSectionsOfOtherKinds() {
        let wrongShape = PayloadSection(float32: [1.5, -3], shape: [1, 2])
        expectCorrupt("prune expects sections") { try decode([0x32], Self.relativeParameters, survivors: wrongShape) }
    }

    @Test(arguments: [
        ("index", "auto"), ("index", "tree"), ("gapBits", "9"), ("gapBits", "0"), ("count", "11"), ("survivors", "11"),
        ("survivors", "-1"),
    ])
    func rejectsBadParameters(key: String, value: String) {
        var parameters = Self.relativeParameters
        parameters[key] = value
        let error = #expect(throws: TransformError.self) { _ = try decode([0x32], parameters) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("'\(key)'") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["bitmap", "relative"])
    func mutatedSectionsThrowOrDecodeButNeverTrap(index: String) throws {
        let values = ClusteringReference.bellValues(count: 500, seed: 4)
        let output = try MagnitudePruning(recipeArguments: ["0.9", "index=\(index)"]).encode(
            values, shape: [500], tensorName: "w")
        var generator = SplitMix64(seed: 99)
        var thrown = 0
        for _ in 0..<400 {
            var sections = output.sections
            var parameters = output.parameters
            let target = generator.int(below: 3)
            if target == 2 {
                parameters["survivors"] = String(generator.int(below: 600))
            } else {
                var bytes = [UInt8](sections[target].bytes)
                switch generator.int(below: 3) {
                case 0 where !bytes.isEmpty:
                    bytes[generator.int(below: bytes.count)] ^= UInt8(1 << generator.int(below: 8))
                case 1 where !bytes.isEmpty: bytes.removeLast(1 + generator.int(below: bytes.count))
                default: bytes += (0...generator.int(below: 4)).map { _ in generator.byte() }
                }
                sections[target].bytes = Data(bytes)
            }
            do {
                let decoded = try MagnitudePruning.decode(
                    sections, parameters: parameters, shape: [500], tensorName: "w")
                #expect(decoded.count == 500)
            } catch {
                thrown += 1
            }
        }
        #expect(thrown > 0)
    }
}
