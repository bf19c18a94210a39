import Codecs
import Testing

@Suite("CodecError")
struct CodecErrorTests {
    @Test func descriptionPrefixesCodecName() {
        let error = CodecError(.corruptInput, "the frame is truncated", codecName: "zstd")
        #expect(error.description == "zstd: the frame is truncated")
        #expect(CodecError(.sizeMismatch, "no codec").description == "no codec")
    }

    @Test func codesCompareByRawValue() {
        #expect(CodecError.Code(rawValue: "corruptInput") == .corruptInput)
        #expect(CodecError.Code.invalidLevel != .invalidParameter)
        #expect(CodecError.Code.inputTooLarge.description == "inputTooLarge")
    }
}
