import Foundation

/// A named, typed, row-major tensor whose elements are little-endian bytes.
///
/// `data` may be a slice of a memory-mapped file: no bytes are copied until a transform reads them.
/// The byte count always equals `shape.elementCount() × dtype.byteWidth`.
public struct Tensor: Sendable, Equatable {
    /// The tensor's name in its file, e.g. `encoder.layer.0.attention.self.query.weight`.
    public var name: String
    /// The element type.
    public var dtype: DType
    /// The dimensions, outermost first.
    public var shape: Shape
    /// The elements, little-endian, row-major; `data.count == shape.byteCount(of: dtype)`.
    public var data: Data

    /// Creates a tensor after checking that `data` holds exactly the bytes the shape needs.
    /// - Throws: `CoreError.Code.byteCountMismatch` when `data.count` differs from element count × element size;
    ///   `CoreError.Code.shapeOverflow` when that product overflows.
    public init(name: String, dtype: DType, shape: Shape, data: Data) throws(CoreError) {
        let expected: Int
        do { expected = try shape.byteCount(of: dtype) } catch {
            throw CoreError(error.code, error.message, tensorName: name)
        }
        guard data.count == expected else {
            throw CoreError(
                .byteCountMismatch,
                "\(data.count) bytes given; \(dtype.name) × \(shape) needs \(expected)", tensorName: name)
        }
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// Number of elements.
    public var elementCount: Int { data.count / dtype.byteWidth }

    /// The tensor as `[rows, columns]`: rows is the first dimension, columns the product of the rest.
    /// A scalar or 1-D tensor is one row.
    public var matrixShape: (rows: Int, columns: Int) {
        guard shape.count >= 2, shape.dimensions[0] > 0 else { return (1, elementCount) }
        return (shape.dimensions[0], elementCount / shape.dimensions[0])
    }
}
