import Formats
import Foundation
import TensorCore
import TestSupport

/// `fixtures/npz/valid/golden.json`: the members of `savez.npz` and `savez_compressed.npz` in archive order,
/// as `np.load` reads them (little-endian dtype, C-order shape and bytes), from fixtures/make_npy_fixtures.py.
struct NPZGolden: Decodable {
    struct Member: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var hex: String
    }

    struct Archive: Decodable {
        var compressed: Bool
        var members: [Member]
    }

    var numpy: String
    var archives: [String: Archive]

    static func load() throws -> NPZGolden {
        try JSONDecoder().decode(NPZGolden.self, from: Data(contentsOf: Fixtures.url("npz/valid/golden.json")))
    }

    static func archive(_ file: String) throws -> Archive {
        guard let archive = try load().archives[file] else { throw NPYGolden.GoldenError.unknown(file) }
        return archive
    }

    /// The tensors numpy says the archive holds, built from golden.json alone.
    static func collection(_ file: String) throws -> TensorCollection {
        let tensors = try archive(file).members.map { member in
            guard let dtype = NPYGolden.dtypes[String(member.dtype.dropFirst())] else {
                throw NPYGolden.GoldenError.unknown(member.dtype)
            }
            return try Tensor(
                name: member.name, dtype: dtype, shape: Shape(validating: member.shape),
                data: Data(NPYGolden.bytes(hex: member.hex)))
        }
        return try TensorCollection(tensors: tensors)
    }

    /// Offsets of the central directory entries (`PK\1\2`) in an archive, in order.
    static func directoryEntryOffsets(_ bytes: [UInt8]) -> [Int] {
        let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
        return (0..<max(0, bytes.count - 3)).filter { Array(bytes[$0..<($0 + 4)]) == signature }
    }

    static func setUInt32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    static func uint32(at offset: Int, in bytes: [UInt8]) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
