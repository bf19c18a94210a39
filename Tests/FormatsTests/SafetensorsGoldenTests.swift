import Foundation
import TestSupport
import Testing

@testable import Formats
@testable import TensorCore

/// The compatibility proof: files from the reference library (safetensors 0.8.0, via fixtures/make_fixtures.py)
/// read correctly, and what we write is byte-identical to what it writes.
struct SafetensorsGoldenTests {
    @Test func readerReadsEveryGoldenValue() throws {
        let golden = try SafetensorsGolden.load()
        let reader = try SafetensorsReader(path: Fixtures.url(SafetensorsGolden.safetensorsPath).path)
        let collection = try reader.readAll()
        #expect(collection.metadata == golden.metadata)
        #expect(collection.metadata == ["format": "pt", "note": "golden"])
        // File order, byte for byte (names are compared as UTF-8, not as canonically equivalent Strings).
        #expect(collection.names.map { Array($0.utf8) } == golden.tensors.map { Array($0.name.utf8) })
        #expect(reader.header.entries.count == golden.tensors.count)
        var checkedValues = 0
        for (entry, expected) in zip(reader.header.entries, golden.tensors) {
            #expect(entry.dtype.safetensorsName == expected.dtype, "\(expected.name)")
            #expect(entry.shape.dimensions == expected.shape, "\(expected.name)")
            #expect([entry.dataOffsets.lowerBound, entry.dataOffsets.upperBound] == expected.dataOffsets)
            let tensor = try #require(collection[expected.name])
            #expect(tensor.elementCount == expected.values.count, "\(expected.name)")
            #expect(Array(tensor.data) == (try SafetensorsGolden.expectedBytes(expected)), "\(expected.name)")
            checkedValues += expected.values.count
        }
        #expect(checkedValues == 54)
        #expect(reader.header.dataStart % 8 == 0)
        #expect(reader.header.dataStart + reader.header.entries.last!.dataOffsets.upperBound == reader.file.byteCount)
    }

    @Test func readerCoversEveryDTypeAndShapeKindInTheGolden() throws {
        let golden = try SafetensorsGolden.load()
        #expect(Set(golden.tensors.map(\.dtype)) == ["F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL"])
        #expect(golden.tensors.contains { $0.shape.isEmpty })  // 0-d scalar
        #expect(golden.tensors.contains { $0.shape == [0] })  // zero-size
        #expect(golden.tensors.contains { $0.name.unicodeScalars.contains { !$0.isASCII } })
        #expect(golden.tensors.contains { $0.name.contains("\"") && $0.name.contains("\\") })
    }

    @Test func float32ValuesOfTheGoldenFloatTensorsMatchTheirValues() throws {
        let golden = try SafetensorsGolden.load()
        let collection = try SafetensorsReader(path: Fixtures.url(SafetensorsGolden.safetensorsPath).path).readAll()
        var checked = 0
        for entry in golden.tensors where ["F16", "BF16", "F32"].contains(entry.dtype) {
            guard case .floats(let texts) = entry.values else { continue }
            let values = try #require(collection[entry.name]).float32Values()
            #expect(values.map(\.bitPattern) == texts.map { Float(Double($0)!).bitPattern }, "\(entry.name)")
            checked += texts.count
        }
        #expect(checked > 20)
    }

    @Test func serializeIsByteIdenticalToTheReferenceLibrary() throws {
        let golden = try SafetensorsGolden.load()
        let reference = try Fixtures.bytes(SafetensorsGolden.safetensorsPath)
        // Built from golden.json in reverse file order, so the writer must do its own ordering.
        let ours = [UInt8](try SafetensorsWriter.serialize(try golden.collection(reversed: true)))
        #expect(ours.count == reference.count)
        let common = min(ours.count, reference.count)
        let firstDifference =
            (0..<common).first { ours[$0] != reference[$0] } ?? (ours.count != reference.count ? common : nil)
        if let first = firstDifference {
            Issue.record(
                """
                first differing byte \(first): ours \(first < ours.count ? String(ours[first]) : "end"), \
                reference \(first < reference.count ? String(reference[first]) : "end")
                our header:       \(Self.headerText(ours))
                reference header: \(Self.headerText(reference))
                """)
        }
    }

    @Test func writeToDiskIsByteIdenticalToTheReferenceLibrary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let golden = try SafetensorsGolden.load()
        try SafetensorsWriter.write(try golden.collection(), to: folder.path("out.safetensors"))
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder.path("out.safetensors"))))
        #expect(written == (try Fixtures.bytes(SafetensorsGolden.safetensorsPath)))
        #expect(try folder.contents() == ["out.safetensors"])
    }

    @Test func rereadingAndSerializingTheGoldenReproducesIt() throws {
        let reference = try Fixtures.bytes(SafetensorsGolden.safetensorsPath)
        let collection = try SafetensorsReader(path: Fixtures.url(SafetensorsGolden.safetensorsPath).path).readAll()
        #expect([UInt8](try SafetensorsWriter.serialize(collection)) == reference)
    }

    /// safetensors compares names byte for byte, so "é" (U+00E9) and "e" + U+0301 are two valid tensors;
    /// the reference library writes and reads such a file, although Swift's `String ==` calls the names equal.
    @Test func readerAcceptsCanonicallyEquivalentNamesAsTwoTensors() throws {
        let relative = "safetensors/valid/canonically_equivalent_names.safetensors"
        let reference = try Fixtures.bytes(relative)
        #expect(Self.headerText(reference).contains("\"e\u{301}\""))
        let reader = try SafetensorsReader(path: Fixtures.url(relative).path)
        // File order is UTF-8 byte order: "e" (0x65) before 0xC3.
        #expect(
            reader.header.entries.map { Array($0.name.utf8) } == [Array("e\u{301}".utf8), Array("\u{E9}".utf8)])
        let collection = try reader.readAll()
        #expect(collection["\u{E9}"]?.data == Data([1]))
        #expect(collection["e\u{301}"]?.data == Data([2]))
        #expect([UInt8](try SafetensorsWriter.serialize(collection)) == reference)
    }

    /// The reference sorts names of one dtype by their UTF-8 bytes: "A" + U+030A (bytes 41 CC 8A) before "B",
    /// whereas Swift's `String <` compares NFC forms, where "Å" (U+00C5) sorts after "B".
    @Test func writerOrdersNamesByUTF8BytesLikeTheReference() throws {
        let relative = "safetensors/valid/decomposed_name_order.safetensors"
        let reference = try Fixtures.bytes(relative)
        let collection = try SafetensorsReader(path: Fixtures.url(relative).path).readAll()
        #expect(collection.names.map { Array($0.utf8) } == [Array("A\u{30A}".utf8), Array("B".utf8)])
        #expect(!("A\u{30A}" < "B"))  // the String order that must not be used
        let reversed = try TensorCollection(tensors: collection.tensors.reversed(), metadata: collection.metadata)
        let ours = [UInt8](try SafetensorsWriter.serialize(reversed))
        #expect(Self.headerText(ours) == Self.headerText(reference))
        #expect(ours == reference)
    }

    static func headerText(_ file: [UInt8]) -> String {
        guard file.count >= 8 else { return "<no header>" }
        let length = file.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        return String(decoding: file.dropFirst(8).prefix(min(length, 4096)), as: UTF8.self)
    }
}
