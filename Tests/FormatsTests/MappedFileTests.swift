import Foundation
import TestSupport
import Testing

@testable import Formats

struct MappedFileTests {
    @Test func mapsTheWholeFileAndSlicesByAbsoluteOffset() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("data.bin")
        try Data((0..<100).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        #expect(file.path == path)
        #expect(file.byteCount == 100)
        #expect(Array(file.slice(10..<14)) == [10, 11, 12, 13])
        #expect(file.slice(50..<50).isEmpty)
        #expect(Array(file.slice(0..<100)) == (0..<100).map { UInt8($0) })
    }

    @Test func emptyFileMapsToNoBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("empty.bin")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let file = try MappedFile(path: path)
        #expect(file.byteCount == 0)
        let error = #expect(throws: FormatError.self) { try SafetensorsReader(path: path) }
        #expect(error?.code == .fileTooSmall)
    }

    @Test func missingFileThrowsIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = #expect(throws: FormatError.self) { try MappedFile(path: folder.path("nope.bin")) }
        #expect(error?.code == .ioFailure)
        #expect(error?.message.contains("no such file") == true)
        #expect(error?.path == folder.path("nope.bin"))
    }

    @Test func folderThrowsIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = #expect(throws: FormatError.self) { try MappedFile(path: folder.url.path) }
        #expect(error?.code == .ioFailure)
        #expect(error?.message.contains("folder") == true)
    }
}
