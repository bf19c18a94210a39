import Foundation

/// Writes a file so that it appears complete or not at all.
///
/// Bytes go to a hidden temporary file beside the destination (`.NAME.tmp-XXXXXX`, same folder, so the
/// final `rename(2)` is atomic); ``commit()`` flushes it to disk and renames it over the destination.
/// If the writer is dropped or ``abort()`` is called before ``commit()``, the temporary file is removed and
/// any previous file at the destination is untouched.
public final class AtomicFileWriter {
    /// The destination path.
    public let path: String
    /// The temporary file's path while writing.
    public let temporaryPath: String
    /// Bytes written so far.
    public private(set) var byteCount = 0
    private var handle: FileHandle?
    private var finished = false

    /// Creates the temporary file beside `path`.
    /// - Throws: `FormatError.Code.ioFailure` when the folder does not exist or is not writable.
    public init(path: String) throws(FormatError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        temporaryPath =
            URL(fileURLWithPath: folder).appendingPathComponent(".\(url.lastPathComponent).tmp-\(suffix)").path
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil) else {
            throw FormatError(.ioFailure, "cannot create a file in folder '\(folder)'", path: path)
        }
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporaryPath))
        } catch {
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw FormatError(.ioFailure, "cannot open for writing: \(error.localizedDescription)", path: path)
        }
    }

    deinit { abort() }

    /// Appends bytes at the end of what was written.
    /// - Throws: `FormatError.Code.ioFailure` on a write error (disk full, …); the caller should then `abort()`.
    public func write(_ bytes: some DataProtocol) throws(FormatError) {
        guard let handle else { throw FormatError(.ioFailure, "write after the file was closed", path: path) }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw FormatError(
                .ioFailure, "write failed after \(byteCount) bytes: \(error.localizedDescription)", path: path)
        }
        byteCount += bytes.count
    }

    /// Appends zero bytes until the size is a multiple of `alignment`.
    public func pad(toMultipleOf alignment: Int) throws(FormatError) {
        let remainder = byteCount % alignment
        if remainder != 0 { try write(Data(count: alignment - remainder)) }
    }

    /// Overwrites bytes at `offset` (which must already have been written), then returns to the end.
    /// - Throws: `FormatError.Code.ioFailure` on a seek or write error.
    public func overwrite(at offset: Int, with bytes: some DataProtocol) throws(FormatError) {
        guard let handle else { throw FormatError(.ioFailure, "write after the file was closed", path: path) }
        do {
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: bytes)
            try handle.seekToEnd()
        } catch {
            throw FormatError(.ioFailure, "write at byte \(offset) failed: \(error.localizedDescription)", path: path)
        }
    }

    /// Flushes the temporary file to disk and renames it to the destination, replacing any file there.
    /// - Throws: `FormatError.Code.ioFailure` when flushing or renaming fails; the temporary file is then removed.
    public func commit() throws(FormatError) {
        guard let handle, !finished else {
            throw FormatError(.ioFailure, "commit after the file was closed", path: path)
        }
        do {
            try handle.synchronize()
            try handle.close()
            self.handle = nil
        } catch {
            abort()
            throw FormatError(.ioFailure, "cannot flush: \(error.localizedDescription)", path: path)
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            abort()
            throw FormatError(.ioFailure, "cannot rename the finished file into place: \(reason)", path: path)
        }
        finished = true
    }

    /// Closes and removes the temporary file; the destination is left as it was. Safe to call twice.
    public func abort() {
        guard !finished else { return }
        finished = true
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}
