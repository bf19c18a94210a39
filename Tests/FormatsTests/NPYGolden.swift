import Formats
import Foundation
import TensorCore
import TestSupport

/// `fixtures/npy/valid/golden.json`: what each `.npy` file numpy wrote (fixtures/make_npy_fixtures.py) must
/// read as, computed by numpy: little-endian dtype, C-order shape and bytes.
struct NPYGolden: Decodable {
    struct Entry: Decodable, Sendable, CustomStringConvertible {
        /// File name under fixtures/npy/valid/.
        var file: String
        /// How the script made it.
        var note: String
        /// Format major version in the file.
        var version: Int
        /// numpy's little-endian `dtype.str` of the values: `<f4`, `|b1`, …
        var dtype: String
        var shape: [Int]
        /// The values as little-endian C-order bytes, hex.
        var hex: String
        var fortranOrder: Bool
        var dataOffset: Int
        /// True when the file itself is what `np.save` writes for the little-endian C-order array.
        var writerGolden: Bool
        /// Otherwise, what `np.save` writes for that array, hex.
        var resavedHex: String?

        enum CodingKeys: String, CodingKey {
            case file, note, version, dtype, shape, hex
            case fortranOrder = "fortran_order"
            case dataOffset = "data_offset"
            case writerGolden = "writer_golden"
            case resavedHex = "resaved_hex"
        }

        var description: String { file }

        /// The fixture's path relative to fixtures/.
        var relativePath: String { "npy/valid/" + file }

        /// The expected little-endian C-order bytes.
        var expectedBytes: [UInt8] { NPYGolden.bytes(hex: hex) }

        /// The tensor numpy says the file holds, built from golden.json alone.
        func expectedTensor() throws -> Tensor {
            guard let dtype = NPYGolden.dtypes[String(dtype.dropFirst())] else { throw GoldenError.unknown(dtype) }
            return try Tensor(
                name: String(file.dropLast(4)), dtype: dtype, shape: Shape(validating: shape),
                data: Data(expectedBytes))
        }

        /// What `np.save` writes for the little-endian C-order array.
        func numpySaveBytes() throws -> [UInt8] {
            if writerGolden { return try Fixtures.bytes(relativePath) }
            guard let resavedHex else { throw GoldenError.unknown("no resaved_hex for \(file)") }
            return NPYGolden.bytes(hex: resavedHex)
        }
    }

    enum GoldenError: Error { case unknown(String) }

    var numpy: String
    var files: [Entry]

    /// numpy's spelling without byte order → WeightPack dtype.
    static let dtypes: [String: DType] = [
        "f8": .float64, "f4": .float32, "f2": .float16, "i8": .int64, "i4": .int32, "i2": .int16, "i1": .int8,
        "u8": .uint64, "u4": .uint32, "u2": .uint16, "u1": .uint8, "b1": .bool,
    ]

    static func load() throws -> NPYGolden {
        try JSONDecoder().decode(NPYGolden.self, from: Data(contentsOf: Fixtures.url("npy/valid/golden.json")))
    }

    /// Every golden entry; empty if golden.json is missing (``NPYGoldenTests`` then fails on the count).
    static let entries: [Entry] = (try? load().files) ?? []

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
