import Foundation
import Testing

@testable import TensorCore

struct DTypeTests {
    @Test(arguments: [
        (DType.bool, 1), (.uint8, 1), (.int8, 1),
        (.int16, 2), (.uint16, 2), (.float16, 2), (.bfloat16, 2),
        (.int32, 4), (.uint32, 4), (.float32, 4),
        (.float64, 8), (.int64, 8), (.uint64, 8),
    ])
    func byteWidthMatchesTheType(dtype: DType, bytes: Int) {
        #expect(dtype.byteWidth == bytes)
        #expect(dtype.bitWidth == bytes * 8)
    }

    @Test func everyDTypeHasAWidth() {
        #expect(DType.allCases.count == 13)
        #expect(DType.allCases.allSatisfy { [1, 2, 4, 8].contains($0.byteWidth) })
    }

    @Test(arguments: DType.allCases)
    func shortNameRoundTrips(dtype: DType) {
        #expect(DType(name: dtype.name) == dtype)
        #expect(DType(rawValue: dtype.rawValue) == dtype)
    }

    @Test func shortNamesAreTheDocumentedSpellings() {
        let names = DType.allCases.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(
            Set(names) == ["f64", "f32", "f16", "bf16", "i64", "i32", "i16", "i8", "u64", "u32", "u16", "u8", "bool"])
    }

    @Test(arguments: ["", "F32", "float32", "f8", "int4", " f32"])
    func unknownShortNameGivesNil(name: String) {
        #expect(DType(name: name) == nil)
    }

    @Test func floatingPointSetIsExactlyTheFourFloatTypes() {
        let floats = Set(DType.allCases.filter(\.isFloatingPoint))
        #expect(floats == [.float16, .bfloat16, .float32, .float64])
    }

    @Test func codableUsesTheRawValue() throws {
        let encoded = try JSONEncoder().encode([DType.bfloat16, .int8])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["bfloat16","int8"]"#)
        #expect(try JSONDecoder().decode([DType].self, from: encoded) == [.bfloat16, .int8])
    }
}
