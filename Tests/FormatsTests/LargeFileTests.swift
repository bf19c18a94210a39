import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// Files over 4 GiB: offsets and sizes are 64-bit throughout. The file is sparse (`ftruncate`), so it costs a
/// few KiB of disk, and the tests touch only its header and last page, never the 4 GiB of zeros.
@Suite(.enabled(if: SparseFileSupport.isAvailable(), "the temporary folder has no sparse files or too little space"))
struct LargeFileTests {
    /// 4.3e9 bytes of `U8` zeros: more than `UInt32.max`, so a 32-bit size or offset anywhere would show.
    static let bigByteCount = 4_300_000_000
    static let lastValues: [Float] = [1.5, -2.25, 3e38, .leastNonzeroMagnitude]

    /// Writes `{"big": U8 [4.3e9] at [0, 4.3e9), "last": F32 [4] after it}` as a sparse file.
    /// - Returns: the offset of `last`'s bytes in the file.
    @discardableResult
    static func writeSparseSafetensors(to path: String) throws -> Int {
        let end = bigByteCount + 4 * lastValues.count
        var json = Array(
            (#"{"big":{"dtype":"U8","shape":[\#(bigByteCount)],"data_offsets":[0,\#(bigByteCount)]},"#
                + #""last":{"dtype":"F32","shape":[\#(lastValues.count)],"data_offsets":[\#(bigByteCount),\#(end)]}}"#)
                .utf8)
        json += Array(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        var header = withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init)
        header += json
        let lastOffset = header.count + bigByteCount
        var last: [UInt8] = []
        for value in lastValues { last += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }

        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(lastOffset + last.count)) == 0,
            header.withUnsafeBytes({ pwrite(descriptor, $0.baseAddress, $0.count, 0) }) == header.count,
            last.withUnsafeBytes({ pwrite(descriptor, $0.baseAddress, $0.count, off_t(lastOffset)) }) == last.count
        else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return lastOffset
    }

    @Test func readerOpensASparseFileOver4GiBAndReadsItsLastTensor() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("large.safetensors")
        let lastOffset = try Self.writeSparseSafetensors(to: path)
        #expect(lastOffset > Int(UInt32.max))

        let reader = try SafetensorsReader(path: path)
        #expect(reader.file.byteCount == lastOffset + 16)
        let names = reader.header.entries.map(\.name)
        #expect(names == ["big", "last"])
        let big = try #require(reader.header.entries.first { $0.name == "big" })
        #expect(big.dataOffsets == 0..<Self.bigByteCount)
        #expect(try big.shape.byteCount(of: big.dtype) == Self.bigByteCount)
        let lastEntry = try #require(reader.header.entries.first { $0.name == "last" })
        #expect(reader.header.dataStart + lastEntry.dataOffsets.lowerBound == lastOffset)
        let last = try reader.tensor(lastEntry)
        #expect(last.shape == [4])
        let values = last.data.withUnsafeBytes { raw in
            (0..<4).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        #expect(values.map(\.bitPattern) == Self.lastValues.map(\.bitPattern))
        // The big tensor is a zero-copy slice: its size is 64-bit and only its last page is read here.
        let bigTensor = try reader.tensor(big)
        #expect(bigTensor.data.count == Self.bigByteCount)
        #expect(bigTensor.data.last == 0)
    }

    @Test(.enabled(if: SparseFileSupport.weightpack != nil, "build the weightpack executable first (swift build)"))
    func inspectReportsTheSizesOfASparseFileOver4GiB() throws {
        let executable = try #require(SparseFileSupport.weightpack)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("large.safetensors")
        let lastOffset = try Self.writeSparseSafetensors(to: path)

        let process = Process()
        process.executableURL = executable
        process.arguments = ["inspect", "--json", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((json["file_bytes"] as? NSNumber)?.int64Value == Int64(lastOffset + 16))
        let tensors = try #require(json["tensors"] as? [[String: Any]])
        let sizes = Dictionary(
            uniqueKeysWithValues: tensors.map {
                ($0["name"] as? String ?? "", ($0["original_bytes"] as? NSNumber)?.int64Value)
            })
        #expect(sizes["big"] == Int64(Self.bigByteCount))
        #expect(sizes["last"] == 16)
    }
}

/// What the large-file tests need: sparse files, and the `weightpack` executable for `inspect`.
enum SparseFileSupport {
    /// Whether a 64 MiB `ftruncate` in the temporary folder allocates (almost) nothing, and the file system has
    /// room for the metadata of a 4 GiB sparse file.
    static func isAvailable() -> Bool {
        let folder = FileManager.default.temporaryDirectory.path
        var space = statvfs()
        guard statvfs(folder, &space) == 0, UInt64(space.f_bavail) * UInt64(space.f_frsize) > 256 << 20 else {
            return false
        }
        let probe = folder + "/weightpack-sparse-probe-\(UUID().uuidString)"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return false }
        defer {
            close(descriptor)
            unlink(probe)
        }
        var info = stat()
        guard ftruncate(descriptor, 64 << 20) == 0, fstat(descriptor, &info) == 0 else { return false }
        return info.st_size == 64 << 20 && Int(info.st_blocks) * 512 < 1 << 20
    }

    /// `weightpack` beside this test bundle (the same build folder), when built.
    static let weightpack: URL? = {
        let candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("weightpack")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }()
}
