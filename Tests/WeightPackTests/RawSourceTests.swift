import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `RawSource`: one bare binary file read with `RawInputOptions`, or a folder written by
/// `RawTensorWriter.writeFolder` read through its `manifest.json`.
struct RawSourceTests {
    private func writeManifest(_ json: String, in folder: TemporaryDirectory) throws {
        try Data(json.utf8).write(to: URL(fileURLWithPath: folder.path("manifest.json")))
    }

    private func folderError(_ folder: TemporaryDirectory) -> WeightPackError? {
        #expect(throws: WeightPackError.self) { try RawSource(folder: folder.url.path) }
    }

    private func allTensors(_ source: any TensorSource) throws -> [Tensor] {
        try source.tensorInfos.map { try source.decodedTensor($0) }
    }

    // MARK: one file

    @Test func aFileIsOneTensorNamedAfterItsStem() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensor = try TestTensors.random("x", [3, 4], seed: 5)
        try (Data([0xAA, 0xBB]) + tensor.data).write(to: URL(fileURLWithPath: folder.path("embedding.weight.bin")))
        let source = try RawSource(
            path: folder.path("embedding.weight.bin"),
            options: RawInputOptions(dtype: .float32, shape: [3, 4], byteOffset: 2))
        #expect(source.format == .raw)
        #expect(source.fileByteCount == 50)
        #expect(source.metadata.isEmpty)
        #expect(source.tensorInfos.map(\.name) == ["embedding.weight"])
        #expect(source.tensorInfos.first?.storedByteCount == 48)
        let read = try source.decodedTensor(try #require(source.tensorInfos.first))
        #expect(read.data == tensor.data)
        #expect(read.dtype == .float32 && read.shape == [3, 4])
    }

    @Test func aBigEndianFileReadsAsTheLittleEndianValues() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let values: [UInt16] = [1, 0x0203, 0xFFFE]
        try Data(values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }).write(
            to: URL(fileURLWithPath: folder.path("w")))
        let source = try RawSource(
            path: folder.path("w"), options: RawInputOptions(dtype: .uint16, shape: [3], byteOrder: .big))
        let read = try source.decodedTensor(try #require(source.tensorInfos.first))
        #expect([UInt8](read.data) == [1, 0, 3, 2, 0xFE, 0xFF])
    }

    @Test func aFileOfTheWrongSizeNamesBothByteCounts() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 30).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let error = #expect(throws: WeightPackError.self) {
            try RawSource(path: folder.path("w.bin"), options: RawInputOptions(dtype: .float32, shape: [2, 4]))
        }
        #expect(error?.path == folder.path("w.bin"))
        #expect((error?.underlying as? FormatError)?.code == .byteCountMismatch)
        #expect(error?.message == "30 bytes after offset 0; f32 × [2, 4] needs 32")
    }

    @Test func openTensorSourceReadsAFileAsRawOnlyWithOptions() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 8).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let source = try openTensorSource(path: folder.path("w.bin"), raw: RawInputOptions(dtype: .int64, shape: [1]))
        #expect(source.format == .raw)
        #expect(source.tensorInfos.map(\.dtype) == [.int64])
        let error = #expect(throws: WeightPackError.self) { try openTensorSource(path: folder.path("w.bin")) }
        #expect(error?.code == .unsupportedFormat)
    }

    @Test func aPositionOutsideTheSourceIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 4).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let source = try RawSource(path: folder.path("w.bin"), options: RawInputOptions(dtype: .float32, shape: [1]))
        var info = try #require(source.tensorInfos.first)
        info.position = 1
        let error = #expect(throws: WeightPackError.self) { try source.decodedTensor(info) }
        #expect(error?.code == .invalidOption)
    }

    // MARK: folders

    @Test func writeFolderThenRawSourceGivesBackEveryTensorAndTheMetadata() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors =
            try TestTensors.smallModel() + [
                try TestTensors.random("odd/name ..é", [2], dtype: .bfloat16, seed: 9),
                try TestTensors.random("scalar", [], dtype: .float16, seed: 10),
                try TestTensors.random("empty", [0, 3], seed: 11),
            ]
        try RawTensorWriter.writeFolder(
            try TensorCollection(tensors: tensors, metadata: ["format": "pt", "note": "x"]), to: folder.path("raw"))
        let source = try RawSource(folder: folder.path("raw"))
        #expect(source.metadata == ["format": "pt", "note": "x"])
        #expect(source.tensorInfos.map(\.name) == tensors.map(\.name))
        #expect(source.tensorInfos.map(\.position) == Array(tensors.indices))
        #expect(try allTensors(source) == tensors)
        #expect(source.fileByteCount == tensors.reduce(0) { $0 + $1.data.count })
        let opened = try openTensorSource(path: folder.path("raw"))
        #expect(opened.format == .raw)
        #expect(try allTensors(opened) == tensors)
    }

    @Test func seededFoldersRoundTrip() throws {
        var generator = SplitMix64(seed: 0xF01D)
        let dtypes: [DType] = DType.allCases
        for trial in 0..<15 {
            let folder = try TemporaryDirectory()
            defer { folder.remove() }
            let tensors = try (0..<(1 + generator.int(below: 6))).map { position in
                let dtype = dtypes[generator.int(below: dtypes.count)]
                let shape = Shape((0..<generator.int(below: 4)).map { _ in generator.int(below: 4) })
                let data = Data((0..<(try shape.byteCount(of: dtype))).map { _ in generator.byte() })
                return try Tensor(name: "t\(trial)/\(position)", dtype: dtype, shape: shape, data: data)
            }
            try RawTensorWriter.writeFolder(try TensorCollection(tensors: tensors), to: folder.url.path)
            #expect(try allTensors(try RawSource(folder: folder.url.path)) == tensors, "trial \(trial)")
        }
    }

    @Test(arguments: ["../secret.bin", "sub/w.bin", "..", ".", "/etc/hostname"])
    func aManifestFileNameThatLeavesTheFolderIsRefused(file: String) throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        // A file the traversal would reach, of the right size, so only the name check can refuse it.
        try Data(count: 4).write(to: root.url.appendingPathComponent("secret.bin"))
        let folder = root.url.appendingPathComponent("model")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(count: 4).write(to: folder.appendingPathComponent("sub/w.bin"))
        let manifest = #"{"tensors": [{"name": "w", "file": "\#(file)", "dtype": "f32", "shape": [1]}]}"#
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let error = #expect(throws: WeightPackError.self) { try RawSource(folder: folder.path) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("not a plain name") == true, "\(String(describing: error))")
    }

    @Test func aManifestWithoutATensorsListIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try writeManifest(#"{"metadata": {}}"#, in: folder)
        let error = folderError(folder)
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.path == folder.path("manifest.json"))
    }

    @Test(arguments: [
        #"{"file": "w.bin", "dtype": "f32", "shape": [1]}"#, #"{"name": "w", "dtype": "f32", "shape": [1]}"#,
        #"{"name": "w", "file": "w.bin", "shape": [1]}"#, #"{"name": "w", "file": "w.bin", "dtype": "f32"}"#,
        #"{"name": "w", "file": "w.bin", "dtype": "f32", "shape": "1"}"#,
    ])
    func aManifestEntryLackingAFieldIsRefused(entry: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 4).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        try writeManifest(#"{"tensors": [\#(entry)]}"#, in: folder)
        #expect(folderError(folder)?.code == .unsupportedFormat)
    }

    @Test func anUnknownDTypeIsRefusedNamingIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 4).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        try writeManifest(#"{"tensors": [{"name": "w", "file": "w.bin", "dtype": "F32", "shape": [1]}]}"#, in: folder)
        let error = folderError(folder)
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.contains("'F32'") == true)
    }

    @Test func aFileOfTheWrongSizeIsRefusedNamingTheFileAndBothCounts() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 6).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        try writeManifest(#"{"tensors": [{"name": "w", "file": "w.bin", "dtype": "f32", "shape": [2]}]}"#, in: folder)
        let error = folderError(folder)
        #expect(error?.path == folder.path("w.bin"))
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("6 bytes") == true && error?.message.contains("needs 8") == true)
    }

    @Test(arguments: [#"[-1]"#, #"[4611686018427387904, 4]"#])
    func aNegativeOrOverflowingShapeIsRefused(shape: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 4).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        try writeManifest(
            #"{"tensors": [{"name": "w", "file": "w.bin", "dtype": "f32", "shape": \#(shape)}]}"#, in: folder)
        #expect(folderError(folder) != nil)
    }

    @Test func duplicateNamesAreRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Data(count: 4).write(to: URL(fileURLWithPath: folder.path("w.bin")))
        let entry = #"{"name": "w", "file": "w.bin", "dtype": "f32", "shape": [1]}"#
        try writeManifest(#"{"tensors": [\#(entry), \#(entry)]}"#, in: folder)
        #expect(folderError(folder) != nil)
    }

    @Test func aMissingOrMalformedManifestIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect(folderError(folder)?.path == folder.path("manifest.json"))
        try writeManifest("{not json", in: folder)
        #expect(folderError(folder) != nil)
    }
}
