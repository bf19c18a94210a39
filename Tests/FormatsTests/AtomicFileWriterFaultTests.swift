import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// A full disk part-way through a write, injected with `AtomicFileWriter.$injectedFaults`: the previous file stays
/// byte-identical, no temporary is left, and the error names the file and says the disk is full.
struct AtomicFileWriterFaultTests {
    /// Where the injected failure strikes, relative to the file's size `n` (the `.wpk` header is written twice:
    /// a placeholder first, the real one last, so the kernel sees `n + 64` bytes in all).
    enum FailurePoint: CustomTestStringConvertible, CaseIterable {
        case firstByte, insideTheHeader, afterTheHeader, midway, insideTheIndex, atTheHeaderRewrite,
            insideTheHeaderRewrite

        func byteCount(fileByteCount n: Int) -> Int {
            switch self {
            case .firstByte: 0
            case .insideTheHeader: 1
            case .afterTheHeader: 64
            case .midway: n / 2
            case .insideTheIndex: n - 8
            case .atTheHeaderRewrite: n
            case .insideTheHeaderRewrite: n + 63
            }
        }

        var testDescription: String { "\(self)" }
    }

    private static let previous = Data("the previous file, which must survive".utf8)

    private static func model() throws -> [(name: String, shape: Shape, bytes: Data)] {
        var random = SplitMix64(seed: 7)
        return [("a", [128, 128], 16_384), ("b", [12], 12), ("c", [200, 200], 40_000)].map { name, shape, count in
            (name, Shape(shape), Data((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }))
        }
    }

    private static func writeWPK(to path: String) throws {
        let writer = try WPKWriter(path: path)
        for tensor in try model() {
            try writer.append(
                name: tensor.name, dtype: .uint8, shape: tensor.shape, stages: [], storedBytes: tensor.bytes)
        }
        try writer.finish(metadata: ["k": "v"])
    }

    private static func writeSafetensors(to path: String) throws {
        let tensors = try model().map { try Tensor(name: $0.name, dtype: .uint8, shape: $0.shape, data: $0.bytes) }
        try SafetensorsWriter.write(try TensorCollection(tensors: tensors, metadata: ["k": "v"]), to: path)
    }

    private func expectDiskFull(_ error: FormatError?, path: String) {
        #expect(error?.code == .ioFailure)
        #expect(error?.path == path)
        #expect(error?.message.contains("the disk is full") == true, "\(String(describing: error))")
        #expect(error?.description.contains(path) == true)
    }

    @Test(arguments: FailurePoint.allCases, [true, false])
    func wpkWriterFailingPartWayKeepsThePreviousFileAndLeavesNothingElse(
        at point: FailurePoint, unnamedFile: Bool
    ) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let reference = folder.path("reference.wpk")
        try Self.writeWPK(to: reference)
        let fileByteCount = try Data(contentsOf: URL(fileURLWithPath: reference)).count
        try FileManager.default.removeItem(atPath: reference)

        let path = folder.path("model.wpk")
        try Self.previous.write(to: URL(fileURLWithPath: path))
        let faults = AtomicFileWriter.FaultInjection(
            failingAfterByteCount: point.byteCount(fileByteCount: fileByteCount), allowsUnnamedFile: unnamedFile)
        let error = AtomicFileWriter.$injectedFaults.withValue(faults) {
            #expect(throws: FormatError.self) { try Self.writeWPK(to: path) }
        }
        expectDiskFull(error, path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Self.previous)
        #expect(try folder.contents() == ["model.wpk"])
    }

    @Test(arguments: [0, 1, 8, 200, 30_000, 56_000], [true, false])
    func safetensorsWriterFailingPartWayKeepsThePreviousFileAndLeavesNothingElse(
        afterByteCount limit: Int, unnamedFile: Bool
    ) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.safetensors")
        try Self.previous.write(to: URL(fileURLWithPath: path))
        let faults = AtomicFileWriter.FaultInjection(failingAfterByteCount: limit, allowsUnnamedFile: unnamedFile)
        let error = AtomicFileWriter.$injectedFaults.withValue(faults) {
            #expect(throws: FormatError.self) { try Self.writeSafetensors(to: path) }
        }
        expectDiskFull(error, path: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Self.previous)
        #expect(try folder.contents() == ["model.safetensors"])
    }

    @Test(arguments: [true, false])
    func failingWithNoPreviousFileLeavesTheFolderEmpty(unnamedFile: Bool) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("model.wpk")
        let faults = AtomicFileWriter.FaultInjection(failingAfterByteCount: 1000, allowsUnnamedFile: unnamedFile)
        let error = AtomicFileWriter.$injectedFaults.withValue(faults) {
            #expect(throws: FormatError.self) { try Self.writeWPK(to: path) }
        }
        expectDiskFull(error, path: path)
        #expect(try folder.contents() == [])
    }

    @Test(arguments: [true, false])
    func aLimitAboveTheFileSizeWritesTheSameBytes(unnamedFile: Bool) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try Self.writeSafetensors(to: folder.path("reference.safetensors"))
        let path = folder.path("model.safetensors")
        try Self.previous.write(to: URL(fileURLWithPath: path))
        let faults = AtomicFileWriter.FaultInjection(failingAfterByteCount: 1 << 20, allowsUnnamedFile: unnamedFile)
        try AtomicFileWriter.$injectedFaults.withValue(faults) { try Self.writeSafetensors(to: path) }
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: path))
                == Data(contentsOf: URL(fileURLWithPath: folder.path("reference.safetensors"))))
        #expect(try folder.contents() == ["model.safetensors", "reference.safetensors"])
    }

    @Test func aQuotaFailureIsNamedAndCleanedUpToo() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        let faults = AtomicFileWriter.FaultInjection(failingAfterByteCount: 10, errorNumber: EDQUOT)
        let writer = try AtomicFileWriter(path: path, faults: faults)
        try writer.write(Data(count: 10))
        let error = #expect(throws: FormatError.self) { try writer.write(Data(count: 1)) }
        #expect(error?.message.contains("quota") == true)
        #expect(error?.path == path)
        writer.abort()
        #expect(try folder.contents() == [])
    }

    @Test func theUnnamedFileHasNoNameUntilCommitWhereTheFileSystemSupportsIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        try Self.previous.write(to: URL(fileURLWithPath: path))
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Data(count: 4096))
        // Either nothing new is visible (O_TMPFILE) or the named temporary is.
        let visible = try folder.contents()
        if Self.fileSystemHasUnnamedFiles(folder.url.path) {
            #expect(visible == ["out.bin"])
            // The path reopens the unnamed file (a ZIP writer adds members through it).
            #expect(writer.temporaryPath.hasPrefix("/proc/self/fd/"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: writer.temporaryPath)) == Data(count: 4096))
        } else {
            #expect(visible.count == 2)
            #expect(FileManager.default.fileExists(atPath: writer.temporaryPath))
        }
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(count: 4096))
        #expect(try folder.contents() == ["out.bin"])
    }

    @Test func theNamedFallbackWritesUnderTheTemporaryPathAndCommits() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("out.bin")
        let writer = try AtomicFileWriter(path: path, faults: .init(allowsUnnamedFile: false))
        try writer.write([1, 2, 3] as [UInt8])
        try writer.overwrite(at: 1, with: [9] as [UInt8])
        #expect(try folder.contents() == [URL(fileURLWithPath: writer.temporaryPath).lastPathComponent])
        #expect(URL(fileURLWithPath: writer.temporaryPath).lastPathComponent.hasPrefix(".out.bin.tmp-"))
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 9, 3]))
        #expect(try folder.contents() == ["out.bin"])
    }

    @Test func overwritePastTheEndIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let writer = try AtomicFileWriter(path: folder.path("out.bin"))
        try writer.write(Data(count: 4))
        let error = #expect(throws: FormatError.self) { try writer.overwrite(at: 2, with: Data(count: 3)) }
        #expect(error?.code == .ioFailure)
        writer.abort()
        #expect(try folder.contents() == [])
    }

    /// Whether `open(folder, O_TMPFILE)` works here (Linux on ext4, xfs, btrfs, tmpfs, …).
    private static func fileSystemHasUnnamedFiles(_ folder: String) -> Bool {
        #if os(Linux)
            let descriptor = open(folder, 0o2000_0000 | O_DIRECTORY | O_WRONLY, 0o600)
            guard descriptor >= 0 else { return false }
            close(descriptor)
            return true
        #else
            return false
        #endif
    }
}
