import TensorCore

extension GGUFHeader {
    /// Reads `count` key/value pairs (GGUF spec `gguf_metadata_kv_t`).
    static func parseMetadata(_ cursor: inout GGUFCursor, count: Int) throws(FormatError)
        -> [(key: String, value: GGUFValue)]
    {
        var metadata: [(key: String, value: GGUFValue)] = []
        metadata.reserveCapacity(count)
        var keyOffsets: [TensorNameKey: Int] = [:]
        for index in 0..<count {
            let keyOffset = cursor.offset
            let key = try cursor.readString("metadata key \(index)", invalidCode: .invalidMetadata)
            if let first = keyOffsets.updateValue(keyOffset, forKey: TensorNameKey(key)) {
                throw FormatError(
                    .invalidMetadata, "metadata key '\(key)' appears twice, at bytes \(first) and \(keyOffset)",
                    byteOffset: keyOffset)
            }
            let typeOffset = cursor.offset
            let type = GGUFValueType(rawValue: try cursor.readInteger("type of metadata key '\(key)'"))
            guard type.minimumByteCount != nil else {
                throw FormatError(
                    .invalidMetadata,
                    "metadata key '\(key)' has value type id \(type.rawValue); defined ids are 0...12",
                    byteOffset: typeOffset)
            }
            metadata.append((key, try parseValue(&cursor, type: type, key: key, depth: 0)))
        }
        return metadata
    }

    /// Reads one value of `type` (already known to be defined); `depth` is the number of enclosing arrays.
    private static func parseValue(_ cursor: inout GGUFCursor, type: GGUFValueType, key: String, depth: Int)
        throws(FormatError) -> GGUFValue
    {
        func what() -> String { "\(type.name) value of metadata key '\(key)'" }
        switch type {
        case .uint8: return .uint8(try cursor.readInteger(what()))
        case .int8: return .int8(try cursor.readInteger(what()))
        case .uint16: return .uint16(try cursor.readInteger(what()))
        case .int16: return .int16(try cursor.readInteger(what()))
        case .uint32: return .uint32(try cursor.readInteger(what()))
        case .int32: return .int32(try cursor.readInteger(what()))
        case .float32: return .float32(Float(bitPattern: try cursor.readInteger(what())))
        case .uint64: return .uint64(try cursor.readInteger(what()))
        case .int64: return .int64(try cursor.readInteger(what()))
        case .float64: return .float64(Double(bitPattern: try cursor.readInteger(what())))
        case .bool:
            let offset = cursor.offset
            let byte = try cursor.readUInt8(what())
            guard byte <= 1 else {
                throw FormatError(
                    .invalidMetadata, "bool value of metadata key '\(key)' is \(byte); it must be 0 or 1",
                    byteOffset: offset)
            }
            return .bool(byte == 1)
        case .string:
            return .string(try cursor.readString(what(), invalidCode: .invalidMetadata))
        default:
            return try parseArray(&cursor, key: key, depth: depth + 1)
        }
    }

    private static func parseArray(_ cursor: inout GGUFCursor, key: String, depth: Int) throws(FormatError)
        -> GGUFValue
    {
        let start = cursor.offset
        guard depth <= maximumArrayDepth else {
            throw FormatError(
                .nestingTooDeep,
                "metadata key '\(key)' nests arrays \(depth) deep; at most \(maximumArrayDepth) levels are allowed",
                byteOffset: start)
        }
        let elementType = GGUFValueType(rawValue: try cursor.readInteger("array element type of '\(key)'"))
        guard let minimum = elementType.minimumByteCount else {
            throw FormatError(
                .invalidMetadata,
                "array of metadata key '\(key)' has element type id \(elementType.rawValue); defined ids are 0...12",
                byteOffset: start)
        }
        let count = try cursor.readCount(
            "element count of the \(elementType.name) array of '\(key)'", minimumByteCount: minimum)
        var elements: [GGUFValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try parseValue(&cursor, type: elementType, key: key, depth: depth))
        }
        return .array(elementType: elementType, elements)
    }
}
