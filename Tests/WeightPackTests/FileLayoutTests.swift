import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `FileLayout` splits a file into header, metadata, tensor data and padding; the expected figures here are
/// measured from the file's bytes (docs/FORMAT.md, the safetensors and GGUF specs), not with the code under test.
struct FileLayoutTests {
    /// Metadata maps that exercise JSON escaping: none, plain, a URL (`/`), non-ASCII, quotes, backslash and tab.
    static let metadataCases: [[String: String]] = [
        [:], ["format": "pt"], ["source": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"],
        ["note": "naïve – ü", "format": "pt"], ["quote": "a \"b\" \\ c\td"],
    ]

    /// Seeded tensors of odd byte sizes (so that formats which align need padding), with an empty tensor.
    static func tensors(seed: UInt64) throws -> [Tensor] {
        var generator = SplitMix64(seed: seed)
        var tensors = try TestTensors.smallModel(seed: seed)
        for index in 0..<4 {
            let shape: Shape = [1 + generator.int(below: 9), 1 + generator.int(below: 33)]
            tensors.append(try TestTensors.random("extra.\(index).weight", shape, dtype: .float16, seed: seed + 10))
        }
        tensors.append(try TestTensors.floats("empty", [0], []))
        return tensors
    }

    static func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    static func layout(of path: String) throws -> FileLayout {
        try #require(try openTensorSource(path: path).fileLayout, "\(path) has a layout")
    }

    static func uint64(_ bytes: [UInt8], at offset: Int) -> Int {
        Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) })
    }

    /// The byte range of the JSON object member `"key":{…}` in `json`, found by scanning (strings respected).
    static func memberRange(_ key: String, in json: [UInt8]) -> Range<Int>? {
        let needle = Array("\"\(key)\":{".utf8)
        guard
            let start = (0...(json.count - needle.count)).first(where: {
                json[$0..<($0 + needle.count)].elementsEqual(needle)
            })
        else { return nil }
        var depth = 0
        var inString = false
        var index = start + needle.count - 1
        while index < json.count {
            let byte = json[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return start..<(index + 1) }
            }
            index += 1
        }
        return nil
    }

    // MARK: safetensors

    @Test(arguments: metadataCases)
    func safetensorsPartsAddUpToTheFileSize(metadata: [String: String]) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("m.safetensors")
        let tensors = try Self.tensors(seed: 7)
        try TestTensors.writeSafetensors(tensors, metadata: metadata, to: path)
        let layout = try Self.layout(of: path)
        let bytes = try Fixtures.bytesOfFile(path)
        let jsonLength = Self.uint64(bytes, at: 0)
        let json = Array(bytes[8..<(8 + jsonLength)])
        let padding = json.reversed().prefix { $0 == UInt8(ascii: " ") }.count

        #expect(layout.headerBytes + layout.metadataBytes + layout.tensorDataBytes + layout.paddingBytes == bytes.count)
        #expect(layout.tensorDataBytes == tensors.reduce(0) { $0 + $1.data.count })
        #expect(layout.tensorDataBytes == bytes.count - 8 - jsonLength)
        #expect(layout.paddingBytes == padding)
        #expect(layout.headerBytes > 8 && layout.metadataBytes >= 0)
    }

    /// `metadata_bytes` is the `"__metadata__":{…}` member and its comma, as the header holds them.
    @Test(arguments: metadataCases)
    func safetensorsMetadataBytesAreTheMetadataMember(metadata: [String: String]) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("m.safetensors")
        try TestTensors.writeSafetensors(try Self.tensors(seed: 3), metadata: metadata, to: path)
        let bytes = try Fixtures.bytesOfFile(path)
        let json = Array(bytes[8..<(8 + Self.uint64(bytes, at: 0))])
        let expected = Self.memberRange("__metadata__", in: json).map { $0.count + 1 } ?? 0
        #expect(metadata.isEmpty == (expected == 0))
        let layout = try Self.layout(of: path)
        #expect(layout.metadataBytes == expected, "\(metadata)")
    }

    @Test func safetensorsWithoutTensorsStillAddsUp() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("m.safetensors")
        try TestTensors.writeSafetensors([], metadata: ["format": "pt"], to: path)
        let layout = try Self.layout(of: path)
        #expect(layout.tensorDataBytes == 0)
        #expect(
            layout.headerBytes + layout.metadataBytes + layout.tensorDataBytes + layout.paddingBytes
                == (try Self.fileSize(path)))
    }

    // MARK: wpk

    /// Header and index, metadata, data and padding add up for seeded models, lossless and int8, with the
    /// padding measured from the index's offsets (64-byte alignment, docs/FORMAT.md §2).
    @Test(arguments: [1, 2, 3] as [UInt64], [PackOptions.Quantization.none, .int8])
    func wpkPartsAddUpToTheFileSize(seed: UInt64, quantization: PackOptions.Quantization) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("m.safetensors")
        let packed = folder.path("m.wpk")
        try TestTensors.writeSafetensors(try Self.tensors(seed: seed), metadata: ["format": "pt"], to: input)
        try Packer.pack(inputPath: input, outputPath: packed, options: PackOptions(quantization: quantization))
        let layout = try Self.layout(of: packed)
        let bytes = try Fixtures.bytesOfFile(packed)
        let indexOffset = Self.uint64(bytes, at: 16)
        let indexLength = Self.uint64(bytes, at: 24)
        let records = try WPKReader(path: packed).index.tensors
        let data = records.reduce(0) { $0 + $1.length }
        var gaps = 0
        var end = WPKHeader.byteCount
        for record in records.sorted(by: { $0.offset < $1.offset }) {
            gaps += record.offset - end
            end = record.offset + record.length
        }
        gaps += indexOffset - end

        #expect(layout.headerBytes + layout.metadataBytes + layout.tensorDataBytes + layout.paddingBytes == bytes.count)
        #expect(layout.tensorDataBytes == data)
        #expect(layout.headerBytes + layout.metadataBytes == WPKHeader.byteCount + indexLength)
        #expect(layout.paddingBytes == gaps + (bytes.count - indexOffset - indexLength))
        #expect(layout.paddingBytes >= 0 && layout.paddingBytes < WPKHeader.alignment * (records.count + 1))
    }

    /// `metadata_bytes` of a `.wpk` is the index's `"metadata":{…}` member and its comma.
    @Test(arguments: metadataCases.filter { !$0.isEmpty })
    func wpkMetadataBytesAreTheIndexMetadataMember(metadata: [String: String]) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("m.safetensors")
        let packed = folder.path("m.wpk")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), metadata: metadata, to: input)
        try Packer.pack(inputPath: input, outputPath: packed, options: PackOptions())
        let bytes = try Fixtures.bytesOfFile(packed)
        let indexOffset = Self.uint64(bytes, at: 16)
        let index = Array(bytes[indexOffset..<(indexOffset + Self.uint64(bytes, at: 24))])
        let member = try #require(Self.memberRange("metadata", in: index))
        let layout = try Self.layout(of: packed)
        #expect(layout.metadataBytes == member.count + 1, "\(metadata)")

    }

    @Test func wpkWithoutMetadataHasNoMetadataBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let packed = folder.path("m.wpk")
        MetadataFreeWPK.write(at: packed)
        let layout = try Self.layout(of: packed)
        #expect(layout.metadataBytes == 0)
        #expect(
            layout.headerBytes + layout.metadataBytes + layout.tensorDataBytes + layout.paddingBytes
                == (try Self.fileSize(packed)))
    }

    // MARK: gguf

    @Test func ggufPartsAddUpAndHeaderEndsAtTheDataSection() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("m.safetensors")
        let gguf = folder.path("m.gguf")
        try TestTensors.writeSafetensors(
            try Self.tensors(seed: 5).filter { $0.dtype != .bool }, metadata: ["format": "pt"], to: input)
        try Converter.convert(inputPath: input, outputPath: gguf, options: ConvertOptions())
        let layout = try Self.layout(of: gguf)
        let reader = try GGUFReader(path: gguf)
        let size = try Self.fileSize(gguf)
        #expect(layout.headerBytes + layout.metadataBytes + layout.tensorDataBytes + layout.paddingBytes == size)
        #expect(layout.tensorDataBytes == reader.tensors.reduce(0) { $0 + $1.byteCount })
        #expect(layout.headerBytes + layout.metadataBytes <= reader.dataStart)
        #expect(layout.paddingBytes >= 0 && layout.paddingBytes < reader.alignment * (reader.tensors.count + 1))
    }

    /// GGUF key/values are metadata (FileLayout's own doc comment says so); the bytes between the end of the
    /// tensor infos and the data section are alignment padding.
    @Test func ggufKeyValuesAreMetadataAndTheAlignmentGapIsPadding() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("m.safetensors")
        let gguf = folder.path("m.gguf")
        try TestTensors.writeSafetensors(
            try TestTensors.smallModel().filter { $0.dtype != .bool },
            metadata: ["format": "pt", "source": "tests"], to: input)
        try Converter.convert(inputPath: input, outputPath: gguf, options: ConvertOptions())
        let sections = try GGUFSections(bytes: Fixtures.bytesOfFile(gguf))
        let reader = try GGUFReader(path: gguf)
        let layout = try Self.layout(of: gguf)
        let size = try Self.fileSize(gguf)
        #expect(sections.keyValueBytes > 0)
        #expect(layout.metadataBytes == sections.keyValueBytes)
        #expect(layout.headerBytes == sections.tensorInfoEnd - sections.keyValueBytes)
        #expect(
            layout.paddingBytes
                == (reader.dataStart - sections.tensorInfoEnd) + size - reader.dataStart - layout.tensorDataBytes)
    }

    // MARK: formats without a layout, and JSON

    @Test(arguments: ["m.npz", "m.npy-dir"])
    func formatsWithoutASplitHaveNoLayoutAndNullTotals(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("m.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        let output = folder.path(name)
        try Converter.convert(
            inputPath: input, outputPath: output,
            options: ConvertOptions(target: name.hasSuffix("npz") ? .npz : .npyDirectory))
        let inspection = try Inspector.inspect(path: output)
        #expect(inspection.layout == nil)
        let json = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(inspection)) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Any])
        for key in ["header_bytes", "metadata_bytes", "padding_bytes"] {
            #expect(totals[key] is NSNull, "\(key) is present and null")
        }
        #expect(inspection.renderTable().contains("\nheader, index and padding: "))
    }

    @Test(arguments: ["m.safetensors", "m.wpk"])
    func inspectionJSONCarriesTheLayoutAndDecodesBack(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("m.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), metadata: ["format": "pt"], to: input)
        if name.hasSuffix("wpk") {
            try Packer.pack(inputPath: input, outputPath: folder.path(name), options: PackOptions())
        }
        let inspection = try Inspector.inspect(path: folder.path(name))
        let layout = try #require(inspection.layout)
        #expect(layout.tensorDataBytes == inspection.totalStoredBytes)
        #expect(layout.headerBytes + layout.metadataBytes + layout.paddingBytes == inspection.overheadBytes)
        let data = try JSONEncoder().encode(inspection)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Any])
        #expect(totals["header_bytes"] as? Int == layout.headerBytes)
        #expect(totals["metadata_bytes"] as? Int == layout.metadataBytes)
        #expect(totals["padding_bytes"] as? Int == layout.paddingBytes)
        #expect(totals["tensor_data_bytes"] == nil, "the data bytes are stored_bytes")
        #expect(try JSONDecoder().decode(Inspection.self, from: data) == inspection)
        let table = inspection.renderTable(exactBytes: true)
        #expect(
            table.contains(
                "\nheader and index: \(layout.headerBytes) B, metadata: \(layout.metadataBytes) B, "
                    + "padding: \(layout.paddingBytes) B\n"), "\(table)")
    }
}

/// A `.wpk` with no metadata, written directly with ``WPKWriter``.
private enum MetadataFreeWPK {
    static func write(at path: String) {
        do {
            let writer = try WPKWriter(path: path)
            try writer.append(
                name: "w", dtype: .uint8, shape: [3], stages: [], storedBytes: TestTensors.randomBytes(3, seed: 1))
            try writer.finish(metadata: [:])
        } catch {
            Issue.record(error)
        }
    }
}

/// The end of a GGUF file's key/value section and of its tensor infos, by reading the GGUF v3 header
/// (magic, version u32, tensor count u64, key/value count u64, key/values, tensor infos; all little-endian).
private struct GGUFSections {
    /// Bytes of the key/value section.
    var keyValueBytes: Int
    /// Offset just past the last tensor info.
    var tensorInfoEnd: Int

    init(bytes: [UInt8]) throws {
        var offset = 8
        func u64() -> Int {
            defer { offset += 8 }
            return FileLayoutTests.uint64(bytes, at: offset)
        }
        func u32() -> Int {
            defer { offset += 4 }
            return (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        func skipValue(type: Int) throws {
            let sizes = [0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8]
            if let size = sizes[type] {
                offset += size
            } else if type == 8 {
                offset += u64()
            } else if type == 9 {
                let elementType = u32()
                for _ in 0..<u64() { try skipValue(type: elementType) }
            } else {
                throw GGUFSectionsError(type: type)
            }
        }
        let tensorCount = u64()
        let keyValueCount = u64()
        let keyValueStart = offset
        for _ in 0..<keyValueCount {
            offset += u64()
            try skipValue(type: u32())
        }
        keyValueBytes = offset - keyValueStart
        for _ in 0..<tensorCount {
            offset += u64()
            offset += 8 * u32()
            offset += 4 + 8
        }
        tensorInfoEnd = offset
    }
}

private struct GGUFSectionsError: Error {
    var type: Int
}

extension Fixtures {
    /// The bytes of any file.
    fileprivate static func bytesOfFile(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
