import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

struct WeightClusteringDecoderTests {
    /// `[-1, 0.5, 2, 7]` as the codebook and indices 0, 1, 2, 3, 3, 0 packed 2 bits each.
    private static let codebook = Data([
        0x00, 0x00, 0x80, 0xBF, 0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0xE0, 0x40,
    ])
    private static let parameters = ["bits": "2", "codebook": "f32", "packing": "bits", "count": "6"]

    private func decode(
        codebook: Data = codebook, indices: Data, parameters: [String: String] = parameters,
        kinds: [PayloadSection.Kind] = [.bytes(symbolWidth: 4), .bytes(symbolWidth: 1)]
    ) throws -> [Float] {
        try WeightClustering.decode(
            [PayloadSection(kind: kinds[0], bytes: codebook), PayloadSection(kind: kinds[1], bytes: indices)],
            parameters: parameters, shape: [6], tensorName: "w")
    }

    private func expectCorrupt(_ fragment: String, _ body: () throws -> [Float]) {
        let error = #expect(throws: TransformError.self) { _ = try body() }
        #expect(error?.code == .corruptPayload)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    @Test func decodesTheGoldenBytes() throws {
        #expect(try decode(indices: Data([0xE4, 0x03])) == [-1, 0.5, 2, 7, 7, -1])
    }

    @Test func rejectsACodebookOfTheWrongLength() {
        expectCorrupt("codebook holds 12 bytes; 4 f32 centroids need 16") {
            try decode(codebook: Self.codebook.prefix(12), indices: Data([0xE4, 0x03]))
        }
    }

    @Test func rejectsANonFiniteCodebookEntry() {
        var codebook = Self.codebook
        codebook.replaceSubrange(4..<8, with: [0x00, 0x00, 0xC0, 0x7F])
        expectCorrupt("entry 1 is nan") { try decode(codebook: codebook, indices: Data([0xE4, 0x03])) }
    }

    @Test(arguments: [0, 1, 3])
    func rejectsAnIndexSectionOfTheWrongLength(length: Int) {
        expectCorrupt("holds \(length) bytes; 6 indices of 2 bits packed as bits need 2") {
            try decode(indices: Data(repeating: 0, count: length))
        }
    }

    @Test func rejectsNonzeroPaddingBits() {
        expectCorrupt("nonzero bits past the 6 packed indices") { try decode(indices: Data([0xE4, 0x13])) }
    }

    @Test func rejectsAnUnpackedIndexBeyondTheCodebook() {
        var parameters = Self.parameters
        parameters["packing"] = "bytes"
        expectCorrupt("index 4 at element 2 is out of range for a codebook of 4") {
            try decode(indices: Data([0, 1, 4, 3, 3, 0]), parameters: parameters)
        }
    }

    @Test func rejectsSectionsOfOtherKinds() {
        expectCorrupt("cluster expects sections") {
            try decode(indices: Data([0xE4, 0x03]), kinds: [.bytes(symbolWidth: 2), .bytes(symbolWidth: 1)])
        }
    }

    @Test(arguments: [
        ("bits", "9"), ("bits", "0"), ("codebook", "f64"), ("packing", "nibble"), ("count", "5"), ("count", "-6"),
        ("count", "x"),
    ])
    func rejectsBadParameters(key: String, value: String) {
        var parameters = Self.parameters
        parameters[key] = value
        let error = #expect(throws: TransformError.self) {
            _ = try decode(indices: Data([0xE4, 0x03]), parameters: parameters)
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("'\(key)'") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["bits", "bytes"])
    func mutatedSectionsThrowOrDecodeButNeverTrap(packing: String) throws {
        let values = ClusteringReference.bellValues(count: 300, seed: 44)
        let stage = try WeightClustering(recipeArguments: ["3bit", "packing=\(packing)"])
        let output = try stage.encode(values, shape: [300], tensorName: "w")
        var generator = SplitMix64(seed: 77)
        var thrown = 0
        for _ in 0..<400 {
            var sections = output.sections
            let target = generator.int(below: 2)
            var bytes = [UInt8](sections[target].bytes)
            switch generator.int(below: 4) {
            case 0 where !bytes.isEmpty: bytes[generator.int(below: bytes.count)] ^= UInt8(1 << generator.int(below: 8))
            case 1 where !bytes.isEmpty: bytes.removeLast(1 + generator.int(below: bytes.count))
            case 2: bytes += (0...generator.int(below: 4)).map { _ in generator.byte() }
            default: if !bytes.isEmpty { bytes[generator.int(below: bytes.count)] = generator.byte() }
            }
            sections[target].bytes = Data(bytes)
            do {
                let decoded = try WeightClustering.decode(
                    sections, parameters: output.parameters, shape: [300], tensorName: "w")
                #expect(decoded.count == 300)
            } catch {
                thrown += 1
            }
        }
        #expect(thrown > 0)
    }
}
