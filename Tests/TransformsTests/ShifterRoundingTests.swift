import Testing

@testable import Transforms

/// The shifter rounding the symmetric quantizer uses must equal `rounded(.toNearestOrEven)` on its whole range.
struct ShifterRoundingTests {
    @Test func matchesRoundingToNearestEvenOnEveryQuarterAndNearHalves() {
        var mismatches: [Float] = []
        for quarter in -1024...1024 {
            let base = Float(quarter) / 4
            for value in [base, base.nextUp, base.nextDown] {
                let expected = value.rounded(.toNearestOrEven)
                let actual = IntegerQuantizer.roundedToNearestEven(value)
                if expected != actual || expected.sign != actual.sign && expected != 0 { mismatches.append(value) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(8))")
    }

    @Test func tiesGoToTheEvenNeighbour() {
        #expect(IntegerQuantizer.roundedToNearestEven(2.5) == 2)
        #expect(IntegerQuantizer.roundedToNearestEven(3.5) == 4)
        #expect(IntegerQuantizer.roundedToNearestEven(-2.5) == -2)
        #expect(IntegerQuantizer.roundedToNearestEven(-127.5) == -128)
        #expect(IntegerQuantizer.roundedToNearestEven(126.5) == 126)
    }
}

/// The eight-lane rounding of the ECSQ step search must equal `rounded(.toNearestOrEven)` bit for bit on every
/// finite Float32; these cases cover the boundaries of its two regimes and a stride through all bit patterns.
struct VectorRoundingTests {
    static func mismatches(_ values: [Float]) -> [Float] {
        var found: [Float] = []
        for start in stride(from: 0, to: values.count, by: 8) {
            var lanes = SIMD8<Float>()
            for lane in 0..<8 { lanes[lane] = values[min(start + lane, values.count - 1)] }
            let rounded = VectorRounding.nearestEven(lanes)
            for lane in 0..<8 where rounded[lane].bitPattern != lanes[lane].rounded(.toNearestOrEven).bitPattern {
                found.append(lanes[lane])
            }
        }
        return found
    }

    @Test func matchesRoundingAtTheRegimeBoundariesAndForSignedZeros() {
        var values: [Float] = [0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.49999997]
        values += [
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        ]
        for power in [22, 23, 24] {
            let edge = Float(sign: .plus, exponent: power, significand: 1)
            for value in [edge, edge.nextDown, edge.nextUp, edge - 0.5, edge + 0.5, edge - 1.5] {
                values += [value, -value]
            }
        }
        #expect(Self.mismatches(values).isEmpty, "\(Self.mismatches(values).prefix(8))")
    }

    @Test func matchesRoundingOnAStrideThroughEveryBitPattern() {
        // 2^32 / 4099 ≈ 1 M patterns, an odd stride so every exponent and low mantissa bits are visited.
        var values: [Float] = []
        var bits: UInt64 = 0
        while bits < 1 << 32 {
            let value = Float(bitPattern: UInt32(bits))
            if value.isFinite { values.append(value) }
            bits += 4099
        }
        #expect(Self.mismatches(values).isEmpty, "\(Self.mismatches(values).prefix(8))")
    }
}
