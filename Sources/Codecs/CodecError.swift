/// The error thrown by the Codecs module: invalid codec settings, compression failures and payloads that do not decode.
///
/// A struct with an extensible ``Code`` rather than a bare enum, so that new cases do not break callers,
/// with the codec's stage name as context. Shaped like TensorCore's `CoreError`.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, named subject + problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A compression level lies outside the range the library supports, or is not an integer.
        public static let invalidLevel = Code(rawValue: "invalidLevel")
        /// A codec parameter other than the level is unknown or out of range (e.g. a negative worker count).
        public static let invalidParameter = Code(rawValue: "invalidParameter")
        /// The C library failed for a reason other than the input's content (e.g. it could not allocate a context).
        public static let compressionFailed = Code(rawValue: "compressionFailed")
        /// A payload is not a well-formed frame: bad magic, corrupt or truncated data, or bytes after the frame.
        public static let corruptInput = Code(rawValue: "corruptInput")
        /// A payload decodes, or claims to decode, to a byte count other than the one expected.
        public static let sizeMismatch = Code(rawValue: "sizeMismatch")
        /// An input is larger than the codec can compress in one frame.
        public static let inputTooLarge = Code(rawValue: "inputTooLarge")
    }

    /// What went wrong.
    public var code: Code
    /// A full sentence: what, where, expected against actual.
    public var message: String
    /// The stage name of the codec concerned (`"zstd"`, `"lz4"`), when there is one.
    public var codecName: String?

    /// Creates an error; `message` should say what was expected and what was found.
    public init(_ code: Code, _ message: String, codecName: String? = nil) {
        self.code = code
        self.message = message
        self.codecName = codecName
    }

    /// The message, prefixed with the codec's name when there is one, e.g. `zstd: payload ends …`.
    public var description: String {
        guard let codecName else { return message }
        return "\(codecName): \(message)"
    }
}
