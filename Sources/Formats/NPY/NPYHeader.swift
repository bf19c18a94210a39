import TensorCore

/// The parsed and validated header of a NumPy `.npy` file.
///
/// Layout (numpy/lib/format.py, NEP 1 "A Simple File Format for NumPy Arrays"):
///
/// | bytes | field |
/// |---|---|
/// | 6 | magic `\x93NUMPY` |
/// | 1 + 1 | major and minor version: `1.0`, `2.0` or `3.0` |
/// | 2 (v1) or 4 (v2, v3) | header length `N`, little-endian |
/// | `N` | a Python dict literal, Latin-1 (v1, v2) or UTF-8 (v3): `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, padded with spaces and ended by `\n` |
/// | rest | the elements, `shape` product × item size bytes, in `descr`'s byte order and C or Fortran order |
///
/// numpy pads the header so that the data starts on a multiple of 64 bytes; readers do not rely on it.
public struct NPYHeader: Sendable, Equatable {
    /// numpy's cap on the header length when loading without `allow_pickle` (`_MAX_HEADER_SIZE`, 10,000
    /// characters): longer headers are refused before they are parsed.
    public static let maximumHeaderLength = 10_000
    /// The six magic bytes every `.npy` file starts with: `0x93` then ASCII `NUMPY`.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// numpy's `ARRAY_ALIGN`: writers pad the header so that the data offset is a multiple of 64 bytes.
    public static let alignment = 64

    /// The element type (the `descr` entry, byte order aside).
    public var dtype: DType
    /// True when `descr` says the stored elements are big-endian (`'>'`, or `'='`/`'|'` on a big-endian
    /// host); always false for one-byte types. Readers convert such data to little-endian.
    public var isBigEndian: Bool
    /// True when the stored elements are in Fortran (column-major) order; readers transpose them to C order.
    public var fortranOrder: Bool
    /// The array's logical dimensions (the `shape` entry); the same whatever the storage order.
    public var shape: Shape
    /// The format's major version: 1, 2 or 3 (the minor version is always 0).
    public var majorVersion: Int
    /// Byte offset of the first element from the start of the file: 10 + `N` (v1) or 12 + `N` (v2, v3).
    public var dataOffset: Int

    /// Creates a header from already validated fields.
    public init(
        dtype: DType, isBigEndian: Bool, fortranOrder: Bool, shape: Shape, majorVersion: Int, dataOffset: Int
    ) {
        self.dtype = dtype
        self.isBigEndian = isBigEndian
        self.fortranOrder = fortranOrder
        self.shape = shape
        self.majorVersion = majorVersion
        self.dataOffset = dataOffset
    }

    /// Bytes of element data the header implies: element count × item size.
    /// - Throws: `FormatError.Code.shapeOverflow` when the product does not fit in `Int` (never for a header
    ///   returned by ``NPYReader/parseHeader(_:fileByteCount:maximumHeaderLength:)``, which checked it).
    public func dataByteCount() throws(FormatError) -> Int {
        do { return try shape.byteCount(of: dtype) } catch { throw FormatError(error) }
    }

    /// True when the stored bytes are already little-endian C order, so a reader can hand them out without
    /// copying: little-endian (or one-byte) elements, and C order or a shape with at most one dimension
    /// longer than 1 (where both orders coincide); always true for zero-size arrays.
    public var isLittleEndianCOrder: Bool {
        if shape.dimensions.contains(0) { return true }
        let swapped = isBigEndian && dtype.byteWidth > 1
        let transposed = fortranOrder && shape.dimensions.filter { $0 > 1 }.count > 1
        return !swapped && !transposed
    }
}
