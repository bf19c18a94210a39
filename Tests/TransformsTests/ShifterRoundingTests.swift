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
