import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// Seeded property tests: what the writer writes, the reader reads back; big-endian and Fortran layouts
/// built by a reference implementation read back as the original; and mangled files never crash the reader.
struct NPYRoundTripTests {
    static let dtypes = DType.allCases.filter { $0 != .bfloat16 }

    static func randomTensor(_ generator: inout SplitMix64, maxDimension: Int = 5) throws -> Tensor {
        let dtype = dtypes.randomElement(using: &generator)!
        let rank = generator.int(below: 5)
        let shape = Shape((0..<rank).map { _ in generator.int(below: maxDimension + 1) })
        let data: [UInt8] = (0..<(try shape.byteCount(of: dtype))).map { _ in
            dtype == .bool ? UInt8(generator.int(below: 2)) : generator.byte()
        }
        return try Tensor(name: "t", dtype: dtype, shape: shape, data: Data(data))
    }

    @Test func encodeThenReadGivesBackTheSameTensor() throws {
        var generator = SplitMix64(seed: 0x4E50_5931)
        var ranksSeen = Set<Int>()
        for caseIndex in 0..<500 {
            let original = try Self.randomTensor(&generator)
            let bytes = try NPYWriter.encode(original)
            let header = try NPYReader.parseHeader(bytes, fileByteCount: bytes.count)
            #expect(header.dataOffset % NPYHeader.alignment == 0, "case \(caseIndex)")
            #expect(header.majorVersion == 1 && !header.fortranOrder && !header.isBigEndian, "case \(caseIndex)")
            #expect(try NPYReader.tensor(named: "t", from: bytes) == original, "case \(caseIndex)")
            ranksSeen.insert(original.shape.count)
        }
        #expect(ranksSeen == [0, 1, 2, 3, 4])
    }

    /// Stores `tensor` as numpy would with `descr` in big-endian order and/or Fortran order, computed
    /// element by element from the definition (not by the code under test).
    static func reference(_ tensor: Tensor, bigEndian: Bool, fortran: Bool) throws -> [UInt8] {
        let width = tensor.dtype.byteWidth
        let dimensions = tensor.shape.dimensions
        let source = [UInt8](tensor.data)
        var stored = [UInt8](repeating: 0, count: source.count)
        for cIndex in 0..<tensor.elementCount {
            var remainder = cIndex
            var indices = [Int](repeating: 0, count: dimensions.count)
            for axis in dimensions.indices.reversed() {
                indices[axis] = remainder % dimensions[axis]
                remainder /= dimensions[axis]
            }
            var fIndex = 0
            for axis in dimensions.indices.reversed() { fIndex = fIndex * dimensions[axis] + indices[axis] }
            let target = fortran ? fIndex : cIndex
            for byte in 0..<width {
                stored[target * width + byte] = source[cIndex * width + (bigEndian ? width - 1 - byte : byte)]
            }
        }
        var header = try NPYWriter.header(dtype: tensor.dtype, shape: tensor.shape)
        if bigEndian, width > 1 { header[header.firstIndex(of: UInt8(ascii: "<"))!] = UInt8(ascii: ">") }
        if fortran {
            let flag = header.firstRange(of: Array("False".utf8))!
            header.replaceSubrange(flag, with: Array("True ".utf8))
        }
        return header + stored
    }

    @Test(arguments: [(true, false), (false, true), (true, true)])
    func bigEndianAndFortranLayoutsReadBackAsTheOriginal(bigEndian: Bool, fortran: Bool) throws {
        var generator = SplitMix64(seed: bigEndian ? (fortran ? 3 : 1) : 2)
        var converted = 0
        for caseIndex in 0..<300 {
            let original = try Self.randomTensor(&generator)
            let bytes = try Self.reference(original, bigEndian: bigEndian, fortran: fortran)
            let header = try NPYReader.parseHeader(bytes, fileByteCount: bytes.count)
            #expect(header.fortranOrder == fortran, "case \(caseIndex)")
            #expect(header.isBigEndian == (bigEndian && original.dtype.byteWidth > 1), "case \(caseIndex)")
            #expect(try NPYReader.tensor(named: "t", from: Data(bytes)) == original, "case \(caseIndex)")
            if !header.isLittleEndianCOrder { converted += 1 }
        }
        #expect(converted > 50)
    }

    /// Flips bits, overwrites, inserts, deletes and truncates bytes of golden files (mostly in the header);
    /// every result must either read into a tensor whose byte count holds or throw a FormatError — never trap.
    @Test func mutatedGoldenFilesReadOrThrowButNeverCrash() throws {
        let goldens = try ["i2_be_fortran_3d.npy", "f4_le.npy", "i8_be_fortran_v3.npy", "f4_v2.npy", "f8_scalar.npy"]
            .map { try Fixtures.bytes("npy/valid/" + $0) }
        var generator = SplitMix64(seed: 0x6D75_7461)
        var accepted = 0
        var rejections: [FormatError.Code: Int] = [:]
        for index in 0..<2000 {
            var bytes = goldens[index % goldens.count]
            let headerEnd = bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
            for _ in 0..<(generator.int(below: 3) + 1) {
                guard !bytes.isEmpty else { break }
                let limit = generator.int(below: 10) < 8 ? min(headerEnd, bytes.count) : bytes.count
                let position = generator.int(below: limit)
                switch generator.int(below: 6) {
                case 0: bytes[position] ^= 1 << UInt8(generator.int(below: 8))
                case 1: bytes[position] = generator.byte()
                case 2: bytes.insert(generator.byte(), at: position)
                case 3: bytes.remove(at: position)
                case 4: bytes[position] = Array("(),:'0123456789 ".utf8).randomElement(using: &generator)!
                default: bytes.removeSubrange(position...)
                }
            }
            do throws(FormatError) {
                let tensor = try NPYReader.tensor(named: "m", from: Data(bytes))
                #expect(tensor.data.count == tensor.elementCount * tensor.dtype.byteWidth)
                #expect(tensor.elementCount == tensor.shape.dimensions.reduce(1, *))
                accepted += 1
            } catch {
                rejections[error.code, default: 0] += 1
            }
        }
        #expect(accepted + rejections.values.reduce(0, +) == 2000)
        #expect(rejections.count >= 6, "\(rejections)")
    }
}
