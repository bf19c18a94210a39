import Testing

@testable import TensorCore

struct CoreErrorTests {
    @Test func descriptionPrefixesTensorAndOffset() {
        #expect(CoreError(.unexpectedEnd, "need 4 bytes, 1 left").description == "need 4 bytes, 1 left")
        #expect(
            CoreError(.unexpectedEnd, "need 4 bytes, 1 left", tensorName: "w", byteOffset: 12).description
                == "tensor 'w': at byte 12: need 4 bytes, 1 left")
    }

    @Test func codesCompareByRawValueAndPrintIt() {
        #expect(CoreError.Code.shapeOverflow == CoreError.Code(rawValue: "shapeOverflow"))
        #expect(CoreError.Code.shapeOverflow != .negativeDimension)
        #expect(CoreError.Code.byteCountMismatch.description == "byteCountMismatch")
        let codes: [CoreError.Code] = [
            .shapeOverflow, .negativeDimension, .unexpectedEnd, .byteCountMismatch, .unsupportedDType,
            .duplicateTensorName,
        ]
        #expect(Set(codes).count == codes.count)
    }
}
