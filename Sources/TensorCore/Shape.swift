/// The dimensions of a row-major (C-order) tensor; `[]` is a scalar with one element.
public struct Shape: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// The dimension sizes, outermost first.
    public let dimensions: [Int]

    /// Creates a shape, checking that no dimension is negative and that the element count fits in `Int`.
    /// - Throws: `CoreError.Code.negativeDimension`, `CoreError.Code.shapeOverflow`.
    public init(validating dimensions: [Int]) throws(CoreError) {
        for (axis, size) in dimensions.enumerated() where size < 0 {
            throw CoreError(
                .negativeDimension, "dimension \(axis) of shape \(dimensions) is \(size); sizes must be ≥ 0")
        }
        self.dimensions = dimensions
        _ = try elementCount()
    }

    /// Creates a shape from literal dimensions; for caller-supplied constants only (traps on a negative size).
    public init(arrayLiteral elements: Int...) {
        precondition(elements.allSatisfy { $0 >= 0 }, "negative dimension in shape literal")
        dimensions = elements
    }

    /// Creates a shape from dimensions the caller already validated (traps on a negative size).
    public init(_ dimensions: [Int]) {
        precondition(dimensions.allSatisfy { $0 >= 0 }, "negative dimension in shape")
        self.dimensions = dimensions
    }

    /// Number of dimensions (`0` for a scalar). Not to be confused with an SVD rank.
    public var count: Int { dimensions.count }

    /// Product of the dimensions (1 for a scalar, 0 when any dimension is 0).
    /// - Throws: `CoreError.Code.shapeOverflow` when the product does not fit in `Int`.
    public func elementCount() throws(CoreError) -> Int {
        var total = 1
        for size in dimensions {
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            if overflow {
                throw CoreError(.shapeOverflow, "shape \(dimensions) has more elements than fit in a 64-bit integer")
            }
            total = product
        }
        return total
    }

    /// Bytes needed for this shape at `dtype`: element count × element size.
    /// - Throws: `CoreError.Code.shapeOverflow` when the product does not fit in `Int`.
    public func byteCount(of dtype: DType) throws(CoreError) -> Int {
        let (bytes, overflow) = try elementCount().multipliedReportingOverflow(by: dtype.byteWidth)
        if overflow {
            throw CoreError(
                .shapeOverflow, "shape \(dimensions) of \(dtype.name) needs more bytes than fit in a 64-bit integer")
        }
        return bytes
    }

    public var description: String { "[" + dimensions.map(String.init).joined(separator: ", ") + "]" }

    public init(from decoder: any Decoder) throws {
        let dims = try decoder.singleValueContainer().decode([Int].self)
        do { try self.init(validating: dims) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dimensions)
    }
}
