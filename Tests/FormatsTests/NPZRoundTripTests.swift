import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// The writer against our reader (seeded), the writer's guarantees (names, order, determinism, atomicity),
/// and mangled archives never crashing the reader.
struct NPZRoundTripTests {
    private static func randomCollection(_ generator: inout SplitMix64) throws -> TensorCollection {
        var collection = try TensorCollection(tensors: [])
        let names = ["w", "layers.0/q_proj.weight", "b", "ñ🙂", "a b", "arr_0", "x.npy", "", "dir/", "k"]
        for name in names.shuffled(using: &generator).prefix(generator.int(below: 6)) {
            try collection.append(try NPYRoundTripTests.randomTensor(&generator).renamed(name))
        }
        return collection
    }

    @Test(arguments: [false, true])
    func writeThenReadGivesBackTheSameTensorsInOrder(compressed: Bool) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var generator = SplitMix64(seed: compressed ? 0x7A1F : 0x5707)
        var tensorsChecked = 0
        for caseIndex in 0..<60 {
            let original = try Self.randomCollection(&generator)
            let path = folder.path("case\(caseIndex).npz")
            try NPZWriter.write(original, to: path, compressed: compressed)
            let reader = try NPZReader(path: path)
            #expect(reader.entries.map(\.name) == original.names, "case \(caseIndex)")
            #expect(reader.entries.allSatisfy { $0.isCompressed == compressed }, "case \(caseIndex)")
            #expect(try reader.readAll() == original, "case \(caseIndex)")
            tensorsChecked += original.tensors.count
        }
        #expect(tensorsChecked > 100)
    }

    @Test(arguments: NPZGoldenTests.archives)
    func rewritingTheGoldenGivesAnArchiveWithTheSameMembers(file: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let golden = try NPZGolden.collection(file)
        let compressed = file.contains("compressed")
        try NPZWriter.write(golden, to: folder.path("ours.npz"), compressed: compressed)
        let reader = try NPZReader(path: folder.path("ours.npz"))
        #expect(try reader.readAll() == golden)
        // Each member is exactly what np.save writes for the array.
        let numpy = try NPZReader(path: Fixtures.url("npz/valid/" + file).path)
        for (ours, theirs) in zip(reader.entries, numpy.entries) where !theirs.header.fortranOrder {
            guard !theirs.header.isBigEndian else { continue }
            #expect(ours.uncompressedByteCount == theirs.uncompressedByteCount, "\(ours.name)")
            #expect(ours.header == theirs.header, "\(ours.name)")
        }
    }

    @Test func writingIsDeterministic() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let golden = try NPZGolden.collection("savez.npz")
        for compressed in [false, true] {
            try NPZWriter.write(golden, to: folder.path("a.npz"), compressed: compressed)
            try NPZWriter.write(golden, to: folder.path("b.npz"), compressed: compressed)
            let first = try Data(contentsOf: URL(fileURLWithPath: folder.path("a.npz")))
            #expect(first == (try Data(contentsOf: URL(fileURLWithPath: folder.path("b.npz")))))
        }
        #expect(try folder.contents() == ["a.npz", "b.npz"])
    }

    @Test func bfloat16TensorIsRefusedBeforeAnyFileIsCreated() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let collection = try TensorCollection(tensors: [
            try Tensor(name: "ok", dtype: .float32, shape: [1], data: Data(count: 4)),
            try Tensor(name: "half", dtype: .bfloat16, shape: [1], data: Data(count: 2)),
        ])
        let error = try #require(throws: FormatError.self) {
            try NPZWriter.write(collection, to: folder.path("x.npz"), compressed: false)
        }
        #expect(error.code == .unsupportedDType)
        #expect(error.tensorName == "half")
        #expect(error.message.contains("float32"))
        #expect(try folder.contents().isEmpty)
    }

    @Test func writingOverAnExistingArchiveReplacesIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("x.npz")
        try NPZWriter.write(try NPZGolden.collection("savez.npz"), to: path, compressed: true)
        let one = try TensorCollection(tensors: [
            try Tensor(name: "only", dtype: .uint8, shape: [2], data: Data([1, 2]))
        ])
        try NPZWriter.write(one, to: path, compressed: false)
        #expect(try NPZReader(path: path).readAll() == one)
        #expect(try folder.contents() == ["x.npz"])
    }

    /// Truncates and flips bytes of both golden archives; every result must either read into tensors whose
    /// byte counts hold or throw a FormatError — never trap, hang or over-allocate.
    @Test(arguments: NPZGoldenTests.archives)
    func mutatedArchivesReadOrThrowButNeverCrash(file: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let golden = try Fixtures.bytes("npz/valid/" + file)
        let directoryStart = try #require(NPZGolden.directoryEntryOffsets(golden).first)
        var generator = SplitMix64(seed: file.count == 9 ? 0xB0B : 0xC0C)
        var accepted = 0
        var rejections: [FormatError.Code: Int] = [:]
        for index in 0..<2000 {
            var bytes = golden
            switch generator.int(below: 4) {
            case 0:
                bytes.removeSubrange(generator.int(below: bytes.count)...)
            case 1:  // flip bits in the central directory and end record
                for _ in 0..<(generator.int(below: 3) + 1) {
                    let position = directoryStart + generator.int(below: bytes.count - directoryStart)
                    bytes[position] ^= 1 << UInt8(generator.int(below: 8))
                }
            default:  // flip or overwrite bytes anywhere (headers, deflate streams, data)
                for _ in 0..<(generator.int(below: 4) + 1) {
                    let position = generator.int(below: bytes.count)
                    if generator.int(below: 2) == 0 {
                        bytes[position] ^= 1 << UInt8(generator.int(below: 8))
                    } else {
                        bytes[position] = generator.byte()
                    }
                }
            }
            let path = folder.path("m\(index % 8).npz")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do throws(FormatError) {
                let collection = try NPZReader(path: path).readAll()
                for tensor in collection.tensors {
                    #expect(tensor.data.count == tensor.elementCount * tensor.dtype.byteWidth)
                }
                accepted += 1
            } catch {
                rejections[error.code, default: 0] += 1
            }
        }
        #expect(accepted + rejections.values.reduce(0, +) == 2000)
        #expect(rejections.count >= 4, "\(rejections)")
    }
}
