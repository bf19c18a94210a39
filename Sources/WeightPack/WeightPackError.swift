import Codecs
import Formats
import TensorCore
import Transforms

/// The error thrown by the pipeline: its own problems, or another module's error with the file it concerns.
public struct WeightPackError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, named subject + problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The output path names an input file, a folder, or nothing.
        public static let outputIsInput = Code(rawValue: "outputIsInput")
        /// The output path cannot be written as asked (a folder, an empty path, a wrong extension).
        public static let invalidOutput = Code(rawValue: "invalidOutput")
        /// The file's format is not one this command reads or writes.
        public static let unsupportedFormat = Code(rawValue: "unsupportedFormat")
        /// A `.wpk` names a stage this version does not know, or stages in an order it cannot decode.
        public static let unknownStage = Code(rawValue: "unknownStage")
        /// A recorded stage's parameters disagree with the tensor (a damaged or hand-edited index).
        public static let invalidStageParameters = Code(rawValue: "invalidStageParameters")
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
    /// The byte offset in `path` concerned, where known.
    public var byteOffset: Int?
    /// The other module's error, for code `.underlying`.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String? = nil, tensorName: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.tensorName = tensorName
    }

    /// Wraps another module's error, keeping its own file, tensor and offset and filling in `path` and
    /// `tensorName` where it has none. A `WeightPackError` is kept as it is, with the same filling in.
    public init(wrapping error: any Error, path: String?, tensorName: String? = nil) {
        if var own = error as? WeightPackError {
            if own.path == nil { own.path = path }
            if own.tensorName == nil { own.tensorName = tensorName }
            self = own
            return
        }
        code = .underlying
        underlying = error
        self.path = path
        self.tensorName = tensorName
        switch error {
        case let formatError as FormatError:
            message = formatError.message
            self.path = formatError.path ?? path
            self.tensorName = formatError.tensorName ?? tensorName
            byteOffset = formatError.byteOffset
        case let transformError as TransformError:
            message = transformError.message
            self.tensorName = transformError.tensorName ?? tensorName
        case let coreError as CoreError:
            message = coreError.message
            self.tensorName = coreError.tensorName ?? tensorName
            byteOffset = coreError.byteOffset
        default:
            message = String(describing: error)
        }
    }

    /// `path, tensor 'name', byte N: message`, leaving out what is unknown.
    public var description: String {
        var parts: [String] = []
        if let path { parts.append(TextTable.escapingControlCharacters(path)) }
        if let tensorName { parts.append("tensor '\(TextTable.escapingControlCharacters(tensorName))'") }
        if let byteOffset { parts.append("byte \(byteOffset)") }
        let text = parts.isEmpty ? message : parts.joined(separator: ", ") + ": " + message
        return TextTable.escapingControlCharacters(text)
    }
}
