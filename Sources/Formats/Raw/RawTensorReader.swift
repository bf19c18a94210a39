import Foundation
import TensorCore

/// Reads one tensor from a bare binary file: elements of a given dtype and shape, row-major, starting at a
/// byte offset, in either byte order.
public enum RawTensorReader {
    /// The byte order of the elements in the file.
    public enum ByteOrder: String, Sendable, CaseIterable {
        case little, big
    }

    /// Reads `path` as a tensor named `name`.
    ///
    /// The bytes from `byteOffset` to the end of the file must be exactly `shape.byteCount(of: dtype)`.
    /// Little-endian data is a zero-copy slice of the mapping; big-endian data is swapped into a new buffer.
    /// - Throws: `FormatError.Code.byteCountMismatch` naming both byte counts when the file does not fit the
    ///   shape; `shapeOverflow`; `offsetsOutOfBounds` when `byteOffset` is negative or past the end;
    ///   `ioFailure` when the file cannot be read.
    public static func read(
        path: String, name: String, dtype: DType, shape: Shape, byteOffset: Int = 0, byteOrder: ByteOrder = .little
    ) throws(FormatError) -> Tensor {
        let file = try MappedFile(path: path)
        guard byteOffset >= 0, byteOffset <= file.byteCount else {
            throw FormatError(
                .offsetsOutOfBounds, "offset \(byteOffset) lies outside the file of \(file.byteCount) bytes", path: path
            )
        }
        let needed: Int
        do { needed = try shape.byteCount(of: dtype) } catch { throw FormatError(error, path: path, tensorName: name) }
        let available = file.byteCount - byteOffset
        guard available == needed else {
            throw FormatError(
                .byteCountMismatch,
                "\(available) bytes after offset \(byteOffset); \(dtype.name) × \(shape) needs \(needed)",
                path: path, tensorName: name)
        }
        var bytes = file.slice(byteOffset..<file.byteCount)
        if byteOrder == .big, dtype.byteWidth > 1 { bytes = ByteSwap.swapped(bytes, width: dtype.byteWidth) }
        do { return try Tensor(name: name, dtype: dtype, shape: shape, data: bytes) } catch {
            throw FormatError(error, path: path, tensorName: name)
        }
    }
}

/// Reverses the byte order of fixed-width elements.
public enum ByteSwap {
    /// A copy of `bytes` with each `width`-byte element reversed (`bytes.count` must be a multiple of `width`).
    public static func swapped(_ bytes: Data, width: Int) -> Data {
        var out = Data(count: bytes.count)
        bytes.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
            out.withUnsafeMutableBytes { (target: UnsafeMutableRawBufferPointer) in
                var element = 0
                while element + width <= source.count {
                    for index in 0..<width { target[element + index] = source[element + width - 1 - index] }
                    element += width
                }
            }
        }
        return out
    }
}
