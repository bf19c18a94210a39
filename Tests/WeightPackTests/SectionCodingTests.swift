import Foundation
import TensorCore
import TestSupport
import Testing

@testable import WeightPack

@Suite("Section coding: auto")
struct SectionCodingTests {
    /// `count` bytes from SplitMix64.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    func coder(_ bytes: [UInt8]) throws -> EntropyCoder {
        let section = PayloadSection(kind: .bytes(symbolWidth: 1), bytes: Data(bytes))
        return try SectionCoding.encode(section, choice: .auto).1
    }

    @Test func aLargeSectionOfRepeatsIsSampledAndGoesToZstd() throws {
        // 2 MiB of one 48 KiB random block repeated: order-0 coding cannot shrink it, zstd's matches can; the
        // sample's pieces hold those repeats, so zstd runs in full.
        let block = Self.randomBytes(48 << 10, seed: 1)
        let bytes = (0..<(2 << 20)).map { block[$0 % block.count] }
        #expect(bytes.count >= SectionCoding.sampledSectionByteCount)
        #expect(try coder(bytes) == .zstd)
    }

    @Test func aLargeSkewedSectionGoesToHuffmanAndRandomBytesStayRaw() throws {
        var generator = SplitMix64(seed: 2)
        let skewed = (0..<(2 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next() % 5) }
        #expect(try coder(skewed) == .huffman)
        #expect(try coder(Self.randomBytes(2 << 20, seed: 3)) == .raw)
    }

    @Test func theSampledChoiceIsTheSmallestOnFloatBytePlanes() throws {
        // Byte planes of Gaussian-like float32 weights: the exponent plane compresses, mantissa planes do not.
        var generator = SplitMix64(seed: 4)
        let values = (0..<(1 << 19)).map { _ -> Float in
            let u = Double(generator.next() >> 11) / Double(1 << 53)
            let v = Double(generator.next() >> 11) / Double(1 << 53)
            return Float(0.02 * sqrt(-2 * log(u + 1e-300)) * cos(2 * .pi * v))
        }
        let bytes = values.withUnsafeBytes { Array($0) }
        for plane in 0..<4 {
            let planeBytes = stride(from: plane, to: bytes.count, by: 4).map { bytes[$0] }
            let section = PayloadSection(kind: .bytes(symbolWidth: 1), bytes: Data(planeBytes))
            let (coded, _) = try SectionCoding.encode(section, choice: .auto)
            let zstd = try SectionCoding.encode(section, choice: .zstd(level: 3)).0
            let huffman = try SectionCoding.encode(section, choice: .huffman).0
            #expect(coded.count <= min(zstd.count, huffman.count), "plane \(plane)")
        }
    }
}
