import Testing

@testable import Formats

/// JSONWriter must write strings exactly as Rust's serde_json does (the safetensors reference).
struct JSONWriterTests {
    private func written(_ text: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("q\"b\\s", #""q\"b\\s""#),
        ("\u{08}\u{0C}\n\r\t", #""\b\f\n\r\t""#),
        ("\u{00}\u{01}\u{1B}\u{1F}", #""\u0000\u0001\u001b\u001f""#),
        ("/ \u{7F} é 🙂 \u{2028}", "\"/ \u{7F} é 🙂 \u{2028}\""),
        ("e\u{301}", "\"e\u{301}\""),
    ])
    func stringsEscapeLikeSerdeJSON(text: String, expected: String) {
        #expect(written(text) == expected)
    }

    @Test func nonASCIIIsWrittenAsItsOwnUTF8Bytes() {
        var out: [UInt8] = []
        JSONWriter.appendString("ñ🙂", to: &out)
        #expect(out == [0x22, 0xC3, 0xB1, 0xF0, 0x9F, 0x99, 0x82, 0x22])
    }

    @Test func appendsToExistingBytes() {
        var out: [UInt8] = Array("{".utf8)
        JSONWriter.appendString("k", to: &out)
        JSONWriter.appendIntegers([1, 2], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"k"[1,2]"#)
    }

    @Test(arguments: [
        ([Int](), "[]"),
        ([0], "[0]"),
        ([4, 3, 2], "[4,3,2]"),
        ([Int.max, -1], "[9223372036854775807,-1]"),
    ])
    func integerListsAreCompact(values: [Int], expected: String) {
        var out: [UInt8] = []
        JSONWriter.appendIntegers(values, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }
}
