import TensorCore

extension GGUFValue {
    /// Appends the value's bytes without its type tag (GGUF spec `gguf_metadata_value_t`): scalars
    /// little-endian, strings as `uint64` length + UTF-8, arrays as `uint32` element type + `uint64` count +
    /// the elements. Call ``validate(key:depth:)`` first.
    func write(to writer: inout ByteWriter) {
        switch self {
        case .uint8(let value): writer.writeIntegerLE(value)
        case .int8(let value): writer.writeIntegerLE(value)
        case .uint16(let value): writer.writeIntegerLE(value)
        case .int16(let value): writer.writeIntegerLE(value)
        case .uint32(let value): writer.writeIntegerLE(value)
        case .int32(let value): writer.writeIntegerLE(value)
        case .float32(let value): writer.writeIntegerLE(value.bitPattern)
        case .bool(let value): writer.writeIntegerLE(UInt8(value ? 1 : 0))
        case .string(let text): GGUFValue.writeString(text, to: &writer)
        case .uint64(let value): writer.writeIntegerLE(value)
        case .int64(let value): writer.writeIntegerLE(value)
        case .float64(let value): writer.writeIntegerLE(value.bitPattern)
        case .array(let elementType, let elements):
            writer.writeIntegerLE(elementType.rawValue)
            writer.writeIntegerLE(UInt64(elements.count))
            for element in elements { element.write(to: &writer) }
        }
    }

    /// Appends a `gguf_string_t`: `uint64` byte count, then the UTF-8 bytes.
    static func writeString(_ text: String, to writer: inout ByteWriter) {
        writer.writeIntegerLE(UInt64(text.utf8.count))
        writer.writeBytes(text.utf8)
    }

    /// Checks that every array's elements have its element type, that element types are defined, and that
    /// arrays nest at most ``GGUFHeader/maximumArrayDepth`` deep; `depth` counts enclosing arrays.
    /// - Throws: `FormatError.Code.invalidMetadata` or `nestingTooDeep`, naming `key`.
    func validate(key: String, depth: Int = 0) throws(FormatError) {
        guard case .array(let elementType, let elements) = self else { return }
        guard depth < GGUFHeader.maximumArrayDepth else {
            throw FormatError(
                .nestingTooDeep,
                "metadata key '\(key)' nests arrays more than \(GGUFHeader.maximumArrayDepth) deep")
        }
        guard elementType.minimumByteCount != nil else {
            throw FormatError(
                .invalidMetadata, "metadata key '\(key)' is an array of undefined type id \(elementType.rawValue)")
        }
        for (index, element) in elements.enumerated() {
            guard element.type == elementType else {
                throw FormatError(
                    .invalidMetadata,
                    "element \(index) of metadata key '\(key)' is a \(element.type.name) in an array of \(elementType.name)"
                )
            }
            try element.validate(key: key, depth: depth + 1)
        }
    }
}
