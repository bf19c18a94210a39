import TensorCore
import Testing

@testable import Formats

/// Metadata values and type tags: exact equality, accessors, listings; GGML type lookups.
struct GGUFValueTests {
    @Test func floatsCompareByBitPattern() {
        #expect(GGUFValue.float32(.nan) == .float32(.nan))
        #expect(GGUFValue.float32(0) != .float32(-0.0))
        #expect(GGUFValue.float64(-0.0) != .float64(0))
        #expect(GGUFValue.float32(1) != .float64(1))
    }

    @Test func stringsCompareByUTF8Bytes() {
        #expect(GGUFValue.string("\u{E9}") != .string("e\u{301}"))
        #expect(GGUFValue.string("é") == .string("é"))
    }

    @Test func arraysCompareTheirElementType() {
        #expect(GGUFValue.array(elementType: .int32, []) != .array(elementType: .string, []))
        #expect(GGUFValue.array(elementType: 5, [.int32(1)]) == .array(elementType: .int32, [.int32(1)]))
    }

    @Test func integerValueConvertsEveryIntegerTypeThatFits() {
        #expect(GGUFValue.uint8(200).integerValue == 200)
        #expect(GGUFValue.int64(-5).integerValue == -5)
        #expect(GGUFValue.uint64(.max).integerValue == nil)
        #expect(GGUFValue.float32(1).integerValue == nil)
        #expect(GGUFValue.string("x").stringValue == "x")
        #expect(GGUFValue.bool(true).arrayElements == nil)
    }

    @Test func arrayDepthCountsNesting() {
        let inner = GGUFValue.array(elementType: .uint8, [.uint8(1)])
        #expect(GGUFValue.uint8(1).arrayDepth == 0)
        #expect(inner.arrayDepth == 1)
        #expect(GGUFValue.array(elementType: .array, [inner, .array(elementType: .array, [inner])]).arrayDepth == 3)
    }

    @Test func descriptionListsShortArraysAndSummarizesLongOnes() {
        #expect(GGUFValue.string("llama").description == "\"llama\"")
        #expect(GGUFValue.array(elementType: .int32, [.int32(1), .int32(2)]).description == "[1, 2]")
        let tokens = GGUFValue.array(elementType: .string, (0..<10).map { .string("t\($0)") })
        #expect(tokens.description.hasSuffix(", … 10 × string]"))
        #expect(tokens.description.hasPrefix("[\"t0\", \"t1\""))
    }

    @Test func valueTypeNamesFollowTheSpec() {
        #expect(
            (0..<13).map { GGUFValueType(rawValue: $0).name }.joined(separator: " ")
                == "uint8 int8 uint16 int16 uint32 int32 float32 bool string array uint64 int64 float64")
        #expect(GGUFValueType(rawValue: 13).name == "type 13")
        #expect(GGUFValueType.string.minimumByteCount == 8)
        #expect(GGUFValueType.array.minimumByteCount == 12)
        #expect(GGUFValueType(rawValue: 13).minimumByteCount == nil)
    }

    @Test func plainGGMLTypesMapToDTypes() {
        let pairs: [(GGMLType, DType)] = [
            (.f32, .float32), (.f16, .float16), (.bf16, .bfloat16), (.f64, .float64), (.i8, .int8), (.i16, .int16),
            (.i32, .int32), (.i64, .int64),
        ]
        for (type, dtype) in pairs {
            #expect(type.dtype == dtype)
            #expect(GGMLType(dtype: dtype) == type)
        }
        #expect(GGMLType.q8_0.dtype == nil)
        #expect(GGMLType(dtype: .uint8) == nil)
        #expect(GGMLType(dtype: .bool) == nil)
    }

    @Test func typesAreFoundByNameInAnyCase() {
        #expect(GGMLType(name: "q4_k") == .q4_k)
        #expect(GGMLType(name: "BF16") == .bf16)
        #expect(GGMLType(name: "Q4_2") == nil)
        #expect(GGMLType.q8_0.byteCount(elementCount: 64) == 68)
        #expect(GGMLType.q8_0.byteCount(elementCount: 48) == nil)
        #expect(GGMLType.f32.byteCount(elementCount: Int.max) == nil)
    }
}
