/// The error thrown by TensorCore: shape arithmetic, dtype conversion and byte reading.
///
/// A struct with an extensible ``Code`` rather than a bare enum, so that new cases do not break callers,
/// and with enough context (tensor name, byte offset) to point at the problem.
public struct CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, named subject + problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An element count or byte count does not fit in `Int` (64-bit).
        public static let shapeOverflow = Code(rawValue: "shapeOverflow")
        /// A dimension is negative.
        public static let negativeDimension = Code(rawValue: "negativeDimension")
        /// A read ran past the end of a byte buffer.
        public static let unexpectedEnd = Code(rawValue: "unexpectedEnd")
        /// A tensor's byte count does not equal element count × element size.
        public static let byteCountMismatch = Code(rawValue: "byteCountMismatch")
        /// The dtype cannot take part in the requested operation (e.g. a float conversion of an integer tensor).
        public static let unsupportedDType = Code(rawValue: "unsupportedDType")
        /// Two tensors in one collection share a name.
        public static let duplicateTensorName = Code(rawValue: "duplicateTensorName")
    }

    /// What went wrong.
    public var code: Code
    /// A full sentence: what, where, expected against actual.
    public var message: String
    /// The tensor concerned, when there is one.
    public var tensorName: String?
    /// The byte offset concerned, when there is one.
    public var byteOffset: Int?

    /// Creates an error; `message` should say what was expected and what was found.
    public init(_ code: Code, _ message: String, tensorName: String? = nil, byteOffset: Int? = nil) {
        self.code = code
        self.message = message
        self.tensorName = tensorName
        self.byteOffset = byteOffset
    }

    public var description: String {
        var prefix = ""
        if let tensorName { prefix += "tensor '\(tensorName)': " }
        if let byteOffset { prefix += "at byte \(byteOffset): " }
        return prefix + message
    }
}
