import TensorCore
import Testing

@testable import Formats

struct DTypeSafetensorsTests {
    @Test(arguments: DType.allCases)
    func safetensorsNameRoundTrips(dtype: DType) {
        #expect(DType(safetensorsName: dtype.safetensorsName) == dtype)
    }

    @Test func safetensorsNamesAreTheFormatsSpellings() {
        #expect(
            Set(DType.allCases.map(\.safetensorsName))
                == ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"])
    }

    @Test(arguments: ["F8_E4M3", "F8_E5M2", "F4", "C64", "f32", "bf16", ""])
    func unsupportedSpellingsGiveNil(name: String) {
        #expect(DType(safetensorsName: name) == nil)
    }

    /// The reference writer (safetensors 0.8.0, checked in fixtures/make_fixtures.py's golden file) orders
    /// tensors by its `Dtype` enum, descending.
    @Test func rankOrderMatchesTheReferenceWriteOrder() {
        let written: [DType] = [
            .uint64, .int64, .float64, .float32, .uint32, .int32, .bfloat16, .float16, .uint16, .int16, .int8, .uint8,
            .bool,
        ]
        #expect(DType.allCases.sorted { $0.safetensorsRank > $1.safetensorsRank } == written)
    }
}
