import Formats
import Foundation
import TensorCore
import TestSupport

/// `fixtures/safetensors/valid/golden.json`: what `golden.safetensors` holds, written by
/// fixtures/make_fixtures.py from the arrays it gave to `safetensors.numpy.save_file`.
struct SafetensorsGolden: Decodable {
    struct Entry: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var dataOffsets: [Int]
        var values: Values

        enum CodingKeys: String, CodingKey {
            case name, dtype, shape, values
            case dataOffsets = "data_offsets"
        }
    }

    /// Floats are strings (Python's repr of the exact value, or "inf"/"-inf"/"nan"); integers and bools are
    /// JSON integers and booleans.
    enum Values: Decodable {
        case bools([Bool])
        case integers([Int64])
        case floats([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let bools = try? container.decode([Bool].self) {
                self = .bools(bools)
            } else if let integers = try? container.decode([Int64].self) {
                self = .integers(integers)
            } else {
                self = .floats(try container.decode([String].self))
            }
        }

        var count: Int {
            switch self {
            case .bools(let values): values.count
            case .integers(let values): values.count
            case .floats(let values): values.count
            }
        }
    }

    var metadata: [String: String]
    var tensors: [Entry]

    static let safetensorsPath = "safetensors/valid/golden.safetensors"

    static func load() throws -> SafetensorsGolden {
        try JSONDecoder().decode(
            SafetensorsGolden.self, from: Data(contentsOf: Fixtures.url("safetensors/valid/golden.json")))
    }

    enum GoldenError: Error { case badValue(String, String) }

    /// The little-endian bytes the golden values encode to at `entry`'s dtype, computed without the code under test.
    static func expectedBytes(_ entry: Entry) throws -> [UInt8] {
        var writer = ByteWriter()
        func double(_ text: String) throws -> Double {
            guard let value = Double(text) else { throw GoldenError.badValue(entry.name, text) }
            return value
        }
        switch (entry.dtype, entry.values) {
        case (_, .bools(let values)) where values.isEmpty: break
        case (_, .integers(let values)) where values.isEmpty: break
        case ("BOOL", .bools(let values)): for value in values { writer.writeIntegerLE(UInt8(value ? 1 : 0)) }
        case ("U8", .integers(let values)): for value in values { writer.writeIntegerLE(UInt8(value)) }
        case ("I32", .integers(let values)): for value in values { writer.writeIntegerLE(Int32(value)) }
        case ("I64", .integers(let values)): for value in values { writer.writeIntegerLE(value) }
        case ("F64", .floats(let values)): for value in values { writer.writeIntegerLE(try double(value).bitPattern) }
        case ("F32", .floats(let values)):
            for value in values { writer.writeIntegerLE(Float(try double(value)).bitPattern) }
        case ("F16", .floats(let values)):
            for value in values { writer.writeIntegerLE(Float16(try double(value)).bitPattern) }
        case ("BF16", .floats(let values)):
            for value in values {
                let bits = Float(try double(value)).bitPattern
                guard bits & 0xFFFF == 0 else { throw GoldenError.badValue(entry.name, value) }
                writer.writeIntegerLE(UInt16(bits >> 16))
            }
        default: throw GoldenError.badValue(entry.name, entry.dtype)
        }
        return writer.bytes
    }

    /// The golden tensors built from golden.json alone, in `order`.
    func collection(reversed: Bool = false) throws -> TensorCollection {
        let entries = reversed ? tensors.reversed() : tensors
        let built = try entries.map { entry in
            guard let dtype = DType(safetensorsName: entry.dtype) else {
                throw GoldenError.badValue(entry.name, entry.dtype)
            }
            return try Tensor(
                name: entry.name, dtype: dtype, shape: Shape(validating: entry.shape),
                data: Data(try Self.expectedBytes(entry)))
        }
        return try TensorCollection(tensors: built, metadata: metadata)
    }
}
