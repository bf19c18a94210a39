import Codecs
import Formats
import Transforms
import TensorCore

/// The error thrown by the pipeline: its own problems, or another module's error with the file it concerns.
public struct WeightPackError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, named subject + problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The output path names an input file.
        public static let outputIsInput = Code(rawValue: "outputIsInput")
        /// The file's format is not one this command reads or writes.
        public static let unsupportedFormat = Code(rawValue: "unsupportedFormat")
        /// A `.wpk` names a stage this version does not know.
        public static let unknownStage = Code(rawValue: "unknownStage")
        /// An option's value is not valid.
        public static let invalidOption = Code(rawValue: "invalidOption")
        /// A Formats, Codecs, Transforms or TensorCore error; see `underlying`.
        public static let underlying = Code(rawValue: "underlying")
    }

    /// What went wrong.
    public var code: Code
    /// A full sentence.
    public var message: String
    /// The file concerned.
    public var path: String?
    /// The tensor concerned.
    public var tensorName: String?
    /// The other module's error, for code `.underlying`.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String? = nil, tensorName: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.tensorName = tensorName
    }

    /// Wraps another module's error, naming the file it concerns when the error does not already.
    public init(wrapping error: any Error, path: String?, tensorName: String? = nil) {
        if let own = error as? WeightPackError {
            self = own
            return
        }
        code = .underlying
        underlying = error
        self.tensorName = tensorName
        if let formatError = error as? FormatError {
            self.path = formatError.path == nil ? path : nil
            message = formatError.description
            return
        }
        self.path = path
        message = String(describing: error)
    }

    public var description: String {
        var parts: [String] = []
        if let path { parts.append(path) }
        if let tensorName { parts.append("tensor '\(tensorName)'") }
        return parts.isEmpty ? message : parts.joined(separator: ", ") + ": " + message
    }
}
