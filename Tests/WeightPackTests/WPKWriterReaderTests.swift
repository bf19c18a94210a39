import Formats
import Foundation
import TensorCore
import TestSupport
import Testing

/// docs/FORMAT.md §1–3: what ``WPKWriter`` writes and ``WPKReader`` reads back.
struct WPKWriterReaderTests {
    private struct Payload {
        var name: String
        var dtype: DType
        var shape: Shape
        var stages: [StageDescriptor]
        var bytes: Data
    }

    private static func payloads() -> [Payload] {
        [
            Payload(
                name: "encoder.layer.0.weight", dtype: .float32, shape: [3, 5], stages: [],
                bytes: TestTensors.randomBytes(60, seed: 1)),
            Payload(
                name: "encoder.layer.0.packed", dtype: .float32, shape: [4, 4],
                stages: [
                    StageDescriptor(
                        name: "int8", parameters: ["granularity": "per_channel", "rows": "4", "columns": "4"],
                        outputByteCount: 32),
                    StageDescriptor(name: "zstd", parameters: ["level": "3"], outputByteCount: 13),
                ],
                bytes: TestTensors.randomBytes(13, seed: 2)),
            Payload(name: "empty", dtype: .float16, shape: [0, 8], stages: [], bytes: Data()),
            Payload(name: "scalar", dtype: .bfloat16, shape: [], stages: [], bytes: Data([0x80, 0x3F])),
            Payload(name: "ids", dtype: .int64, shape: [9], stages: [], bytes: TestTensors.randomBytes(72, seed: 3)),
        ]
    }

    private func writeFile(at path: String, payloads: [Payload]) throws {
        let writer = try WPKWriter(path: path)
        for payload in payloads {
            try writer.append(
                name: payload.name, dtype: payload.dtype, shape: payload.shape, stages: payload.stages,
                storedBytes: payload.bytes)
        }
        try writer.finish(
            metadata: ["format": "pt", "note": "ü/λ"], source: ["format": "safetensors", "bytes": "999"])
    }

    @Test func readerReturnsWhatTheWriterWrote() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        let payloads = Self.payloads()
        try writeFile(at: path, payloads: payloads)

        let reader = try WPKReader(path: path)
        #expect(reader.index.metadata == ["format": "pt", "note": "ü/λ"])
        #expect(reader.index.source == ["format": "safetensors", "bytes": "999"])
        try #require(reader.index.tensors.count == payloads.count)
        for (record, payload) in zip(reader.index.tensors, payloads) {
            #expect(record.name == payload.name)
            #expect(record.dtype == payload.dtype)
            #expect(record.shape == payload.shape)
            #expect(record.stages == payload.stages)
            #expect(record.length == payload.bytes.count)
            #expect(record.checksum == Checksum.hex(Checksum.xxh3(payload.bytes)))
            #expect(reader.storedBytes(of: record) == payload.bytes)
            #expect(try reader.verifiedStoredBytes(of: record) == payload.bytes)
        }
    }

    @Test func segmentsStartAt64ByteBoundariesAndPaddingIsZero() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try writeFile(at: path, payloads: Self.payloads())
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let records = try WPKReader(path: path).index.tensors

        #expect(records.first?.offset == 64)
        var covered = Array(repeating: false, count: bytes.count)
        for record in records {
            #expect(record.offset % 64 == 0, "\(record.name) at \(record.offset)")
            for position in record.offset..<(record.offset + record.length) { covered[position] = true }
        }
        for (previous, next) in zip(records, records.dropFirst()) {
            #expect(previous.offset + previous.length <= next.offset, "\(previous.name) overlaps \(next.name)")
        }
        let indexOffset = WPKSurgery.indexOffset(bytes)
        #expect(indexOffset % 64 == 0)
        let padding = (64..<indexOffset).filter { !covered[$0] }
        #expect(padding.allSatisfy { bytes[$0] == 0 })
    }

    @Test func headerFieldsFollowFormatSection2() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try writeFile(at: path, payloads: Self.payloads())
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))

        #expect(Array(bytes[0..<8]) == [0x89, 0x57, 0x50, 0x4B, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(bytes[8..<12]) == [0x02, 0x00, 0x00, 0x00])  // major 2, minor 0
        #expect(Array(bytes[12..<16]) == [0, 0, 0, 0])  // flags
        let indexOffset = Int(WPKSurgery.uint64(bytes, at: 16))
        let indexLength = Int(WPKSurgery.uint64(bytes, at: 24))
        #expect(indexOffset >= 64 && indexOffset % 64 == 0)
        #expect(indexOffset + indexLength == bytes.count, "the index ends the file")
        #expect(WPKSurgery.uint64(bytes, at: 32) == Checksum.xxh3(Array(bytes[indexOffset...])))
        #expect(bytes[40..<64].allSatisfy { $0 == 0 }, "reserved bytes are zero")

        let header = try WPKReader(path: path).header
        #expect(header.majorVersion == 2 && header.minorVersion == 0 && header.flags == 0)
        #expect(header.indexOffset == indexOffset && header.indexByteCount == indexLength)
    }

    @Test func indexIsSortedKeyJSONThatEndsTheFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        try writeFile(at: path, payloads: Self.payloads())
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let text = String(decoding: bytes[WPKSurgery.indexOffset(bytes)...], as: UTF8.self)

        #expect(text.hasPrefix("{\"metadata\":"))
        #expect(text.hasSuffix("}"))
        let keys = ["\"metadata\":", "\"source\":", "\"tensors\":"].map { text.range(of: $0)?.lowerBound }
        #expect(keys.allSatisfy { $0 != nil } && keys == keys.sorted { $0! < $1! })
        let firstRecord =
            #"{"dtype":"f32","length":60,"name":"encoder.layer.0.weight","offset":64,"shape":[3,5],"stages":[],"#
            + #""xxh3_64":""#
        #expect(text.contains(firstRecord), "\(text)")
        #expect(text.contains("{\"name\":\"zstd\",\"output_bytes\":13,\"params\":{\"level\":\"3\"}}"))
    }

    @Test func headerEncodesTheWorkedExampleOfFormatSection2() throws {
        // An index of 1,234 bytes at offset 20,160 in a file of 21,394 bytes.
        let header = WPKHeader(indexOffset: 20_160, indexByteCount: 1_234, indexChecksum: 0x0807_0605_0403_0201)
        let expected: [UInt8] =
            [0x89, 0x57, 0x50, 0x4B, 0x0D, 0x0A, 0x1A, 0x0A, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            + [0xC0, 0x4E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xD2, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            + [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08] + [UInt8](repeating: 0, count: 24)
        #expect(header.encoded() == expected)
        #expect(try WPKHeader.decode(expected, fileByteCount: 21_394) == header)
    }

    @Test func emptyFileHoldsOnlyHeaderAndIndex() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("empty.wpk")
        try WPKWriter(path: path).finish(metadata: [:])
        let reader = try WPKReader(path: path)
        #expect(reader.index == WPKIndex())
        #expect(reader.header.indexOffset == 64)
    }

    @Test func checksumHexIsSixteenLowerCaseDigits() {
        #expect(Checksum.hex(0) == "0000000000000000")
        #expect(Checksum.hex(0xABC) == "0000000000000abc")
        #expect(Checksum.hex(.max) == "ffffffffffffffff")
        // XXH3-64 with seed 0 of the empty input (xxHash's published test vector).
        #expect(Checksum.xxh3([UInt8]()) == 0x2D06_8005_38D3_94C2)
    }

    @Test func fileAppearsOnlyAfterFinish() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        let writer = try WPKWriter(path: path)
        try writer.append(name: "a", dtype: .uint8, shape: [4], stages: [], storedBytes: Data([1, 2, 3, 4]))
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.finish(metadata: [:])
        #expect(try folder.contents() == ["model.wpk"])
    }

    @Test func abortLeavesNoFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let writer = try WPKWriter(path: folder.path("model.wpk"))
        try writer.append(name: "a", dtype: .uint8, shape: [4], stages: [], storedBytes: Data([1, 2, 3, 4]))
        writer.abort()
        #expect(try folder.contents().isEmpty)
    }

    @Test func writerRefusesADuplicateName() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let writer = try WPKWriter(path: folder.path("model.wpk"))
        defer { writer.abort() }
        try writer.append(name: "a", dtype: .uint8, shape: [1], stages: [], storedBytes: Data([1]))
        let error = #expect(throws: FormatError.self) {
            try writer.append(name: "a", dtype: .uint8, shape: [1], stages: [], storedBytes: Data([2]))
        }
        #expect(error?.code == .duplicateTensorName)
        #expect(error?.tensorName == "a")
    }

    @Test func writerRefusesStoredBytesThatDisagreeWithTheLastStage() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let writer = try WPKWriter(path: folder.path("model.wpk"))
        defer { writer.abort() }
        let error = #expect(throws: FormatError.self) {
            try writer.append(
                name: "w", dtype: .float32, shape: [4],
                stages: [StageDescriptor(name: "zstd", parameters: [:], outputByteCount: 10)],
                storedBytes: Data(count: 9))
        }
        #expect(error?.code == .corruptIndex)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("10") == true && error?.message.contains("9") == true)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func seededRoundTripOfRandomTensors(seed: UInt64) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        var generator = SplitMix64(seed: seed)
        let payloads = (0..<Int.random(in: 1...12, using: &generator)).map { position in
            let count = Int.random(in: 0...300, using: &generator)
            return Payload(
                name: "t\(position)", dtype: .uint8, shape: [count], stages: [],
                bytes: TestTensors.randomBytes(count, seed: generator.next()))
        }
        try writeFile(at: path, payloads: payloads)
        let reader = try WPKReader(path: path)
        #expect(reader.index.tensors.map(\.name) == payloads.map(\.name))
        for (record, payload) in zip(reader.index.tensors, payloads) {
            #expect(try reader.verifiedStoredBytes(of: record) == payload.bytes)
        }
    }
}
