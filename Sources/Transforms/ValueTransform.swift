import Foundation
import TensorCore

/// What a value transform's encoder produces: the sections that replace its float input, and the parameters
/// its decoder needs, as recorded in the container's stage chain.
public struct TransformOutput: Sendable, Equatable {
    /// The sections, in the order docs/FORMAT.md §5 gives for the stage. At most one holds float values.
    public var sections: [PayloadSection]
    /// The decoder's parameters (strings, so any container can carry them).
    public var parameters: [String: String]

    /// Creates an output.
    public init(sections: [PayloadSection], parameters: [String: String]) {
        self.sections = sections
        self.parameters = parameters
    }
}

/// A stage that takes float values (one payload section) and replaces them with its own sections:
/// quantization, clustering, pruning, low-rank splits.
///
/// A transform value holds the settings a recipe gave (`init(recipeArguments:)`); `encode` records every
/// setting the decoder needs in `TransformOutput.parameters`, so decoding needs no transform value.
public protocol ValueTransform: Sendable {
    /// The stage identifier recorded in the container, e.g. `"quant"`, `"cluster"`, `"prune"`.
    static var stageName: String { get }

    /// Creates the transform from a recipe's arguments: the `:`-separated words after the stage name,
    /// e.g. `["int4", "group=32"]` for `quant:int4:group=32`.
    /// - Throws: `TransformError.Code.invalidParameter` naming the argument and what is accepted.
    init(recipeArguments: [String]) throws(TransformError)

    /// The recipe text that recreates this transform, e.g. `"quant:int4:group=32"`.
    var recipeText: String { get }

    /// Checks, before any output is written, that the transform applies to values of `shape`.
    /// - Throws: `TransformError` naming the tensor, the stage and why (e.g. a group that does not divide
    ///   the row length).
    func validate(shape: Shape, tensorName: String) throws(TransformError)

    /// Encodes `values` (row-major, `shape.elementCount` of them).
    /// - Throws: `TransformError.Code.nonFiniteValues` naming the tensor and the count when values are NaN or
    ///   infinite; other codes when the transform does not apply.
    func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput

    /// Whether ``encode(buffer:shape:tensorName:)`` reads the buffer in place; when `false` (the default) it copies
    /// the values into an array, and a caller streaming a memory-mapped file does better to make that copy itself,
    /// releasing pages as it goes.
    static var encodesInPlace: Bool { get }

    /// Encodes the values at `values` (row-major, `shape.elementCount` of them), e.g. a memory-mapped float32
    /// tensor, without copying them when ``encodesInPlace``; the same output and errors as
    /// ``encode(_:shape:tensorName:)``.
    func encode(buffer values: UnsafeBufferPointer<Float>, shape: Shape, tensorName: String) throws(TransformError)
        -> TransformOutput

    /// The kinds of the sections `encode` produced for input of `shape`, computed from the recorded
    /// parameters alone; used to check a stored payload before decoding it.
    /// - Throws: `TransformError.Code.invalidParameter` when the parameters are missing or inconsistent.
    static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]

    /// Decodes the sections `encode` produced back to `shape.elementCount` float values.
    /// Must never trap on damaged input: every length and index is checked.
    /// - Throws: `TransformError.Code.corruptPayload` when a section's length or content disagrees with the
    ///   parameters; `.invalidParameter` for bad parameters.
    static func decode(_ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String)
        throws(TransformError) -> [Float]

    /// ``decode(_:parameters:shape:tensorName:)`` as little-endian Float32 bytes (`4 × shape.elementCount`), for
    /// a caller that keeps the values as bytes; the same values and errors. The default copies the array; a
    /// transform that can write its values straight into the bytes does so.
    static func decodeBytes(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> Data
}

extension ValueTransform {
    /// Decodes to an array and copies it into bytes.
    public static func decodeBytes(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> Data {
        try decode(sections, parameters: parameters, shape: shape, tensorName: tensorName).withUnsafeBytes { Data($0) }
    }

    /// `false`: the default ``encode(buffer:shape:tensorName:)`` copies.
    public static var encodesInPlace: Bool { false }

    /// Copies the values into an array and calls ``encode(_:shape:tensorName:)``.
    public func encode(buffer values: UnsafeBufferPointer<Float>, shape: Shape, tensorName: String)
        throws(TransformError) -> TransformOutput
    {
        try encode(Array(values), shape: shape, tensorName: tensorName)
    }
}
