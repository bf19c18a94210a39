import Foundation
import TestSupport
import Testing

@testable import Formats

struct AtomicFileWriterTests {
    private func contents(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func commitCreatesTheFileAndRemovesTheTemporary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        let writer = try AtomicFileWriter(path: path)
        try writer.write([1, 2, 3] as [UInt8])
        try writer.write(Data([4, 5]))
        #expect(writer.byteCount == 5)
        // While writing, nothing is visible in the folder: an unnamed file (Linux O_TMPFILE), or, where the file
        // system cannot make one, a hidden temporary beside the destination.
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: writer.temporaryPath))
        if writer.temporaryPath.hasPrefix("/proc/self/fd/") {
            #expect(try folder.contents().isEmpty)
        } else {
            #expect(URL(fileURLWithPath: writer.temporaryPath).deletingLastPathComponent().path == folder.url.path)
            #expect(URL(fileURLWithPath: writer.temporaryPath).lastPathComponent.hasPrefix(".out.bin.tmp-"))
        }
        try writer.commit()
        #expect(try contents(path) == [1, 2, 3, 4, 5])
        #expect(try folder.contents() == ["out.bin"])
    }

    @Test func commitReplacesAPreviousFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        try Data("old contents".utf8).write(to: URL(fileURLWithPath: path))
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Data("new".utf8))
        #expect(try contents(path) == Array("old contents".utf8))
        try writer.commit()
        #expect(try contents(path) == Array("new".utf8))
        #expect(try folder.contents() == ["out.bin"])
    }

    @Test func abortRemovesTheTemporaryAndKeepsThePreviousFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Data(count: 4096))
        // The previous file, and at most the hidden temporary of a file system without unnamed files.
        #expect(try folder.contents().filter { !$0.hasPrefix(".out.bin.tmp-") } == ["out.bin"])
        writer.abort()
        writer.abort()  // safe twice
        #expect(try folder.contents() == ["out.bin"])
        #expect(try contents(path) == Array("previous".utf8))
    }

    @Test func abortWithNoPreviousFileLeavesTheFolderEmpty() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let writer = try AtomicFileWriter(path: folder.path("out.bin"))
        try writer.write(Data([1]))
        writer.abort()
        #expect(try folder.contents() == [])
    }

    @Test func droppingTheWriterWithoutCommitLeavesNoTemporary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        var temporaryPath = ""
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(Data(count: 100))
            temporaryPath = writer.temporaryPath
            #expect(FileManager.default.fileExists(atPath: temporaryPath))
        }
        #expect(!temporaryPath.isEmpty)
        if !temporaryPath.hasPrefix("/proc/self/fd/") {
            // (A descriptor number may be reused at once by a test running in parallel: only a named file is checked.)
            #expect(!FileManager.default.fileExists(atPath: temporaryPath))
        }
        #expect(try folder.contents() == ["out.bin"])
        #expect(try contents(path) == Array("previous".utf8))
    }

    @Test func writeAndCommitAfterFinishingThrowIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let committed = try AtomicFileWriter(path: folder.path("a.bin"))
        try committed.commit()
        #expect(throws: FormatError.self) { try committed.write(Data([1])) }
        let again = #expect(throws: FormatError.self) { try committed.commit() }
        #expect(again?.code == .ioFailure)
        let aborted = try AtomicFileWriter(path: folder.path("b.bin"))
        aborted.abort()
        let error = #expect(throws: FormatError.self) { try aborted.write(Data([1])) }
        #expect(error?.code == .ioFailure)
        #expect(throws: FormatError.self) { try aborted.commit() }
        #expect(try folder.contents() == ["a.bin"])
        #expect(try contents(folder.path("a.bin")) == [])
    }

    @Test func padAndOverwriteEditTheTemporary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Data([0xFF, 0xFF, 0xFF]))
        try writer.pad(toMultipleOf: 8)
        #expect(writer.byteCount == 8)
        try writer.pad(toMultipleOf: 8)  // already aligned: no bytes
        #expect(writer.byteCount == 8)
        try writer.overwrite(at: 1, with: Data([0xAA, 0xBB]))
        try writer.write(Data([0x11]))  // continues at the end, not after the overwrite
        try writer.commit()
        #expect(try contents(path) == [0xFF, 0xAA, 0xBB, 0, 0, 0, 0, 0, 0x11])
    }

    @Test func initInAMissingFolderThrowsIOFailure() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("missing/out.bin")
        let error = #expect(throws: FormatError.self) { try AtomicFileWriter(path: path) }
        #expect(error?.code == .ioFailure)
        #expect(error?.path == path)
        #expect(error?.message.contains("missing") == true)
    }
}
