import TensorCore

/// The checks every value transform makes on its input before encoding.
enum ValueCheck {
    /// Checks that `values` holds `count` elements (the shape's) and that all are finite.
    /// - Parameters:
    ///   - stage: the stage's recipe text, for messages.
    /// - Throws: `TransformError.Code.invalidParameter` when the count differs from the shape's;
    ///   `.nonFiniteValues` naming the tensor and how many elements are NaN or infinite.
    static func require(
        _ values: [Float], count: Int, shape: Shape, stage: String, tensorName: String
    ) throws(TransformError) {
        guard values.count == count else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stage)' was given \(values.count) values for shape \(shape) of \(count) elements",
                tensorName: tensorName)
        }
        let nonFinite = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        guard nonFinite == 0 else {
            throw TransformError(
                .nonFiniteValues,
                "\(nonFinite) of \(values.count) elements are NaN or infinite as Float32; stage '\(stage)' cannot represent them",
                tensorName: tensorName)
        }
    }
}
