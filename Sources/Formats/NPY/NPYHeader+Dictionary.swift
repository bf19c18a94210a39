import TensorCore

extension NPYHeader {
    /// The three entries of a parsed header dict, checked as numpy's `_read_array_header` checks them: the
    /// value is a dict whose keys are exactly `descr`, `fortran_order` and `shape`; `shape` is a tuple of
    /// integers (here also non-negative, with a product that fits in `Int`); `fortran_order` is a bool;
    /// `descr` is a supported dtype string.
    /// - Throws: `FormatError.Code.invalidHeader` for a wrong type, a missing or an extra key;
    ///   `.shapeOverflow`; `.unsupportedDType` or `.unknownDType` for `descr`. Each with the byte offset of
    ///   the offending value.
    static func entries(of literal: PythonLiteral) throws(FormatError) -> (
        dtype: DType, isBigEndian: Bool, fortranOrder: Bool, shape: Shape
    ) {
        guard case .dict(let items) = literal.value else {
            throw FormatError(
                .invalidHeader, "header is a \(literal.typeName), \(literal.shortRepr); numpy writes a dict",
                byteOffset: literal.offset)
        }
        let expected = ["descr", "fortran_order", "shape"]
        if let extra = items.first(where: { !expected.contains($0.key) }) {
            throw FormatError(
                .invalidHeader,
                "header dict has an unexpected key '\(extra.key)'; it must hold exactly 'descr', 'fortran_order' and 'shape'",
                byteOffset: extra.keyOffset)
        }
        func value(_ key: String) throws(FormatError) -> PythonLiteral {
            guard let item = items.first(where: { $0.key == key }) else {
                throw FormatError(
                    .invalidHeader,
                    "header dict has no '\(key)' key; it must hold exactly 'descr', 'fortran_order' and 'shape'",
                    byteOffset: literal.offset)
            }
            return item.value
        }
        let shape = try parseShape(try value("shape"))
        let fortranLiteral = try value("fortran_order")
        guard case .bool(let fortranOrder) = fortranLiteral.value else {
            throw FormatError(
                .invalidHeader,
                "'fortran_order' is \(fortranLiteral.typeName) \(fortranLiteral.shortRepr); expected True or False",
                byteOffset: fortranLiteral.offset)
        }
        let descrLiteral = try value("descr")
        guard case .string(let descr) = descrLiteral.value else { throw NPYDescr.refusedNonString(descrLiteral) }
        let (dtype, isBigEndian) = try NPYDescr.parse(descr, byteOffset: descrLiteral.offset)
        return (dtype, isBigEndian, fortranOrder, shape)
    }

    private static func parseShape(_ literal: PythonLiteral) throws(FormatError) -> Shape {
        guard case .tuple(let elements) = literal.value else {
            throw FormatError(
                .invalidHeader,
                "'shape' is \(literal.typeName) \(literal.shortRepr); expected a tuple of integers such as (2, 3), (3,) or ()",
                byteOffset: literal.offset)
        }
        var dimensions: [Int] = []
        for (axis, element) in elements.enumerated() {
            guard case .integer(let size) = element.value, size >= 0 else {
                throw FormatError(
                    .invalidHeader,
                    "dimension \(axis) of 'shape' \(literal.shortRepr) is \(element.shortRepr); dimensions are integers ≥ 0",
                    byteOffset: element.offset)
            }
            dimensions.append(size)
        }
        do { return try Shape(validating: dimensions) } catch {
            throw FormatError(.shapeOverflow, error.message, byteOffset: literal.offset)
        }
    }
}
