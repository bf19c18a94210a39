import Foundation

/// A read-only file mapped into memory: pages are read on first touch, so opening a 10 GB file costs
/// nothing and a tensor's bytes are a zero-copy slice.
///
/// The file must not be truncated while mapped (the OS would deliver SIGBUS); WeightPack never writes
/// to its inputs.
public struct MappedFile: Sendable {
    /// The path as the user gave it, for messages.
    public let path: String
    /// The whole file's bytes (a mapping for non-empty regular files).
    public let bytes: Data

    /// Maps `path` read-only.
    /// - Throws: `FormatError.Code.ioFailure` when the file does not exist, is a folder or another non-regular
    ///   file (device, pipe, socket), or cannot be read.
    public init(path: String) throws(FormatError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(.ioFailure, "no such file", path: path)
        }
        guard !isDirectory.boolValue else { throw FormatError(.ioFailure, "is a folder, not a file", path: path) }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError(
                .ioFailure, "is not a regular file (a device, pipe or socket cannot be mapped)", path: path)
        }
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw FormatError(.ioFailure, "cannot read: \(error.localizedDescription)", path: path)
        }
    }

    /// File size in bytes.
    public var byteCount: Int { bytes.count }

    /// Tells the kernel that the pages covering `range` (absolute offsets) are not needed for now, so that they
    /// leave this process's resident set; they are read from the file again if touched. Only whole pages inside
    /// `range` are released. Call it only when no slice of these bytes is still in use for speed (the bytes stay
    /// valid either way: a private read-only file mapping is re-read on demand).
    public func releasePages(in range: Range<Int>) {
        guard !bytes.isEmpty, range.lowerBound >= 0, range.upperBound <= bytes.count else { return }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard pageSize > 0 else { return }
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            let address = Int(bitPattern: base) + range.lowerBound
            let first = (address + pageSize - 1) / pageSize * pageSize
            let last = (Int(bitPattern: base) + range.upperBound) / pageSize * pageSize
            guard last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(pointer, last - first, Int32(MADV_DONTNEED))
        }
    }

    /// Asks the kernel to map every page covering `range` (absolute offsets) in one call, ahead of a sequential
    /// read of all of it, instead of one page fault per few pages as the reader reaches them (Linux 5.14's
    /// `MADV_POPULATE_READ`; a hint: without it, or on error, the pages are faulted in on first touch as before).
    public func populatePages(in range: Range<Int>) {
        #if os(Linux)
            guard !bytes.isEmpty, range.lowerBound >= 0, range.upperBound <= bytes.count, !range.isEmpty else { return }
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            guard pageSize > 0 else { return }
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                let first = (Int(bitPattern: base) + range.lowerBound) / pageSize * pageSize
                let end = Int(bitPattern: base) + range.upperBound
                guard let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
                _ = madvise(pointer, end - first, 22)  // MADV_POPULATE_READ
            }
        #endif
    }

    /// The bytes in `range` (absolute offsets), without copying.
    /// - Precondition: `range` lies within the file; callers validate offsets read from the file first.
    public func slice(_ range: Range<Int>) -> Data {
        bytes[(bytes.startIndex + range.lowerBound)..<(bytes.startIndex + range.upperBound)]
    }
}
