import TensorCore

/// The error thrown by every reader and writer in Formats.
///
/// Carries the file, the tensor and the byte offset where they are known, so that a message reads
/// `model.safetensors: tensor 'w': data_offsets [0, 16] cover 16 bytes; f32 × [2, 4] needs 32`.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, named subject + problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file is shorter than its fixed-size header.
        public static let fileTooSmall = Code(rawValue: "fileTooSmall")
        /// A header length field exceeds the format's cap.
        public static let headerTooLarge = Code(rawValue: "headerTooLarge")
        /// A header length field points past the end of the file.
        public static let headerPastEnd = Code(rawValue: "headerPastEnd")
        /// The header is not valid UTF-8, or does not start as the format requires.
        public static let invalidHeader = Code(rawValue: "invalidHeader")
        /// The header is not valid JSON, or JSON of the wrong shape.
        public static let invalidJSON = Code(rawValue: "invalidJSON")
        /// The metadata is not a map of strings to strings.
        public static let invalidMetadata = Code(rawValue: "invalidMetadata")
        /// A tensor entry lacks a field or has one of the wrong type.
        public static let invalidTensorInfo = Code(rawValue: "invalidTensorInfo")
        /// A dtype spelling is not one this reader knows.
        public static let unknownDType = Code(rawValue: "unknownDType")
        /// Two tensors share a name.
        public static let duplicateTensorName = Code(rawValue: "duplicateTensorName")
        /// A tensor's byte range ends past the data section, or begins after it ends.
        public static let offsetsOutOfBounds = Code(rawValue: "offsetsOutOfBounds")
        /// Two tensors' byte ranges overlap.
        public static let offsetsOverlap = Code(rawValue: "offsetsOverlap")
        /// Bytes between or after the tensors belong to no tensor.
        public static let offsetsLeaveHole = Code(rawValue: "offsetsLeaveHole")
        /// A tensor's byte length differs from element count × element size.
        public static let byteCountMismatch = Code(rawValue: "byteCountMismatch")
        /// Element count or byte count overflows a 64-bit integer.
        public static let shapeOverflow = Code(rawValue: "shapeOverflow")
        /// The magic bytes do not identify the expected format.
        public static let badMagic = Code(rawValue: "badMagic")
        /// The file's major version is not one this reader knows.
        public static let unsupportedVersion = Code(rawValue: "unsupportedVersion")
        /// Stored bytes do not match their recorded checksum.
        public static let checksumMismatch = Code(rawValue: "checksumMismatch")
        /// The file or the index is inconsistent in a way not covered above.
        public static let corruptIndex = Code(rawValue: "corruptIndex")
        /// A read, write, rename or removal failed at the operating-system level.
        public static let ioFailure = Code(rawValue: "ioFailure")
        /// The file's format could not be told from its name or content.
        public static let unknownFormat = Code(rawValue: "unknownFormat")
        /// Metadata arrays nest deeper than the reader allows.
        public static let nestingTooDeep = Code(rawValue: "nestingTooDeep")
        /// A tensor's data offset is not a multiple of the file's alignment.
        public static let offsetMisaligned = Code(rawValue: "offsetMisaligned")
        /// The format can spell the dtype but WeightPack cannot hold it there (NPY objects, strings,
        /// structured or complex arrays; bfloat16, which NPY cannot spell).
        public static let unsupportedDType = Code(rawValue: "unsupportedDType")
        /// An archive member is not one this reader handles (an NPZ member that is not an `.npy` array,
        /// an encrypted member, an unknown compression method).
        public static let unsupportedMember = Code(rawValue: "unsupportedMember")
        /// A declared size exceeds the limit the caller set (an NPZ member larger than the reader allows).
        public static let sizeLimitExceeded = Code(rawValue: "sizeLimitExceeded")
        /// Compressed bytes do not inflate to what their header declares.
        public static let corruptCompressedData = Code(rawValue: "corruptCompressedData")
    }

    /// What went wrong.
    public var code: Code
    /// A full sentence: what, where, expected against actual.
    public var message: String
    /// The file concerned, as the user named it.
    public var path: String?
    /// The tensor concerned.
    public var tensorName: String?
    /// The absolute byte offset in the file, where known.
    public var byteOffset: Int?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, path: String? = nil, tensorName: String? = nil, byteOffset: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.tensorName = tensorName
        self.byteOffset = byteOffset
    }

    /// Wraps a TensorCore error, keeping its tensor and offset.
    public init(_ error: CoreError, path: String? = nil, tensorName: String? = nil) {
        let code: Code =
            switch error.code {
            case .shapeOverflow, .negativeDimension: .shapeOverflow
            case .byteCountMismatch: .byteCountMismatch
            case .duplicateTensorName: .duplicateTensorName
            default: .invalidHeader
            }
        self.init(
            code, error.message, path: path, tensorName: tensorName ?? error.tensorName, byteOffset: error.byteOffset)
    }

    /// Returns a copy with `path` set when it was not already.
    public func at(path newPath: String) -> FormatError {
        var copy = self
        if copy.path == nil { copy.path = newPath }
        return copy
    }

    public var description: String {
        var parts: [String] = []
        if let path { parts.append(path) }
        if let tensorName { parts.append("tensor '\(tensorName)'") }
        if let byteOffset { parts.append("byte \(byteOffset)") }
        return parts.isEmpty ? message : parts.joined(separator: ", ") + ": " + message
    }
}
