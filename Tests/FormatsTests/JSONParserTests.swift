import TestSupport
import Testing

@testable import Formats

struct JSONParserTests {
    private func parse(_ text: String) throws(FormatError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func failure(_ text: String) throws -> FormatError {
        try #require(throws: FormatError.self) { try parse(text) }
    }

    @Test func parsesEveryKindOfValueAndKeepsKeyOrder() throws {
        let value = try parse(#" {"z": [true, false, null], "a": {"n": -12, "x": 0.5e1, "s": "hi"}, "m": []} "#)
        #expect(
            value
                == .object([
                    ("z", .array([.bool(true), .bool(false), .null])),
                    ("a", .object([("n", .integer(-12)), ("x", .number(5)), ("s", .string("hi"))])),
                    ("m", .array([])),
                ]))
        #expect(value != .object([]))
    }

    @Test(arguments: [
        ("0", JSONValue.integer(0)),
        ("-0", .integer(0)),
        ("9223372036854775807", .integer(Int.max)),
        ("-9223372036854775808", .integer(Int.min)),
        ("9223372036854775808", .number(9.223372036854775808e18)),
        ("1.0", .number(1)),
        ("1E2", .number(100)),
        ("-2.5e-3", .number(-0.0025)),
    ])
    func numbersAreIntegersOnlyWithoutFractionOrExponent(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test(arguments: ["01", "1.", ".5", "-", "+1", "1e", "1e+", "--1", "0x10", "NaN", "Infinity"])
    func malformedNumbersAreRejected(text: String) throws {
        #expect(try failure(text).code == .invalidJSON)
    }

    /// Numbers beyond Double's range are rejected, as serde_json does (`Double("1e400")` is +infinity, not nil).
    @Test(arguments: ["1e400", "-1e400", "[1e999]"])
    func numberTooLargeForDoubleIsRejected(text: String) throws {
        let error = try failure(text)
        #expect(error.code == .invalidJSON)
        #expect(error.message.contains("out of range"))
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSONParser.maximumDepth
        #expect(depth == 64)
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try parse(arrays) }
        let objects = String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        #expect(throws: Never.self) { try parse(objects) }
    }

    @Test func nestingBeyondTheLimitIsRejected() throws {
        let depth = JSONParser.maximumDepth + 1
        let error = try failure(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(error.code == .invalidJSON)
        #expect(error.message.contains("nesting deeper than 64"))
        #expect(error.message.contains("byte 64"))
    }

    @Test func hugelyNestedInputIsRejectedWithoutExhaustingTheStack() throws {
        let error = try failure(String(repeating: #"{"k":["#, count: 200_000))
        #expect(error.message.contains("nesting deeper"))
    }

    @Test func simpleEscapesDecode() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t""#) == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
    }

    @Test func unicodeEscapesDecodeIncludingSurrogatePairs() throws {
        #expect(try parse(#""\u00e9\u00E9\u0000\u4e2d""#) == .string("éé\u{0}中"))
        #expect(try parse(#""\ud83d\ude42""#) == .string("🙂"))
        #expect(try parse(#""a\u0301""#) == .string("a\u{301}"))
        #expect(try parse("\"raw é 🙂\"") == .string("raw é 🙂"))
    }

    @Test(arguments: [
        (#""\ud800""#, "lone high surrogate"),
        (#""\ud800x""#, "lone high surrogate"),
        (#""\ud800\n""#, "lone high surrogate"),
        (#""\ud800\u0041""#, "invalid low surrogate"),
        (#""\ud800\ud800""#, "invalid low surrogate"),
        (#""\udc00""#, "lone low surrogate"),
        (#""\udfff\ud800""#, "lone low surrogate"),
    ])
    func loneSurrogatesAreRejected(text: String, fragment: String) throws {
        let error = try failure(text)
        #expect(error.code == .invalidJSON)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test(arguments: [
        (#""\x41""#, "invalid escape '\\x'"),
        (#""\u12g4""#, "four hex digits"),
        (#""\u12""#, "four hex digits"),
        (#""\"#, "unterminated escape"),
        (#""abc"#, "unterminated string"),
        ("\"tab\there\"", "control character 0x9"),
        ("\"nl\nhere\"", "control character 0xa"),
    ])
    func badStringsAreRejected(text: String, fragment: String) throws {
        let error = try failure(text)
        #expect(error.code == .invalidJSON)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test func invalidUTF8InAStringIsAnInvalidHeader() throws {
        let error = try #require(throws: FormatError.self) { try JSONParser.parse([0x22, 0x61, 0xFF, 0x22]) }
        #expect(error.code == .invalidHeader)
        #expect(error.message.contains("UTF-8"))
    }

    @Test func duplicateKeysAreRejectedAndNamed() throws {
        let error = try failure(#"{"a":1,"b":2,"a":3}"#)
        #expect(error.code == .duplicateTensorName)
        #expect(error.message.contains("'a'"))
        #expect(error.message.contains("header byte 13"))
    }

    @Test func duplicateKeysAreRejectedAtAnyDepth() throws {
        let error = try failure(#"{"w":{"dtype":"F32","dtype":"F16"}}"#)
        #expect(error.message.contains("'dtype'"))
        // Keys that differ only by escaping are the same key.
        #expect(try failure(#"{"a":1,"\u0061":2}"#).message.contains("'a'"))
        #expect(try parse(#"{"a":{"a":1}}"#) == .object([("a", .object([("a", .integer(1))]))]))
    }

    @Test(arguments: [
        "", " ", "{} {}", "[1,]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "nul", "[", "{", "\u{FEFF}{}", "'a'",
    ])
    func malformedDocumentsAreRejected(text: String) throws {
        #expect(try failure(text).code == .invalidJSON)
    }

    @Test func errorMessageGivesTheByteOffset() throws {
        #expect(try failure("[1, 2, x]").message.hasPrefix("invalid JSON at header byte 7:"))
    }

    @Test func writerOutputParsesBackToTheSameString() throws {
        var generator = SplitMix64(seed: 11)
        let scalars: [Unicode.Scalar] =
            (0..<0x80).map { Unicode.Scalar(UInt8($0)) } + ["é", "\u{301}", "中", "🙂", "\u{FFFF}"]
        for _ in 0..<500 {
            var text = String.UnicodeScalarView()
            for _ in 0..<generator.int(below: 20) { text.append(scalars.randomElement(using: &generator)!) }
            var out: [UInt8] = []
            JSONWriter.appendString(String(text), to: &out)
            guard case .string(let back) = try JSONParser.parse(out) else {
                Issue.record("not a string")
                continue
            }
            #expect(Array(back.utf8) == Array(String(text).utf8))
        }
    }
}
