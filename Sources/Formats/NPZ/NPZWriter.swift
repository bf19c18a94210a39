import Foundation
import TensorCore
import ZIPFoundation

/// Writes NumPy `.npz` archives that `np.load` reads, like `np.savez` (stored) and `np.savez_compressed`
/// (deflate).
///
/// Each tensor becomes the member `name + ".npy"`, in collection order, holding exactly what
/// ``NPYWriter/encode(_:)`` produces (byte-identical to `np.save`). The archive is written by ZIPFoundation
/// (UTF-8 names, ZIP64 only when a size needs it); members are stamped 1980-01-01 00:00:00 UTC, permissions
/// 0644, so the output is deterministic. numpy stamps the current time and always adds ZIP64 extra fields,
/// so archives are not byte-identical to numpy's, only equivalent.
public enum NPZWriter {
    /// Stamped on every member: 1980-01-01T00:00:00Z, the earliest ZIP (MS-DOS) timestamp.
    static let memberDate = Date(timeIntervalSince1970: 315_532_800)
    /// The 22-byte end-of-central-directory record of an empty archive.
    static let emptyArchive: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)

    /// Writes `collection` to `path` atomically (temporary file beside it, then rename).
    ///
    /// Every tensor is checked before the file is created. Metadata is not stored (`.npz` has no place
    /// for it).
    /// - Parameter compressed: deflate the members, as `np.savez_compressed`; otherwise store them, as `np.savez`.
    /// - Throws: `FormatError.Code.unsupportedDType` for a bfloat16 tensor (convert it to float32 first);
    ///   `FormatError.Code.byteCountMismatch` for a tensor whose data does not fit its shape;
    ///   `FormatError.Code.invalidTensorInfo` for a name longer than a ZIP name allows (65,531 UTF-8 bytes);
    ///   `FormatError.Code.ioFailure` when writing fails. No file is left behind on error.
    /// - Complexity: O(total bytes); one tensor's chunk in memory at a time besides the tensors themselves.
    public static func write(_ collection: TensorCollection, to path: String, compressed: Bool) throws {
        var headers: [Data] = []
        for tensor in collection.tensors {
            do { headers.append(Data(try NPYWriter.checkedHeader(tensor))) } catch { throw error.at(path: path) }
            guard tensor.name.utf8.count + 4 <= Int(UInt16.max) else {
                throw FormatError(
                    .invalidTensorInfo,
                    "the name is \(tensor.name.utf8.count) UTF-8 bytes; a ZIP member name holds at most 65,531 before '.npy'",
                    path: path, tensorName: String(tensor.name.prefix(40)) + "…")
            }
        }
        let output = try AtomicFileWriter(path: path)
        do {
            try output.write(emptyArchive)
            try addMembers(
                collection.tensors, headers: headers, to: output.temporaryPath, compressed: compressed, path: path)
            try output.commit()
        } catch {
            output.abort()
            throw error
        }
    }

    /// Appends the members to the empty archive at `temporaryPath`; the archive is closed (flushed) on return.
    private static func addMembers(
        _ tensors: [Tensor], headers: [Data], to temporaryPath: String, compressed: Bool, path: String
    ) throws(FormatError) {
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: temporaryPath), accessMode: .update) } catch {
            throw FormatError(.ioFailure, "cannot open the archive being written: \(error)", path: path)
        }
        for (tensor, header) in zip(tensors, headers) {
            let source = MemberSource(header: header, body: tensor.data)
            do {
                try archive.addEntry(
                    with: tensor.name + ".npy", type: .file, uncompressedSize: Int64(source.count),
                    modificationDate: memberDate, permissions: 0o644,
                    compressionMethod: compressed ? .deflate : .none, bufferSize: 1 << 20,
                    provider: { position, size in source.bytes(at: Int(position), count: size) })
            } catch {
                throw FormatError(
                    .ioFailure, "cannot add member '\(tensor.name).npy': \(error)", path: path, tensorName: tensor.name)
            }
        }
    }

    /// A member's bytes, the `.npy` header followed by the tensor's elements, served in chunks without
    /// concatenating them.
    private struct MemberSource {
        var header: Data
        var body: Data

        var count: Int { header.count + body.count }

        /// The bytes in `position..<position + count` of header + body (clamped to the end).
        func bytes(at position: Int, count wanted: Int) -> Data {
            let end = min(position + wanted, count)
            guard position < end else { return Data() }
            var chunk = Data(capacity: end - position)
            if position < header.count {
                chunk.append(header[(header.startIndex + position)..<(header.startIndex + min(end, header.count))])
            }
            if end > header.count {
                let from = max(position, header.count) - header.count
                chunk.append(body[(body.startIndex + from)..<(body.startIndex + end - header.count)])
            }
            return chunk
        }
    }
}
