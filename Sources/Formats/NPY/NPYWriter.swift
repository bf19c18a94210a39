import Foundation
import TensorCore

/// Writes NumPy `.npy` files byte-identical to `numpy.save` (numpy 2.x) for the same little-endian C-order
/// array.
///
/// Spec: numpy/lib/format.py, `_write_array_header` and `_wrap_header`. The header is the dict
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` (keys sorted, each entry followed by
/// `", "`), then `21 − len(str(shape[0]))` spaces of room for the array to grow when `shape` is not empty,
/// then spaces and a final `\n` so that the data starts on a multiple of 64 bytes (a whole 64 bytes of
/// padding when the header would end exactly on a boundary, as numpy does). Version 1.0 (2-byte header
/// length) is used unless the padded header exceeds 65,535 bytes, then version 2.0 (4-byte length).
public enum NPYWriter {
    /// The preamble and header for an array of `dtype` and `shape`; the elements follow it directly.
    /// - Throws: `FormatError.Code.unsupportedDType` for bfloat16, which NPY cannot spell;
    ///   `FormatError.Code.headerTooLarge` when even version 2.0 cannot hold the header (over 4 GiB).
    /// - Complexity: O(`shape.count`).
    public static func header(dtype: DType, shape: Shape) throws(FormatError) -> [UInt8] {
        guard let descr = dtype.npyDescr else {
            throw FormatError(
                .unsupportedDType,
                "bfloat16 has no NPY spelling (numpy has no bfloat16 dtype); convert the tensor to float32 (f32) first")
        }
        let dimensions = shape.dimensions
        let shapeText =
            switch dimensions.count {
            case 0: "()"
            case 1: "(\(dimensions[0]),)"
            default: "(" + dimensions.map(String.init).joined(separator: ", ") + ")"
            }
        var text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = dimensions.first {
            text += String(repeating: " ", count: max(0, 21 - String(first).count))
        }
        let dictionary = Array(text.utf8)
        for (major, lengthFieldSize, maximum) in [(UInt8(1), 2, Int(UInt16.max)), (2, 4, Int(UInt32.max))] {
            let headerLength = dictionary.count + 1
            let preambleCount = NPYHeader.magic.count + 2 + lengthFieldSize
            let padding = NPYHeader.alignment - (preambleCount + headerLength) % NPYHeader.alignment
            let paddedLength = headerLength + padding
            guard paddedLength <= maximum else { continue }
            var bytes = NPYHeader.magic + [major, 0]
            bytes.reserveCapacity(preambleCount + paddedLength)
            for index in 0..<lengthFieldSize { bytes.append(UInt8(truncatingIfNeeded: paddedLength >> (8 * index))) }
            bytes += dictionary
            bytes += repeatElement(UInt8(ascii: " "), count: padding)
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        }
        throw FormatError(
            .headerTooLarge, "the header of shape \(shape.count)-D would exceed 4 GiB, too long even for version 2.0")
    }

    /// The whole `.npy` file for `tensor`: header and elements, byte-identical to `np.save` of the same array.
    /// - Throws: as ``header(dtype:shape:)``, with `tensorName` set; `FormatError.Code.byteCountMismatch`
    ///   when `tensor.data` does not hold exactly the shape's bytes.
    /// - Complexity: O(n) time and memory (one copy of the elements).
    public static func encode(_ tensor: Tensor) throws(FormatError) -> Data {
        let header = try checkedHeader(tensor)
        var bytes = Data(capacity: header.count + tensor.data.count)
        bytes.append(contentsOf: header)
        bytes.append(tensor.data)
        return bytes
    }

    /// Writes `tensor` to `path` atomically (temporary file beside it, then rename), as ``encode(_:)`` does.
    /// - Throws: as ``encode(_:)``; `FormatError.Code.ioFailure` when writing fails. No file is left behind
    ///   on error, and a file already at `path` is replaced only on success.
    public static func write(_ tensor: Tensor, to path: String) throws {
        let header: [UInt8]
        do { header = try checkedHeader(tensor) } catch { throw error.at(path: path) }
        let output = try AtomicFileWriter(path: path)
        do {
            try output.write(header)
            try output.write(tensor.data)
            try output.commit()
        } catch {
            output.abort()
            throw error
        }
    }

    /// The header for `tensor`, after checking that its data holds exactly the bytes its shape needs.
    static func checkedHeader(_ tensor: Tensor) throws(FormatError) -> [UInt8] {
        let expected: Int
        do { expected = try tensor.shape.byteCount(of: tensor.dtype) } catch {
            throw FormatError(error, tensorName: tensor.name)
        }
        guard tensor.data.count == expected else {
            throw FormatError(
                .byteCountMismatch,
                "\(tensor.data.count) bytes given; \(tensor.dtype.name) × \(tensor.shape) needs \(expected)",
                tensorName: tensor.name)
        }
        do { return try header(dtype: tensor.dtype, shape: tensor.shape) } catch {
            var named = error
            named.tensorName = tensor.name
            throw named
        }
    }
}
