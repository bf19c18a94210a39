import Foundation

/// Writes a file so that it appears complete or not at all.
///
/// On Linux the bytes go to an unnamed file in the destination's folder (`open(folder, O_TMPFILE)`): it has no
/// name until ``commit()``, so a process that is killed, or a machine that loses power, while writing leaves
/// nothing behind, and the kernel frees the space. ``commit()`` flushes it to disk (`fsync`), then gives it a
/// name with `linkat(2)` through `/proc/self/fd`: the destination itself when no file is there, else a hidden
/// temporary name beside it (`.NAME.tmp-XXXXXXX`) that `rename(2)` then moves over the destination atomically
/// (`linkat` cannot replace a file).
///
/// Where unnamed files are not supported (macOS; some Linux file systems, which answer `EOPNOTSUPP`, `EISDIR` or
/// `EINVAL`; no `/proc`) the bytes go to the hidden file `.NAME.tmp-XXXXXXX` from the start, and ``commit()``
/// flushes and renames it. Then a killed process can leave that hidden file behind.
///
/// Either way the temporary is in the destination's folder, so the rename never crosses file systems. If
/// writing fails (disk full, …), or the writer is dropped or ``abort()`` is called before ``commit()``, the
/// temporary is removed and any previous file at the destination is untouched.
///
/// Sizes and offsets are 64-bit: files over 4 GiB are written like any other.
public final class AtomicFileWriter {
    /// The destination path.
    public let path: String
    /// A path that opens the file being written, for code that must reopen it (a ZIP library adding members),
    /// valid until ``commit()`` or ``abort()``.
    ///
    /// With an unnamed file (Linux) it is `/proc/self/fd/N`, which lists nothing in the destination's folder;
    /// with a named temporary file it is the hidden `.NAME.tmp-XXXXXXX` beside the destination.
    public let temporaryPath: String
    /// The hidden name beside the destination, `.NAME.tmp-XXXXXXX`: the named temporary file, or for an unnamed
    /// one the name it is linked under between `linkat` and `rename` when it replaces a previous file.
    private let hiddenPath: String
    /// Bytes written so far (the file's size: ``overwrite(at:with:)`` does not change it).
    public private(set) var byteCount = 0

    /// The open temporary file, `-1` once closed.
    private var descriptor: Int32
    /// Whether the temporary has no name (`O_TMPFILE`) rather than `hiddenPath`.
    private let isUnnamed: Bool
    private var finished = false
    /// Test-only faults (see ``FaultInjection``), and bytes handed to the kernel so far, counted against them.
    private let faults: FaultInjection
    private var kernelByteCount = 0

    /// Creates the temporary file in the folder of `path`.
    /// - Throws: `FormatError.Code.ioFailure` when the folder does not exist or is not writable.
    public convenience init(path: String) throws(FormatError) {
        try self.init(path: path, faults: AtomicFileWriter.injectedFaults)
    }

    /// Creates the temporary file, with `faults` injected into its writes (tests only).
    init(path: String, faults: FaultInjection) throws(FormatError) {
        self.path = path
        self.faults = faults
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        hiddenPath = Self.temporaryName(for: name, in: folder)
        if faults.allowsUnnamedFile, let unnamed = try Self.openUnnamedFile(in: folder, for: path) {
            descriptor = unnamed
            isUnnamed = true
            temporaryPath = "/proc/self/fd/\(unnamed)"
        } else {
            temporaryPath = hiddenPath
            descriptor = open(hiddenPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw FormatError(
                    .ioFailure, "cannot create a file in folder '\(folder)': \(Self.describe(errno))", path: path)
            }
            isUnnamed = false
        }
    }

    deinit { abort() }

    /// Appends bytes at the end of what was written.
    /// - Throws: `FormatError.Code.ioFailure` on a write error, naming the destination and the cause ("the disk is
    ///   full" for `ENOSPC`); the caller should then `abort()`.
    public func write(_ bytes: some DataProtocol) throws(FormatError) {
        guard descriptor >= 0, !finished else {
            throw FormatError(.ioFailure, "write after the file was closed", path: path)
        }
        byteCount = try writeRegions(bytes, at: byteCount) { offset, failure in
            "write failed after \(offset) bytes: \(Self.describe(failure))"
        }
    }

    /// Writes `bytes` region by region from byte `offset`.
    /// - Returns: the offset after the last byte written.
    /// - Throws: `FormatError.Code.ioFailure` with the message `message(offset, errno)` for the failing region.
    private func writeRegions(
        _ bytes: some DataProtocol, at offset: Int, message: (Int, Int32) -> String
    ) throws(FormatError) -> Int {
        var position = offset
        for region in bytes.regions {
            if let failure = region.withUnsafeBytes({ writeAll($0, at: position) }) {
                throw FormatError(.ioFailure, message(position, failure), path: path, byteOffset: position)
            }
            position += region.count
        }
        return position
    }

    /// Bytes per `pwrite` call. Large buffers go out in pieces of this size: on Linux a single multi-megabyte
    /// write copies into the page cache at about half the rate of 1 MiB writes (measured with 87 MB buffers).
    static let writeChunkByteCount = 1 << 20

    /// Writes all of `buffer` at byte `offset` of the temporary file, retrying short writes and `EINTR`.
    /// - Returns: `nil` on success, else the `errno` of the failure (some bytes may have been written).
    private func writeAll(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Int32? {
        guard var base = buffer.baseAddress else { return nil }
        var remaining = buffer.count
        var position = offset
        while remaining > 0 {
            var chunk = min(remaining, Self.writeChunkByteCount)
            if let limit = faults.failingAfterByteCount {
                let allowed = limit - kernelByteCount
                guard allowed > 0 else { return faults.errorNumber }
                chunk = min(chunk, allowed)
            }
            let written = pwrite(descriptor, base, chunk, off_t(position))
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if written == 0 { return EIO }
            kernelByteCount += written
            base += written
            position += written
            remaining -= written
        }
        return nil
    }

    /// Appends zero bytes until the size is a multiple of `alignment`.
    public func pad(toMultipleOf alignment: Int) throws(FormatError) {
        let remainder = byteCount % alignment
        if remainder != 0 { try write(Data(count: alignment - remainder)) }
    }

    /// Overwrites bytes at `offset` (which must already have been written); later writes still append at the end.
    /// - Throws: `FormatError.Code.ioFailure` on a write error, or when the bytes would run past the end.
    public func overwrite(at offset: Int, with bytes: some DataProtocol) throws(FormatError) {
        guard descriptor >= 0, !finished else {
            throw FormatError(.ioFailure, "write after the file was closed", path: path)
        }
        guard offset >= 0, bytes.count <= byteCount - offset else {
            throw FormatError(
                .ioFailure, "overwrite of \(bytes.count) bytes at byte \(offset) runs past the \(byteCount) written",
                path: path, byteOffset: offset)
        }
        _ = try writeRegions(bytes, at: offset) { position, failure in
            "write at byte \(position) failed: \(Self.describe(failure))"
        }
    }

    /// Flushes the temporary file to disk and moves it to the destination, replacing any file there.
    /// - Throws: `FormatError.Code.ioFailure` when flushing, linking or renaming fails; the temporary is then
    ///   removed and any previous file at the destination is untouched.
    public func commit() throws(FormatError) {
        guard descriptor >= 0, !finished else {
            throw FormatError(.ioFailure, "commit after the file was closed", path: path)
        }
        guard fsync(descriptor) == 0 else {
            let reason = Self.describe(errno)
            abort()
            throw FormatError(.ioFailure, "cannot flush the file to disk: \(reason)", path: path)
        }
        if isUnnamed {
            try linkUnnamedFile()
        } else {
            let closed = close(descriptor)
            let closeError = errno
            descriptor = -1
            guard closed == 0 else {
                abort()
                throw FormatError(.ioFailure, "cannot close the file: \(Self.describe(closeError))", path: path)
            }
            try renameIntoPlace()
        }
        finished = true
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
    }

    /// Closes and removes the temporary file; the destination is left as it was. Safe to call twice.
    public func abort() {
        guard !finished else { return }
        finished = true
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
        if !isUnnamed { _ = unlink(hiddenPath) }
    }
}

// MARK: - Naming and moving the finished file

extension AtomicFileWriter {
    /// Names the unnamed file: the destination directly when it is free, else `hiddenPath` then `rename`.
    private func linkUnnamedFile() throws(FormatError) {
        let source = temporaryPath
        if linkat(AT_FDCWD, source, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 { return }
        guard errno == EEXIST else {
            let reason = Self.describe(errno)
            abort()
            throw FormatError(.ioFailure, "cannot give the finished file its name: \(reason)", path: path)
        }
        // A previous file is there: link under the temporary name, then rename over it atomically.
        guard linkat(AT_FDCWD, source, AT_FDCWD, hiddenPath, AT_SYMLINK_FOLLOW) == 0 else {
            let reason = Self.describe(errno)
            abort()
            throw FormatError(
                .ioFailure, "cannot link the finished file beside the destination: \(reason)", path: path)
        }
        try renameIntoPlace()
    }

    /// Renames the hidden temporary over the destination; on failure removes it.
    private func renameIntoPlace() throws(FormatError) {
        guard rename(hiddenPath, path) == 0 else {
            let reason = Self.describe(errno)
            _ = unlink(hiddenPath)
            abort()
            throw FormatError(.ioFailure, "cannot rename the finished file into place: \(reason)", path: path)
        }
    }

    /// Opens an unnamed file in `folder`, or returns `nil` when this system or file system has none.
    /// - Throws: `FormatError.Code.ioFailure` when the folder is missing or not writable.
    private static func openUnnamedFile(in folder: String, for path: String) throws(FormatError) -> Int32? {
        #if os(Linux)
            let descriptor = open(folder, unnamedFileFlags | O_WRONLY | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                switch errno {
                case EOPNOTSUPP, EISDIR, EINVAL: return nil
                default:
                    throw FormatError(
                        .ioFailure, "cannot create a file in folder '\(folder)': \(describe(errno))", path: path)
                }
            }
            // Naming it later goes through /proc; without /proc, use a named temporary instead.
            guard access("/proc/self/fd/\(descriptor)", F_OK) == 0 else {
                _ = close(descriptor)
                return nil
            }
            return descriptor
        #else
            return nil
        #endif
    }

    #if os(Linux)
        /// `O_TMPFILE`: `__O_TMPFILE | O_DIRECTORY`, with `__O_TMPFILE` = octal 20000000 on every Linux
        /// architecture Swift supports (the C macro is not imported).
        private static let unnamedFileFlags: Int32 = 0o2000_0000 | O_DIRECTORY
    #endif

    /// `.NAME.tmp-XXXXXXX` in `folder`, random so that concurrent writers never share one.
    private static func temporaryName(for name: String, in folder: String) -> String {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return URL(fileURLWithPath: folder).appendingPathComponent(".\(name).tmp-\(suffix)").path
    }

    /// The cause of an `errno`, in words a user can act on for the common ones.
    static func describe(_ code: Int32) -> String {
        let system = String(cString: strerror(code))
        switch code {
        case ENOSPC: return "the disk is full (\(system)); free some space and try again"
        case EDQUOT: return "the disk quota is exceeded (\(system))"
        default: return system
        }
    }
}
