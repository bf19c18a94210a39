import Formats
import Foundation
import TensorCore
import TestSupport
import Testing

/// Inputs that once crashed or hung a reader, kept so they never do again.
struct HostileInputRegressionTests {
    /// A GGUF whose one tensor is empty and whose aligned data section would start past the end of the file.
    @Test func ggufWhoseDataSectionStartsPastTheEndIsRefused() throws {
        var writer = ByteWriter()
        writer.writeBytes("GGUF".utf8)
        writer.writeIntegerLE(UInt32(3))
        writer.writeIntegerLE(UInt64(1))  // tensors
        writer.writeIntegerLE(UInt64(0))  // key/values
        writer.writeIntegerLE(UInt64(1))  // name length
        writer.writeBytes("t".utf8)
        writer.writeIntegerLE(UInt32(1))  // dimensions
        writer.writeIntegerLE(UInt64(0))  // ne[0] = 0: an empty tensor
        writer.writeIntegerLE(UInt32(0))  // F32
        writer.writeIntegerLE(UInt64(0))  // offset
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("empty.gguf")
        try Data(writer.bytes).write(to: URL(fileURLWithPath: path))
        #expect(writer.bytes.count % 32 != 0, "the file must end before the 32-byte aligned data start")
        let error = #expect(throws: FormatError.self) { try GGUFReader(path: path) }
        #expect(error?.code == .headerPastEnd)
        #expect(error?.message.contains("past the end of the file") == true)
    }

    /// Mapping follows symbolic links to regular files (as in the Hugging Face hub cache) and refuses FIFOs
    /// without opening them.
    @Test func mappedFileFollowsLinksAndRefusesFIFOs() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let target = folder.path("data.bin")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.bin"), withDestinationPath: target)
        #expect(try MappedFile(path: folder.path("link.bin")).byteCount == 3)
        #expect(mkfifo(folder.path("pipe"), 0o600) == 0)
        let error = #expect(throws: FormatError.self) { try MappedFile(path: folder.path("pipe")) }
        #expect(error?.message.contains("not a regular file") == true)
    }
}
