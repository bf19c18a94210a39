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

    /// The bytes in `range` (absolute offsets), without copying.
    /// - Precondition: `range` lies within the file; callers validate offsets read from the file first.
    public func slice(_ range: Range<Int>) -> Data {
        bytes[(bytes.startIndex + range.lowerBound)..<(bytes.startIndex + range.upperBound)]
    }
}
