import Foundation
import TensorCore

/// Lossless byte planes of a tensor's raw elements, so an entropy coder sees each byte position on its own.
///
/// An element of `w` bytes becomes `w` planes of `elementCount` bytes: plane `k` holds byte `k` (little-endian
/// order, so plane 0 is the least significant) of every element. For floating-point dtypes the bit pattern is
/// first rotated left by one bit (as ZipNN does: Hershcovitch et al., "ZipNN: Lossless Compression for AI
/// Models", 2024), which moves the sign to the lowest bit and makes the top byte the exponent's high bits:
///
/// | dtype | top plane after rotation | lowest plane after rotation |
/// |---|---|---|
/// | f32, bf16 | the 8 exponent bits | 7 mantissa bits, then the sign in bit 0 |
/// | f16 | the 5 exponent bits (high) and the 3 top mantissa bits (low) | 7 mantissa bits, then the sign |
/// | f64 | the 8 high exponent bits | 7 mantissa bits, then the sign |
///
/// For f16 this keeps exponent and top mantissa bits in one plane (their joint distribution is what a coder
/// sees) and the sign among the noisy low mantissa bits. Integer and bool dtypes are not rotated.
///
/// Stage `shuffle`. Sections: `w` of kind `.bytes(symbolWidth: 1)`, plane 0 first, `elementCount` bytes each.
/// Parameters: `dtype` (WeightPack's dtype name, e.g. `f32`) and `rotation` (`1` for rotated float bit
/// patterns, `0` otherwise). Every bit pattern (NaN payloads, −0, subnormals, infinities) round-trips exactly.
public struct ByteShuffle: Sendable {
    /// The stage identifier recorded in the container.
    public static let stageName = "shuffle"

    /// Creates the stage; it has no settings.
    public init() {}

    /// Splits `bytes`, the little-endian elements of `dtype`, into byte planes.
    /// - Parameters:
    ///   - bytes: `elementCount × dtype.byteWidth` bytes.
    ///   - dtype: the elements' type; floating-point types are rotated (see ``ByteShuffle``).
    ///   - tensorName: for error messages.
    ///   - release: called with consecutive byte ranges of `bytes` once they have been split, in steps of 16 MiB,
    ///     so that a caller streaming a memory-mapped file can drop those pages while the split goes on.
    /// - Returns: `dtype.byteWidth` sections of kind `.bytes(symbolWidth: 1)`, and the parameters.
    /// - Throws: `TransformError.Code.corruptPayload` when `bytes.count` is not a multiple of the element width.
    /// - Complexity: O(n), one pass; deterministic. Memory: the planes (as many bytes as the input), nothing more.
    public func encode(
        _ bytes: Data, dtype: DType, tensorName: String, releasing release: ((Range<Int>) -> Void)? = nil
    ) throws(TransformError) -> TransformOutput {
        let width = dtype.byteWidth
        guard bytes.count % width == 0 else {
            throw TransformError(
                .corruptPayload, "\(bytes.count) bytes are not a whole number of \(width)-byte \(dtype.name) elements",
                tensorName: tensorName)
        }
        let count = bytes.count / width
        let rotation = Self.rotation(for: dtype)
        let planes = Self.planes(of: bytes, width: width, count: count, rotate: rotation == 1, releasing: release)
        return TransformOutput(
            sections: planes.map { PayloadSection(kind: .bytes(symbolWidth: 1), bytes: $0) },
            parameters: ["dtype": dtype.name, "rotation": String(rotation)])
    }

    /// The kinds of the sections for `elementCount` elements of `dtype`: `dtype.byteWidth` byte planes.
    /// - Throws: `TransformError.Code.invalidParameter` when the recorded `dtype` differs from `dtype` or
    ///   `rotation` is not `0` or `1` (`0` for one-byte dtypes).
    public static func outputKinds(parameters: [String: String], dtype: DType, elementCount: Int)
        throws(TransformError) -> [PayloadSection.Kind]
    {
        _ = try checkedRotation(parameters, dtype: dtype, tensorName: nil)
        return [PayloadSection.Kind](repeating: .bytes(symbolWidth: 1), count: dtype.byteWidth)
    }

    /// Reassembles the elements from their byte planes.
    /// - Parameters:
    ///   - sections: the `dtype.byteWidth` planes `encode` produced, plane 0 first.
    ///   - parameters: `dtype` and `rotation`, as `encode` recorded them.
    ///   - dtype: the elements' type.
    ///   - elementCount: the number of elements.
    ///   - tensorName: for error messages.
    /// - Returns: `elementCount × dtype.byteWidth` bytes, bit-identical to the encoded input.
    /// - Throws: `TransformError.Code.invalidParameter` for parameters that disagree with `dtype`;
    ///   `.corruptPayload` when the section count, a kind or a length differs from what the parameters give.
    /// - Complexity: O(n), one pass.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], dtype: DType, elementCount: Int,
        tensorName: String
    ) throws(TransformError) -> Data {
        let rotation = try checkedRotation(parameters, dtype: dtype, tensorName: tensorName)
        let width = dtype.byteWidth
        guard sections.count == width else {
            throw TransformError(
                .corruptPayload, "shuffle of \(dtype.name) needs \(width) byte planes; found \(sections.count)",
                tensorName: tensorName)
        }
        for (index, section) in sections.enumerated() {
            guard section.kind == .bytes(symbolWidth: 1), section.bytes.count == elementCount else {
                throw TransformError(
                    .corruptPayload,
                    "byte plane \(index) should be \(elementCount) bytes of width 1; found \(section.bytes.count) bytes of \(section.kind)",
                    tensorName: tensorName)
            }
        }
        var output = Data(count: elementCount * width)
        output.withUnsafeMutableBytes { target in
            withPlanes(sections.map(\.bytes)) { planes in
                merge(planes, into: target, width: width, count: elementCount, rotate: rotation == 1)
            }
        }
        return output
    }

    /// `1` for floating-point dtypes, `0` otherwise.
    static func rotation(for dtype: DType) -> Int { dtype.isFloatingPoint ? 1 : 0 }

    /// The recorded rotation, checked against `dtype`.
    private static func checkedRotation(_ parameters: [String: String], dtype: DType, tensorName: String?)
        throws(TransformError) -> Int
    {
        guard parameters["dtype"] == dtype.name else {
            throw TransformError(
                .invalidParameter,
                "stage 'shuffle' recorded dtype \(parameters["dtype"].map { "'\($0)'" } ?? "none"); the tensor is \(dtype.name)",
                tensorName: tensorName)
        }
        let rotation = try parameters.integer(
            "rotation", in: 0...(dtype.byteWidth > 1 ? 1 : 0), stage: stageName, tensorName: tensorName)
        return rotation
    }
}
