/// The error thrown by every transform stage.
public struct TransformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, named subject + problem.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The tensor holds NaN or infinity, which a lossy stage cannot represent.
        public static let nonFiniteValues = Code(rawValue: "nonFiniteValues")
        /// A stage parameter is missing or out of range.
        public static let invalidParameter = Code(rawValue: "invalidParameter")
        /// Encoded bytes are too short, too long or inconsistent with the parameters.
        public static let corruptPayload = Code(rawValue: "corruptPayload")
        /// The element count is not a multiple of the format's block size.
        public static let blockSizeNotDivisor = Code(rawValue: "blockSizeNotDivisor")
        /// The element encoding (e.g. a GGML type) is not one this transform can decode or encode.
        public static let unsupportedFormat = Code(rawValue: "unsupportedFormat")
        /// The transform applies but would not make the tensor smaller (e.g. a low-rank split whose factors hold
        /// as many elements as the tensor); the message gives the sizes compared.
        public static let notBeneficial = Code(rawValue: "notBeneficial")
        /// A numerical library routine (LAPACK, BLAS) failed, e.g. an SVD that did not converge; the message
        /// names the routine and its status.
        public static let numericalFailure = Code(rawValue: "numericalFailure")
    }

    /// What went wrong.
    public var code: Code
    /// A full sentence: what, expected against actual.
    public var message: String
    /// The tensor concerned.
    public var tensorName: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, tensorName: String? = nil) {
        self.code = code
        self.message = message
        self.tensorName = tensorName
    }

    public var description: String {
        if let tensorName { return "tensor '\(tensorName)': \(message)" }
        return message
    }
}
