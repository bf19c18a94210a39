import Foundation
import TensorCore

/// GGML block quantization as a value stage: the `ggml` stage, wrapping ``GGMLBlockQuantizer`` and
/// ``GGMLBlockDequantizer`` (bit-identical to gguf-py's `quantize` and `dequantize`).
///
/// Blocks are 32 consecutive row-major elements, as GGUF stores them along `ne[0]`, the last dimension, which
/// must therefore be a multiple of 32 (so no block straddles two rows and the blocks can be written to a GGUF
/// file unchanged). Block layouts and arithmetic: ``GGMLBlockFormat``.
///
/// Recipe: `ggml:TYPE` with `TYPE` = `q8_0` | `q4_0` | `q4_1` | `q5_0` | `q5_1` (either case).
///
/// Sections: one `.bytes(symbolWidth: 1)` holding `n / 32` blocks of `TYPE`'s size (34, 18, 20, 22 or 24
/// bytes), in element order. Parameters: `type` (the lowercase type name).
public struct GGMLBlockTransform: ValueTransform {
    /// The stage identifier recorded in the container.
    public static let stageName = "ggml"

    /// The block format.
    public var format: GGMLBlockFormat

    /// Creates the transform.
    public init(format: GGMLBlockFormat) { self.format = format }

    /// Parses `[TYPE]`.
    /// - Throws: `TransformError.Code.invalidParameter` unless there is exactly one argument naming a supported
    ///   type.
    public init(recipeArguments: [String]) throws(TransformError) {
        guard recipeArguments.count == 1, let format = GGMLBlockFormat(ggmlTypeName: recipeArguments[0]) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(Self.stageName)' takes one GGML type, one of \(Self.typeList); found \(recipeArguments.isEmpty ? "none" : "'\(recipeArguments.joined(separator: ":"))'")"
            )
        }
        self.format = format
    }

    private static var typeList: String { GGMLBlockFormat.allCases.map(\.rawValue).joined(separator: ", ") }

    /// `ggml:q4_0` and the like.
    public var recipeText: String { "\(Self.stageName):\(format.rawValue)" }

    /// Checks that the last dimension of `shape` is a multiple of 32.
    /// - Throws: `TransformError.Code.blockSizeNotDivisor` naming the tensor, the stage and the row length, for
    ///   a scalar or a last dimension that is not a multiple of 32.
    public func validate(shape: Shape, tensorName: String) throws(TransformError) {
        try Self.checkRowLength(shape: shape, stage: recipeText, tensorName: tensorName)
    }

    private static func checkRowLength(shape: Shape, stage: String, tensorName: String) throws(TransformError) {
        let rowLength = shape.dimensions.last ?? 1
        guard rowLength % 32 == 0 else {
            throw TransformError(
                .blockSizeNotDivisor,
                "stage '\(stage)': the row length (last dimension) \(rowLength) of shape \(shape) is not a multiple of the GGML block size 32",
                tensorName: tensorName)
        }
    }

    /// Quantizes `values` to blocks.
    /// - Throws: as ``validate(shape:tensorName:)``; `TransformError.Code.nonFiniteValues` with the count of NaN
    ///   and infinite elements; `.invalidParameter` when `values.count` differs from the shape's element count.
    /// - Complexity: O(n), split across cores; deterministic.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput {
        try values.withUnsafeBufferPointer { (buffer) throws(TransformError) -> TransformOutput in
            try encode(buffer: buffer, shape: shape, tensorName: tensorName)
        }
    }

    /// Reads the values in place: ``encode(_:shape:tensorName:)`` without a copy.
    public static var encodesInPlace: Bool { true }

    /// ``encode(_:shape:tensorName:)`` reading `values` in place (e.g. from a memory-mapped file).
    public func encode(buffer values: UnsafeBufferPointer<Float>, shape: Shape, tensorName: String)
        throws(TransformError) -> TransformOutput
    {
        try validate(shape: shape, tensorName: tensorName)
        let count = try Self.elementCount(shape, tensorName: tensorName)
        guard values.count == count else {
            throw TransformError(
                .invalidParameter,
                "stage '\(recipeText)' was given \(values.count) values for shape \(shape) of \(count) elements",
                tensorName: tensorName)
        }
        let bytes = try GGMLBlockQuantizer.quantize(values, as: format, tensorName: tensorName)
        return TransformOutput(
            sections: [PayloadSection(kind: .bytes(symbolWidth: 1), bytes: bytes)],
            parameters: ["type": format.rawValue])
    }

    /// One section of width 1.
    /// - Throws: `TransformError.Code.invalidParameter` when `type` is missing or not a supported type.
    public static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]
    {
        _ = try format(parameters, tensorName: nil)
        return [.bytes(symbolWidth: 1)]
    }

    /// Decodes the blocks.
    /// - Throws: `TransformError.Code.invalidParameter` for a missing or unsupported `type`;
    ///   `.blockSizeNotDivisor` when the last dimension is not a multiple of 32; `.corruptPayload` when there is
    ///   not exactly one section of width 1 holding `n / 32` blocks.
    /// - Complexity: O(n), split across cores.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> [Float] {
        let format = try format(parameters, tensorName: tensorName)
        try checkRowLength(shape: shape, stage: "\(stageName):\(format.rawValue)", tensorName: tensorName)
        guard sections.count == 1, sections[0].kind == .bytes(symbolWidth: 1) else {
            throw TransformError(
                .corruptPayload,
                "stage '\(stageName)' expects one section of bytes(width 1); found \(sections.map(\.kind))",
                tensorName: tensorName)
        }
        let count = try elementCount(shape, tensorName: tensorName)
        return try GGMLBlockDequantizer.dequantize(
            sections[0].bytes, as: format, elementCount: count, tensorName: tensorName)
    }

    private static func format(_ parameters: [String: String], tensorName: String?) throws(TransformError)
        -> GGMLBlockFormat
    {
        guard let name = parameters["type"], let format = GGMLBlockFormat(rawValue: name) else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stageName)' needs parameter 'type' as one of \(typeList); found \(parameters["type"].map { "'\($0)'" } ?? "none")",
                tensorName: tensorName)
        }
        return format
    }

    private static func elementCount(_ shape: Shape, tensorName: String) throws(TransformError) -> Int {
        do { return try shape.elementCount() } catch {
            throw TransformError(.invalidParameter, error.message, tensorName: tensorName)
        }
    }
}
