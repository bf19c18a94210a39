import Formats
import Foundation
import TestSupport

/// `fixtures/gguf/valid/golden.json`: what gguf-py's GGUFReader finds in each golden GGUF file, written by
/// fixtures/make_gguf_fixtures.py, plus gguf-py's GGML type table.
struct GGUFGolden: Decodable {
    /// A metadata value: scalars as strings (floats as big-endian hex of their bits), arrays with their
    /// element type.
    struct Value: Decodable {
        var type: String
        var value: String?
        var elementType: String?
        var elements: [Value]?

        enum CodingKeys: String, CodingKey {
            case type, value, elements
            case elementType = "element_type"
        }
    }

    struct Entry: Decodable {
        var key: String
        var value: Value
    }

    struct Tensor: Decodable {
        var name: String
        var type: String
        var typeID: UInt32
        var ne: [Int]
        var offset: Int
        var byteCount: Int
        var bytesHex: String
        var valuesHex: String?

        enum CodingKeys: String, CodingKey {
            case name, type, ne, offset
            case typeID = "type_id"
            case byteCount = "n_bytes"
            case bytesHex = "bytes_hex"
            case valuesHex = "values_hex"
        }
    }

    struct File: Decodable {
        var file: String
        var version: Int
        var alignment: Int
        var dataOffset: Int
        var fileSize: Int
        var metadata: [Entry]
        var tensors: [Tensor]

        enum CodingKeys: String, CodingKey {
            case file, version, alignment, metadata, tensors
            case dataOffset = "data_offset"
            case fileSize = "file_size"
        }

        /// `fixtures/gguf/valid/<file>`.
        var relativePath: String { "gguf/valid/\(file)" }
    }

    var files: [File]
    /// `[id, name, block size, bytes per block]` for every `GGMLQuantizationType`.
    var ggmlTypes: [[GGMLTypeField]]

    enum CodingKeys: String, CodingKey {
        case files
        case ggmlTypes = "ggml_types"
    }

    enum GGMLTypeField: Decodable {
        case number(Int)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    static func load() throws -> GGUFGolden {
        try JSONDecoder().decode(GGUFGolden.self, from: Data(contentsOf: Fixtures.url("gguf/valid/golden.json")))
    }

    static func file(_ name: String) throws -> File {
        guard let match = try load().files.first(where: { $0.file == name }) else {
            throw GoldenError.badValue("no golden file \(name)")
        }
        return match
    }

    enum GoldenError: Error { case badValue(String) }
}

extension GGUFGolden.Value {
    /// The value as our reader should produce it.
    func gguf() throws -> GGUFValue {
        func text() throws -> String {
            guard let value else { throw GGUFGolden.GoldenError.badValue("\(type) without a value") }
            return value
        }
        func bits<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let parsed = T(try text(), radix: 16) else { throw GGUFGolden.GoldenError.badValue(try text()) }
            return parsed
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let parsed = T(try text()) else { throw GGUFGolden.GoldenError.badValue(try text()) }
            return parsed
        }
        switch type {
        case "uint8": return .uint8(try integer(UInt8.self))
        case "int8": return .int8(try integer(Int8.self))
        case "uint16": return .uint16(try integer(UInt16.self))
        case "int16": return .int16(try integer(Int16.self))
        case "uint32": return .uint32(try integer(UInt32.self))
        case "int32": return .int32(try integer(Int32.self))
        case "uint64": return .uint64(try integer(UInt64.self))
        case "int64": return .int64(try integer(Int64.self))
        case "float32": return .float32(Float(bitPattern: try bits(UInt32.self)))
        case "float64": return .float64(Double(bitPattern: try bits(UInt64.self)))
        case "bool": return .bool(try text() == "true")
        case "string": return .string(try text())
        case "array":
            let names = (0..<13).map { GGUFValueType(rawValue: UInt32($0)).name }
            guard let elementType, let index = names.firstIndex(of: elementType), let elements else {
                throw GGUFGolden.GoldenError.badValue("array without element type")
            }
            return .array(elementType: GGUFValueType(rawValue: UInt32(index)), try elements.map { try $0.gguf() })
        default: throw GGUFGolden.GoldenError.badValue(type)
        }
    }
}

/// Hex strings of the sidecars, as bytes.
enum GGUFHex {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            let nibble: UInt8 =
                switch character {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
                default: (character | 0x20) - UInt8(ascii: "a") + 10
                }
            if let value = high {
                out.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
