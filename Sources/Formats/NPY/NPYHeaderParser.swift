import TensorCore

/// A strict parser of the Python literal subset numpy writes as the `.npy` header (see ``PythonLiteral``).
///
/// numpy reads the header with `ast.literal_eval`; this parser accepts the part of that language numpy
/// writes and nothing that could be expensive or ambiguous: no escapes, no implicit string concatenation,
/// no floats, no expressions, no comments, duplicate dict keys refused, nesting at most
/// ``maximumDepth`` deep. Whitespace (space, tab, `\n`, `\r`, form feed) may separate tokens, as in Python.
/// Versions 1.0 and 2.0 also accept the `L` suffix Python 2 wrote after long integers (`(3L,)`), as numpy's
/// `_filter_header` does.
///
/// Every error is `FormatError.Code.invalidHeader` with the absolute byte offset of the offending byte,
/// except an integer that does not fit in 64 bits, which is `FormatError.Code.shapeOverflow`.
/// - Complexity: O(n) time in the header length; recursion depth at most ``maximumDepth``.
struct NPYHeaderParser {
    /// How the header's string literals are decoded: Latin-1 (versions 1.0 and 2.0) or UTF-8 (3.0).
    enum Encoding {
        case latin1, utf8
    }

    /// The deepest nesting of dicts, lists and tuples accepted (numpy writes depth 2: a tuple in a dict).
    static let maximumDepth = 16

    private let bytes: [UInt8]
    private let baseOffset: Int
    private let encoding: Encoding
    private let allowsLongSuffix: Bool
    private var position = 0

    /// Parses `bytes` (the header, from `{` through the padding) as one literal followed only by whitespace.
    /// - Parameters:
    ///   - baseOffset: the file offset of `bytes[0]`, so that errors carry absolute offsets.
    ///   - encoding: Latin-1 for versions 1.0 and 2.0, UTF-8 (already validated) for 3.0.
    ///   - allowsLongSuffix: accept Python 2's `L` after integers (versions 1.0 and 2.0).
    /// - Throws: `FormatError.Code.invalidHeader` or `.shapeOverflow`, with the offset of the problem.
    static func parse(_ bytes: [UInt8], baseOffset: Int, encoding: Encoding, allowsLongSuffix: Bool)
        throws(FormatError) -> PythonLiteral
    {
        var parser = NPYHeaderParser(
            bytes: bytes, baseOffset: baseOffset, encoding: encoding, allowsLongSuffix: allowsLongSuffix)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 1)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.failure("\(parser.describeCurrent()) after the header's value; only spaces may follow it")
        }
        return value
    }

    private init(bytes: [UInt8], baseOffset: Int, encoding: Encoding, allowsLongSuffix: Bool) {
        self.bytes = bytes
        self.baseOffset = baseOffset
        self.encoding = encoding
        self.allowsLongSuffix = allowsLongSuffix
    }

    // MARK: values

    private mutating func parseValue(depth: Int) throws(FormatError) -> PythonLiteral {
        guard depth <= Self.maximumDepth else {
            throw failure("the header nests deeper than \(Self.maximumDepth) levels")
        }
        guard let byte = current else { throw failure("the header ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return try parseDict(depth: depth)
        case UInt8(ascii: "["): return try parseList(depth: depth)
        case UInt8(ascii: "("): return try parseParenthesis(depth: depth)
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseInteger()
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
            return try parseName()
        default: throw failure("\(describeCurrent()) where a value was expected")
        }
    }

    private mutating func parseDict(depth: Int) throws(FormatError) -> PythonLiteral {
        let start = absolute(position)
        position += 1
        var items: [PythonLiteral.Item] = []
        try parseSequence(closing: UInt8(ascii: "}"), what: "dict") { parser throws(FormatError) in
            let key = try parser.parseValue(depth: depth + 1)
            guard case .string(let name) = key.value else {
                throw FormatError(
                    .invalidHeader, "header dict keys must be strings; found \(key.typeName) \(key.shortRepr)",
                    byteOffset: key.offset)
            }
            guard !items.contains(where: { $0.key == name }) else {
                throw FormatError(.invalidHeader, "header dict has the key '\(name)' twice", byteOffset: key.offset)
            }
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: ":") else {
                throw parser.failure("expected ':' after the key '\(name)', found \(parser.describeCurrent())")
            }
            parser.position += 1
            parser.skipWhitespace()
            items.append(.init(key: name, keyOffset: key.offset, value: try parser.parseValue(depth: depth + 1)))
        }
        return PythonLiteral(value: .dict(items), offset: start)
    }

    private mutating func parseList(depth: Int) throws(FormatError) -> PythonLiteral {
        let start = absolute(position)
        position += 1
        var elements: [PythonLiteral] = []
        try parseSequence(closing: UInt8(ascii: "]"), what: "list") { parser throws(FormatError) in
            elements.append(try parser.parseValue(depth: depth + 1))
        }
        return PythonLiteral(value: .list(elements), offset: start)
    }

    /// `()` and `(a,)` and `(a, b)` are tuples; `(a)` is just `a`, as in Python.
    private mutating func parseParenthesis(depth: Int) throws(FormatError) -> PythonLiteral {
        let start = absolute(position)
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: ")") {
            position += 1
            return PythonLiteral(value: .tuple([]), offset: start)
        }
        let first = try parseValue(depth: depth + 1)
        skipWhitespace()
        if current == UInt8(ascii: ")") {
            position += 1
            return first
        }
        guard current == UInt8(ascii: ",") else {
            throw failure("expected ',' or ')' in a tuple, found \(describeCurrent())")
        }
        position += 1
        var elements = [first]
        try parseSequence(closing: UInt8(ascii: ")"), what: "tuple") { parser throws(FormatError) in
            elements.append(try parser.parseValue(depth: depth + 1))
        }
        return PythonLiteral(value: .tuple(elements), offset: start)
    }

    /// Parses `element (, element)* [,]` up to and including `closing`; the opening bracket is consumed.
    private mutating func parseSequence(
        closing: UInt8, what: String, element: (inout NPYHeaderParser) throws(FormatError) -> Void
    ) throws(FormatError) {
        while true {
            skipWhitespace()
            if current == closing {
                position += 1
                return
            }
            try element(&self)
            skipWhitespace()
            if current == closing {
                position += 1
                return
            }
            guard current == UInt8(ascii: ",") else {
                throw failure(
                    "expected ',' or '\(Character(Unicode.Scalar(closing)))' in a \(what), found \(describeCurrent())")
            }
            position += 1
        }
    }

    // MARK: scalars

    private mutating func parseString() throws(FormatError) -> PythonLiteral {
        let quote = bytes[position]
        let start = position
        position += 1
        while let byte = current, byte != quote {
            if byte == UInt8(ascii: "\\") {
                throw failure("escape sequences in strings are not supported")
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            position += 1
        }
        guard current == quote else {
            throw FormatError(.invalidHeader, "string is not closed on its line", byteOffset: absolute(start))
        }
        let content = bytes[(start + 1)..<position]
        position += 1
        let text: String =
            switch encoding {
            case .latin1: String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
            case .utf8: String(decoding: content, as: UTF8.self)
            }
        return PythonLiteral(value: .string(text), offset: absolute(start))
    }

    private mutating func parseInteger() throws(FormatError) -> PythonLiteral {
        let start = position
        var negative = false
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") {
            negative = current == UInt8(ascii: "-")
            position += 1
        }
        let digitsStart = position
        while let byte = current, isDigit(byte) { position += 1 }
        let digits = bytes[digitsStart..<position]
        guard !digits.isEmpty else { throw failure("expected digits after the sign, found \(describeCurrent())") }
        if digits.count > 1, digits.first == UInt8(ascii: "0"), digits.contains(where: { $0 != UInt8(ascii: "0") }) {
            throw FormatError(
                .invalidHeader, "integers with leading zeros are not valid Python", byteOffset: absolute(start))
        }
        if allowsLongSuffix, current == UInt8(ascii: "L") { position += 1 }
        if let byte = current, isNameCharacter(byte) || byte == UInt8(ascii: ".") {
            throw failure("only decimal integers are supported; found \(describeCurrent()) in a number")
        }
        var value = 0
        for digit in digits {
            let (scaled, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = scaled.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else {
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                throw FormatError(
                    .shapeOverflow, "integer \(text) does not fit in a 64-bit signed integer",
                    byteOffset: absolute(start))
            }
            value = sum
        }
        return PythonLiteral(value: .integer(negative ? -value : value), offset: absolute(start))
    }

    private mutating func parseName() throws(FormatError) -> PythonLiteral {
        let start = position
        while let byte = current, isNameCharacter(byte) { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        let value: PythonLiteral.Value
        switch name {
        case "True": value = .bool(true)
        case "False": value = .bool(false)
        case "None": value = .none
        default:
            throw FormatError(
                .invalidHeader, "unexpected name '\(name)'; only True, False and None are literals",
                byteOffset: absolute(start))
        }
        return PythonLiteral(value: value, offset: absolute(start))
    }

    // MARK: bytes

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func absolute(_ index: Int) -> Int { baseOffset + index }

    private mutating func skipWhitespace() {
        while let byte = current, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(byte) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private func isNameCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
    }

    /// `'x'` for printable ASCII, `byte 0xNN` otherwise, `the end of the header` past the end.
    private func describeCurrent() -> String {
        guard let byte = current else { return "the end of the header" }
        if (0x21...0x7E).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private func failure(_ message: String) -> FormatError {
        FormatError(.invalidHeader, "header dict: " + message, byteOffset: absolute(position))
    }
}
