import Foundation
import TestSupport
import Testing

@testable import TensorCore

/// One record of `fixtures/tensorcore/{float16,bfloat16}_golden.bin` (made by fixtures/make_fixtures.py
/// with numpy's `astype(np.float16)` and ml_dtypes' `astype(bfloat16)`).
struct RoundingGoldenRecord {
    enum Category: UInt16, CaseIterable {
        case special, subnormal, overflow, tieDown, tieUp, nearTie, random
    }

    var input: Float
    var expectedBits: UInt16
    var category: Category

    /// Reads 8-byte records: u32 Float32 bits, u16 expected bits, u16 category, all little-endian.
    static func load(_ name: String) throws -> [RoundingGoldenRecord] {
        let bytes = try Fixtures.bytes("tensorcore/\(name)")
        try #require(bytes.count % 8 == 0 && !bytes.isEmpty)
        var reader = ByteReader(bytes)
        var records: [RoundingGoldenRecord] = []
        while reader.remaining > 0 {
            let input = Float(bitPattern: try reader.readUInt32LE())
            let expected = try reader.readUInt16LE()
            let category = try #require(Category(rawValue: try reader.readUInt16LE()))
            records.append(RoundingGoldenRecord(input: input, expectedBits: expected, category: category))
        }
        return records
    }
}

struct FloatConversionTests {
    static func isFloat16NaN(_ bits: UInt16) -> Bool { bits & 0x7C00 == 0x7C00 && bits & 0x03FF != 0 }
    static func isBFloat16NaN(_ bits: UInt16) -> Bool { bits & 0x7F80 == 0x7F80 && bits & 0x007F != 0 }

    /// Checks `narrow` against every golden record: bit-exact, except that a NaN need only be a NaN.
    private func checkGolden(
        _ records: [RoundingGoldenRecord], isNaN: (UInt16) -> Bool, narrow: (Float) -> UInt16
    ) {
        var mismatches: [String] = []
        for record in records {
            let actual = narrow(record.input)
            let matches = isNaN(record.expectedBits) ? isNaN(actual) : actual == record.expectedBits
            if !matches {
                let input = "0x" + String(record.input.bitPattern, radix: 16)
                let expected = "0x" + String(record.expectedBits, radix: 16)
                let got = "0x" + String(actual, radix: 16)
                mismatches.append("\(record.category) \(input) (\(record.input)): expected \(expected), got \(got)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(records.count) differ, first: \(mismatches.prefix(10))")
    }

    private func checkCoverage(_ records: [RoundingGoldenRecord], isNaN: (UInt16) -> Bool) {
        for category in RoundingGoldenRecord.Category.allCases {
            #expect(records.filter { $0.category == category }.count >= 10, "too few \(category) records")
        }
        #expect(records.contains { $0.input.isNaN })
        #expect(records.contains { $0.input == .infinity } && records.contains { $0.input == -.infinity })
        #expect(records.contains { $0.input == 0 && $0.input.sign == .minus })
        #expect(records.contains { $0.expectedBits == 0x7C00 || $0.expectedBits == 0x7F80 })  // overflow to +inf
        #expect(records.contains { !isNaN($0.expectedBits) && $0.input.isNormal && $0.input.sign == .minus })
    }

    @Test func float16MatchesNumpyForEveryGoldenInput() throws {
        let records = try RoundingGoldenRecord.load("float16_golden.bin")
        checkCoverage(records, isNaN: Self.isFloat16NaN)
        #expect(
            records.contains {
                $0.category == .subnormal && $0.expectedBits & 0x7C00 == 0 && $0.expectedBits & 0x3FF != 0
            })
        checkGolden(records, isNaN: Self.isFloat16NaN, narrow: FloatConversion.float16Bits)
    }

    @Test func bfloat16MatchesMLDTypesForEveryGoldenInput() throws {
        let records = try RoundingGoldenRecord.load("bfloat16_golden.bin")
        checkCoverage(records, isNaN: Self.isBFloat16NaN)
        #expect(
            records.contains {
                $0.category == .subnormal && $0.expectedBits & 0x7F80 == 0 && $0.expectedBits & 0x7F != 0
            })
        checkGolden(records, isNaN: Self.isBFloat16NaN, narrow: FloatConversion.bfloat16Bits)
    }

    @Test func bufferNarrowingMatchesElementwiseNarrowing() throws {
        let inputs = try RoundingGoldenRecord.load("float16_golden.bin").map(\.input)
        let f16 = [UInt8](FloatConversion.float16LE(fromFloat32: inputs))
        let bf16 = [UInt8](FloatConversion.bfloat16LE(fromFloat32: inputs))
        #expect(f16.count == 2 * inputs.count && bf16.count == 2 * inputs.count)
        var f16Reader = ByteReader(f16)
        var bf16Reader = ByteReader(bf16)
        for input in inputs {
            #expect(try f16Reader.readUInt16LE() == FloatConversion.float16Bits(input))
            #expect(try bf16Reader.readUInt16LE() == FloatConversion.bfloat16Bits(input))
        }
        #expect(FloatConversion.float16LE(fromFloat32: []).isEmpty)
    }

    @Test func tiesRoundToEvenInBothDirections() {
        // binary16: 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10 (odd) → 1.
        #expect(FloatConversion.float16Bits(1 + 0x1p-11) == 0x3C00)
        // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even) → up.
        #expect(FloatConversion.float16Bits(1 + 3 * 0x1p-11) == 0x3C02)
        // bfloat16: 0x3F80_8000 halfway between 0x3F80 (even) and 0x3F81 → down; 0x3F81_8000 → up to 0x3F82.
        #expect(FloatConversion.bfloat16Bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)
        #expect(FloatConversion.bfloat16Bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)
        // The tie above the largest finite value goes to infinity (the even neighbour).
        #expect(FloatConversion.float16Bits(65520) == 0x7C00)
        #expect(FloatConversion.float16Bits(-65520) == 0xFC00)
        #expect(FloatConversion.bfloat16Bits(Float(bitPattern: 0x7F7F_8000)) == 0x7F80)
        #expect(FloatConversion.bfloat16Bits(Float(bitPattern: 0x7F7F_7FFF)) == 0x7F7F)
    }

    @Test func nanStaysNaNWithItsSign() {
        for bits: UInt32 in [0x7FC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF, 0xFFC0_0000] {
            let value = Float(bitPattern: bits)
            #expect(Self.isFloat16NaN(FloatConversion.float16Bits(value)))
            let bf16 = FloatConversion.bfloat16Bits(value)
            #expect(Self.isBFloat16NaN(bf16), "0x\(String(bits, radix: 16)) → 0x\(String(bf16, radix: 16))")
            #expect(bf16 & 0x8000 == UInt16(bits >> 16) & 0x8000)
        }
    }

    /// binary16 value by arithmetic alone (independent of the code under test).
    static func referenceFloat16(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int(bits >> 10) & 0x1F
        let fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * pow(2, Double(exponent - 15))
        }
    }

    /// bfloat16 value by arithmetic alone.
    static func referenceBFloat16(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int(bits >> 7) & 0xFF
        let fraction = Double(bits & 0x7F)
        switch exponent {
        case 0: return sign * fraction / 128 * 0x1p-126
        case 255: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 128) * pow(2, Double(exponent - 127))
        }
    }

    @Test func float16WidensExactlyAndNarrowsBackForAll65536Patterns() {
        var failures: [UInt16] = []
        var nanCount = 0
        for raw in 0...UInt16.max {
            let widened = FloatConversion.float32(float16Bits: raw)
            let reference = Self.referenceFloat16(raw)
            if reference.isNaN {
                nanCount += 1
                if !widened.isNaN { failures.append(raw) }
                continue
            }
            let exact = Double(widened) == reference && widened.sign == (raw & 0x8000 == 0 ? .plus : .minus)
            if !exact || FloatConversion.float16Bits(widened) != raw { failures.append(raw) }
        }
        #expect(nanCount == 2 * 1023)
        #expect(
            failures.isEmpty,
            "\(failures.count) patterns fail, first: \(failures.prefix(8).map { String($0, radix: 16) })")
    }

    @Test func bfloat16WidensExactlyAndNarrowsBackForAll65536Patterns() {
        var failures: [UInt16] = []
        var nanCount = 0
        for raw in 0...UInt16.max {
            let widened = FloatConversion.float32(bfloat16Bits: raw)
            let reference = Self.referenceBFloat16(raw)
            if reference.isNaN {
                nanCount += 1
                if !widened.isNaN { failures.append(raw) }
                continue
            }
            let exact = Double(widened) == reference && widened.sign == (raw & 0x8000 == 0 ? .plus : .minus)
            if !exact || FloatConversion.bfloat16Bits(widened) != raw { failures.append(raw) }
        }
        #expect(nanCount == 2 * 127)
        #expect(
            failures.isEmpty,
            "\(failures.count) patterns fail, first: \(failures.prefix(8).map { String($0, radix: 16) })")
    }

    @Test func bufferWideningMatchesElementwiseWideningForAllPatterns() {
        var bytes: [UInt8] = []
        for raw in 0...UInt16.max { bytes += [UInt8(raw & 0xFF), UInt8(raw >> 8)] }
        bytes.append(0xAB)  // an odd trailing byte is ignored
        let f16 = bytes.withUnsafeBytes { FloatConversion.float32(fromFloat16LE: $0) }
        let bf16 = bytes.withUnsafeBytes { FloatConversion.float32(fromBFloat16LE: $0) }
        #expect(f16.count == 65536 && bf16.count == 65536)
        var f16Mismatches = 0
        var bf16Mismatches = 0
        for raw in 0...UInt16.max {
            let index = Int(raw)
            if f16[index].bitPattern != FloatConversion.float32(float16Bits: raw).bitPattern { f16Mismatches += 1 }
            if bf16[index].bitPattern != FloatConversion.float32(bfloat16Bits: raw).bitPattern { bf16Mismatches += 1 }
        }
        #expect(f16Mismatches == 0)
        #expect(bf16Mismatches == 0)
    }
}
