import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// Seeded property tests: what the writer writes, the reader reads back; and mangled files never crash the reader.
struct SafetensorsRoundTripTests {
    /// Characters for random names: ASCII, JSON escapes, controls, and NFC-stable non-ASCII (no combining marks,
    /// so distinct generated names are never canonically equivalent).
    private static let nameCharacters: [Character] =
        Array("abcxyz019._-/ ") + [
            "\"", "\\", "\n", "\t", "\u{01}", "\u{1F}",
            "\u{7F}", "é", "ß", "Ж", "漢", "🙂", "\u{FFFD}",
        ]

    private static func randomString(_ generator: inout SplitMix64, maxLength: Int) -> String {
        let length = generator.int(below: maxLength) + 1
        return String((0..<length).map { _ in nameCharacters.randomElement(using: &generator)! })
    }

    private static func randomCollection(_ generator: inout SplitMix64) throws -> TensorCollection {
        var collection = try TensorCollection(tensors: [])
        let tensorCount = generator.int(below: 7)
        while collection.tensors.count < tensorCount {
            let name = randomString(&generator, maxLength: 12)
            guard name != "__metadata__", collection[name] == nil else { continue }
            let dtype = DType.allCases.randomElement(using: &generator)!
            let rank = generator.int(below: 4)
            let shape = Shape((0..<rank).map { _ in generator.int(below: 5) })
            let byteCount = try shape.byteCount(of: dtype)
            let data: [UInt8] = (0..<byteCount).map { _ in
                dtype == .bool ? UInt8(generator.int(below: 2)) : generator.byte()
            }
            try collection.append(try Tensor(name: name, dtype: dtype, shape: shape, data: Data(data)))
        }
        var metadata: [String: String] = [:]
        for _ in 0..<generator.int(below: 4) {
            metadata[randomString(&generator, maxLength: 8)] =
                generator.int(below: 4) == 0 ? "" : randomString(&generator, maxLength: 20)
        }
        collection.metadata = metadata
        return collection
    }

    @Test func serializeThenParseGivesBackTheSameTensors() throws {
        var generator = SplitMix64(seed: 0x5AFE_7E45)
        var tensorsChecked = 0
        var dtypesSeen = Set<DType>()
        for caseIndex in 0..<200 {
            let original = try Self.randomCollection(&generator)
            let bytes = [UInt8](try SafetensorsWriter.serialize(original))
            let header = try SafetensorsBytes.parse(bytes)
            #expect(header.dataStart % 8 == 0, "case \(caseIndex)")
            #expect(header.metadata == original.metadata, "case \(caseIndex)")
            let parsed = try SafetensorsBytes.tensors(header, in: bytes)
            #expect(parsed.count == original.tensors.count, "case \(caseIndex)")
            for tensor in parsed {
                let expected = try #require(original[tensor.name], "case \(caseIndex): unexpected '\(tensor.name)'")
                #expect(Array(tensor.name.utf8) == Array(expected.name.utf8), "case \(caseIndex)")
                #expect(tensor == expected, "case \(caseIndex): '\(tensor.name)'")
                dtypesSeen.insert(tensor.dtype)
                tensorsChecked += 1
            }
        }
        #expect(tensorsChecked > 400)
        #expect(dtypesSeen == Set(DType.allCases))
    }

    @Test func layoutOrdersByDTypeThenNameAndPadsTheHeader() throws {
        var generator = SplitMix64(seed: 99)
        for _ in 0..<100 {
            let collection = try Self.randomCollection(&generator)
            let layout = try SafetensorsWriter.layout(
                for: collection.tensors.map { ($0.name, $0.dtype, $0.shape) }, metadata: collection.metadata)
            #expect(layout.headerBytes.count % 8 == 0)
            let entries = layout.entries
            for (left, right) in zip(entries, entries.dropFirst()) {
                #expect(left.dataOffsets.upperBound == right.dataOffsets.lowerBound)
                #expect(
                    left.dtype.safetensorsRank > right.dtype.safetensorsRank
                        || (left.dtype == right.dtype
                            && Array(left.name.utf8).lexicographicallyPrecedes(right.name.utf8))
                )
            }
            #expect(layout.fileByteCount == layout.headerBytes.count + (entries.last?.dataOffsets.upperBound ?? 0))
        }
    }

    /// Flips bits, overwrites, inserts, deletes and truncates bytes of the golden file (mostly in the header);
    /// every result must either parse into tensors whose byte counts hold or throw a FormatError — never trap.
    @Test func mutatedGoldenFilesParseOrThrowButNeverCrash() throws {
        let golden = try Fixtures.bytes(SafetensorsGolden.safetensorsPath)
        let headerEnd = 8 + Int(golden[0]) + Int(golden[1]) << 8
        var generator = SplitMix64(seed: 2024)
        var accepted = 0
        var rejections: [FormatError.Code: Int] = [:]
        for _ in 0..<2000 {
            var bytes = golden
            for _ in 0..<(generator.int(below: 3) + 1) {
                guard !bytes.isEmpty else { break }
                let inHeader = generator.int(below: 10) < 8
                let limit = inHeader ? min(headerEnd, bytes.count) : bytes.count
                let position = generator.int(below: limit)
                switch generator.int(below: 5) {
                case 0: bytes[position] ^= 1 << UInt8(generator.int(below: 8))
                case 1: bytes[position] = generator.byte()
                case 2: bytes.insert(generator.byte(), at: position)
                case 3: bytes.remove(at: position)
                default: bytes.removeSubrange(position...)
                }
            }
            let header: SafetensorsHeader
            do throws(FormatError) {
                header = try SafetensorsBytes.parse(bytes)
            } catch {
                rejections[error.code, default: 0] += 1
                continue
            }
            #expect(throws: Never.self) { _ = try SafetensorsBytes.tensors(header, in: bytes) }
            accepted += 1
        }
        #expect(accepted + rejections.values.reduce(0, +) == 2000)
        #expect(accepted > 0, "no mutation survived; the test only exercises rejection")
        #expect(rejections.count >= 6, "rejections: \(rejections)")
    }

    @Test func truncatingTheGoldenAtEveryLengthThrowsAFormatError() throws {
        let golden = try Fixtures.bytes(SafetensorsGolden.safetensorsPath)
        var codes = Set<FormatError.Code>()
        for length in 0..<golden.count {
            let error = #expect(throws: FormatError.self) { try SafetensorsBytes.parse(Array(golden.prefix(length))) }
            if let error { codes.insert(error.code) }
        }
        #expect(codes == [.fileTooSmall, .headerPastEnd, .offsetsOutOfBounds])
    }
}
