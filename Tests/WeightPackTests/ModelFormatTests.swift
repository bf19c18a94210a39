import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `ModelFormat.locate` / `detect`: files by extension, else by their first bytes; folders by what they hold.
struct ModelFormatTests {
    private func write(_ bytes: [UInt8], _ name: String, in folder: TemporaryDirectory) throws -> String {
        let path = folder.path(name)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func locateError(_ path: String, raw: Bool = false) -> WeightPackError? {
        #expect(throws: WeightPackError.self) { try ModelFormat.locate(path: path, raw: raw) }
    }

    // MARK: files by extension

    @Test(
        arguments: [
            ("model.safetensors", ModelFormat.safetensors), ("MODEL.SafeTensors", .safetensors),
            ("model.safetensors.index.json", .shardedSafetensors),
            ("pytorch_model.SAFETENSORS.INDEX.JSON", .shardedSafetensors), ("w.npy", .npy), ("w.NPY", .npy),
            ("m.npz", .npz), ("m.gguf", .gguf), ("m.GGUF", .gguf), ("m.wpk", .wpk),
        ])
    func aFileIsToldByItsExtensionWhateverItHolds(name: String, format: ModelFormat) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try write([1, 2, 3], name, in: folder)
        let location = try ModelFormat.locate(path: path)
        #expect(location.format == format)
        #expect(location.path == path)
        #expect(try ModelFormat.detect(path: path) == format)
    }

    // MARK: files by content

    @Test(
        arguments: [
            (WPKHeader.magic + [0, 0, 0, 0], ModelFormat.wpk),
            ([0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0], .npy),
            ([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 0], .npz),
            (Array("GGUF".utf8) + [3, 0, 0, 0, 0, 0], .gguf),
            ([2, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8), .safetensors),
        ] as [([UInt8], ModelFormat)])
    func aFileWithoutAKnownExtensionIsToldByItsMagic(head: [UInt8], format: ModelFormat) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for name in ["model.dat", "model"] {
            let path = try write(head, name, in: folder)
            let location = try ModelFormat.locate(path: path)
            #expect(location.format == format, "\(name)")
            #expect(location.path == path)
        }
    }

    @Test(
        arguments: [[], [0x89], Array("GGU".utf8), [0, 0, 0, 0, 0, 0, 0, 0], Array(repeating: 0x41, count: 64)]
            as [[UInt8]])
    func aFileNeitherNameNorContentTellsIsUnsupportedAndMentionsTheRawOptions(head: [UInt8]) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = try write(head, "weights.bin", in: folder)
        let error = locateError(path)
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.path == path)
        #expect(error?.message.contains("--raw-dtype") == true, "\(String(describing: error))")
    }

    @Test func rawReadsAnyFileAsRaw() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for name in ["w.bin", "model.safetensors", "m.wpk"] {
            let path = try write([0, 0, 0, 0], name, in: folder)
            let location = try ModelFormat.locate(path: path, raw: true)
            #expect(location.format == .raw && location.path == path, "\(name)")
        }
    }

    @Test func aMissingPathIsUnsupportedNamingThePath() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = locateError(folder.path("absent.safetensors"))
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.path == folder.path("absent.safetensors"))
        #expect(error?.message == "no such file")
        #expect(locateError(folder.path("absent"), raw: true)?.code == .unsupportedFormat)
    }

    // MARK: folders

    @Test func aFolderWithAnIndexIsShardedAndLocatesTheIndex() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let index = try write(Array("{}".utf8), "model.safetensors.index.json", in: folder)
        _ = try write([0], "model-00001-of-00002.safetensors", in: folder)
        _ = try write([0], "manifest.json", in: folder)
        _ = try write([0], "a.npy", in: folder)
        let location = try ModelFormat.locate(path: folder.url.path)
        #expect(location.format == .shardedSafetensors)
        #expect(location.path == index)
        #expect(try ModelFormat.detect(path: folder.url.path) == .shardedSafetensors)
    }

    @Test func aFolderWithTwoIndexesIsAmbiguous() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try write([0], "model.safetensors.index.json", in: folder)
        _ = try write([0], "diffusion_pytorch_model.safetensors.index.json", in: folder)
        let error = locateError(folder.url.path)
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.message.contains("2 safetensors indexes") == true, "\(String(describing: error))")
    }

    @Test func aFolderWithAManifestIsRawAndLocatesTheFolder() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try write(Array("{}".utf8), "manifest.json", in: folder)
        _ = try write([0], "a.npy", in: folder)
        let location = try ModelFormat.locate(path: folder.url.path)
        #expect(location.format == .raw)
        #expect(location.path == folder.url.path)
    }

    @Test func aFolderOfNPYFilesIsAnNPYDirectory() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try write([0], "encoder.weight.NPY", in: folder)
        _ = try write([0], "model.safetensors", in: folder)
        let location = try ModelFormat.locate(path: folder.url.path)
        #expect(location.format == .npyDirectory)
        #expect(location.path == folder.url.path)
    }

    @Test func aFolderWithOneSafetensorsFileLocatesThatFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let model = try write([0], "model.safetensors", in: folder)
        _ = try write([0], "config.json", in: folder)
        _ = try write([0], "README.md", in: folder)
        let location = try ModelFormat.locate(path: folder.url.path)
        #expect(location.format == .safetensors)
        #expect(location.path == model)
    }

    @Test func anEmptyFolderIsUnsupported() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = locateError(folder.url.path)
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.path == folder.url.path)
        #expect(error?.message.contains("folder without a model") == true)
        #expect(locateError(folder.url.path, raw: true)?.code == .unsupportedFormat)
    }

    @Test func aFolderWithTwoSafetensorsFilesAndNoIndexIsUnsupported() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try write([0], "a.safetensors", in: folder)
        _ = try write([0], "b.safetensors", in: folder)
        #expect(locateError(folder.url.path)?.code == .unsupportedFormat)
    }
}
