import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// `RawTensorWriter`: one tensor's bytes to a file, or a folder of them with a `manifest.json`; the
/// percent-encoded file names and their inverse.
struct RawTensorWriterTests {
    private func tensor(_ name: String, _ dtype: DType, _ shape: Shape, seed: UInt64) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        let bytes = (0..<(try shape.byteCount(of: dtype))).map { _ in generator.byte() }
        return try Tensor(name: name, dtype: dtype, shape: shape, data: Data(bytes))
    }

    private func manifest(in folder: TemporaryDirectory) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder.path("manifest.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    // MARK: one file

    @Test func writeStoresExactlyTheTensorBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensor = try tensor("w", .float32, [3, 4], seed: 1)
        try RawTensorWriter.write(tensor, to: folder.path("w.bin"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("w.bin"))) == tensor.data)
        #expect(try folder.contents() == ["w.bin"], "no temporary file is left")
    }

    @Test func writeReplacesAnExistingFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(repeating: 9, count: 100).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let tensor = try tensor("w", .uint8, [3], seed: 2)
        try RawTensorWriter.write(tensor, to: folder.path("w.bin"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("w.bin"))) == tensor.data)
    }

    @Test func writeIntoAMissingFolderIsAnIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = #expect(throws: FormatError.self) {
            try RawTensorWriter.write(try tensor("w", .uint8, [1], seed: 3), to: folder.path("absent/w.bin"))
        }
        #expect(error?.code == .ioFailure)
    }

    // MARK: file names

    @Test(
        arguments: [
            ("encoder.layer.0.weight", "encoder.layer.0.weight.bin"),
            ("A-z_0.9", "A-z_0.9.bin"),
            ("a/b", "a%2Fb.bin"),
            ("..", "%2E..bin"),
            (".", "%2E.bin"),
            (".hidden", "%2Ehidden.bin"),
            ("../etc/passwd", "%2E.%2Fetc%2Fpasswd.bin"),
            ("a\\b", "a%5Cb.bin"),
            ("a b", "a%20b.bin"),
            ("100%", "100%25.bin"),
            ("é", "%C3%A9.bin"),
            ("权重", "%E6%9D%83%E9%87%8D.bin"),
            ("a:b*c?", "a%3Ab%2Ac%3F.bin"),
            ("nul\u{0}", "nul%00.bin"),
        ])
    func fileNamePercentEncodesEverythingOutsideThePortableSet(name: String, expected: String) {
        #expect(RawTensorWriter.fileName(for: name) == expected)
        #expect(RawTensorWriter.tensorName(fromFileName: expected, suffix: ".bin") == name)
    }

    @Test func fileNameUsesTheGivenSuffix() {
        #expect(RawTensorWriter.fileName(for: "a/b", suffix: ".npy") == "a%2Fb.npy")
        #expect(RawTensorWriter.fileName(for: "w", suffix: "") == "w")
        #expect(RawTensorWriter.tensorName(fromFileName: "a%2Fb.npy", suffix: ".npy") == "a/b")
    }

    @Test(arguments: ["w.npy", "w", "w.bin.tmp"])
    func tensorNameIsNilWithoutTheSuffix(fileName: String) {
        #expect(RawTensorWriter.tensorName(fromFileName: fileName, suffix: ".bin") == nil)
    }

    @Test(arguments: ["%G1.bin", "a%2.bin", "%.bin", "%FF.bin", "%C3.bin", "%C3%28.bin"])
    func tensorNameIsNilForMalformedEscapesOrInvalidUTF8(fileName: String) {
        #expect(RawTensorWriter.tensorName(fromFileName: fileName, suffix: ".bin") == nil)
    }

    /// Seeded names drawn from ASCII, punctuation and multi-byte scalars: every file name is a plain,
    /// visible name in the folder, distinct names give distinct files, and the inverse gives the name back.
    @Test func seededNamesAreSafeDistinctAndInvertible() {
        var generator = SplitMix64(seed: 0xF11E)
        let alphabet = Array("ab.Z9_-/\\%. :é漢😀\u{7F}\u{1}")
        var seen: [String: String] = [:]
        for _ in 0..<2000 {
            let name = String(
                (0..<(1 + generator.int(below: 8))).map { _ in alphabet[generator.int(below: alphabet.count)] })
            let file = RawTensorWriter.fileName(for: name)
            let stem = String(file.dropLast(4))
            #expect(!stem.hasPrefix("."), "\(name) → \(file)")
            #expect(!file.contains("/") && !file.contains("\\"), "\(name) → \(file)")
            #expect(file.utf8.allSatisfy { $0 < 0x80 && $0 > 0x20 && $0 != 0x7F }, "\(name) → \(file)")
            #expect(RawTensorWriter.tensorName(fromFileName: file, suffix: ".bin") == name)
            if let previous = seen[file] { #expect(previous == name, "\(previous) and \(name) share \(file)") }
            seen[file] = name
        }
    }

    // MARK: folders

    @Test func writeFolderWritesOneFilePerTensorAndAManifestInOrder() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = [
            try tensor("z.weight", .float16, [2, 3], seed: 1), try tensor("a/b", .int64, [4], seed: 2),
            try tensor("scalar", .float32, [], seed: 3), try tensor("empty", .bfloat16, [0, 5], seed: 4),
            try tensor("mask", .bool, [3], seed: 5),
        ]
        let target = folder.path("out")
        try RawTensorWriter.writeFolder(try TensorCollection(tensors: tensors, metadata: ["format": "pt"]), to: target)
        let files = try FileManager.default.contentsOfDirectory(atPath: target).sorted()
        #expect(files == ["a%2Fb.bin", "empty.bin", "manifest.json", "mask.bin", "scalar.bin", "z.weight.bin"])
        for tensor in tensors {
            let path = URL(fileURLWithPath: target).appendingPathComponent(RawTensorWriter.fileName(for: tensor.name))
            #expect(try Data(contentsOf: path) == tensor.data, "\(tensor.name)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: target).appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(manifest["metadata"] as? [String: String] == ["format": "pt"])
        let entries = try #require(manifest["tensors"] as? [[String: Any]])
        #expect(entries.compactMap { $0["name"] as? String } == tensors.map(\.name))
        #expect(entries.compactMap { $0["file"] as? String } == tensors.map { RawTensorWriter.fileName(for: $0.name) })
        #expect(entries.compactMap { $0["dtype"] as? String } == ["f16", "i64", "f32", "bf16", "bool"])
        #expect(entries.compactMap { $0["shape"] as? [Int] } == [[2, 3], [4], [], [0, 5], [3]])
    }

    @Test func writeFolderOfAnEmptyCollectionWritesOnlyTheManifest() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try RawTensorWriter.writeFolder(try TensorCollection(), to: folder.url.path)
        #expect(try folder.contents() == ["manifest.json"])
        let manifest = try manifest(in: folder)
        #expect((manifest["tensors"] as? [Any])?.isEmpty == true)
    }

    @Test func writeFolderOverAFileIsAnIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data([1]).write(to: URL(fileURLWithPath: folder.path("taken")))
        let error = #expect(throws: FormatError.self) {
            try RawTensorWriter.writeFolder(
                try TensorCollection(tensors: [try tensor("w", .uint8, [1], seed: 1)]), to: folder.path("taken"))
        }
        #expect(error?.code == .ioFailure)
        #expect(error?.path == folder.path("taken"))
    }
}
