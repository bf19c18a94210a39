import Foundation
import TensorCore

/// Symmetric int8 quantization with one Float32 scale per output channel (row) or per tensor.
///
/// For each row (or the whole tensor): `scale = max|w| / 127`, `q = round(w / scale)` rounded to nearest
/// even and clamped to `[-127, 127]`; an all-zero row gets `scale = 0` and codes 0. A scale that would be
/// subnormal is rounded up to the least one with max|w| / scale ≤ 127. Decoding gives `w' = q × scale`, so
/// the error per element is at most `scale / 2`.
///
/// Stage `int8`, layout (docs/FORMAT.md §5.1): `rows` Float32 scales (little-endian), then
/// `rows × columns` signed 8-bit codes, row-major. Parameters: `granularity` (`per_channel` | `per_tensor`),
/// `rows`, `columns`.
public struct Int8Quantizer: Sendable {
    /// The stage identifier recorded in the container.
    public static let stageName = "int8"

    /// How many elements share a scale.
    public enum Granularity: String, Sendable, CaseIterable {
        /// One scale per output channel: rows of a 2-D `[out, in]` weight, or slices along axis 0.
        case perChannel = "per_channel"
        /// One scale for the whole tensor.
        case perTensor = "per_tensor"
    }

    /// How many elements share a scale.
    public var granularity: Granularity

    /// Creates a quantizer.
    public init(granularity: Granularity = .perChannel) { self.granularity = granularity }

    /// The granularity used for a tensor of `shape`: per channel needs at least 2 dimensions;
    /// smaller tensors fall back to per tensor.
    public func effectiveGranularity(for shape: Shape) -> Granularity {
        shape.count >= 2 ? granularity : .perTensor
    }

    /// Quantizes Float32 elements of a tensor of `shape` (row-major).
    /// - Parameters:
    ///   - values: `shape.elementCount` elements.
    ///   - shape: the tensor's shape; rows are axis 0, columns the product of the other axes.
    ///   - tensorName: for error messages.
    /// - Returns: the stage bytes (scales then codes) and parameters.
    /// - Throws: `TransformError.Code.nonFiniteValues` naming the tensor and the count of NaN/infinite elements.
    /// - Complexity: O(n), two passes over the values; deterministic.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> StageOutput {
        let nonFinite = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        guard nonFinite == 0 else {
            throw TransformError(
                .nonFiniteValues,
                "\(nonFinite) of \(values.count) elements are NaN or infinite as Float32; int8 cannot represent them",
                tensorName: tensorName)
        }
        let mode = effectiveGranularity(for: shape)
        let rows = mode == .perChannel ? shape.dimensions[0] : 1
        let columns = mode == .perChannel ? shape.dimensions.dropFirst().reduce(1, *) : values.count
        var bytes = Data(count: rows * 4 + values.count)
        bytes.withUnsafeMutableBytes { raw in
            let codes = raw.baseAddress!.advanced(by: rows * 4).assumingMemoryBound(to: Int8.self)
            values.withUnsafeBufferPointer { source in
                for row in 0..<rows {
                    let slice = UnsafeBufferPointer(rebasing: source[(row * columns)..<((row + 1) * columns)])
                    let scale = Self.quantizeRow(slice, into: codes + row * columns)
                    raw.storeBytes(of: scale.bitPattern.littleEndian, toByteOffset: row * 4, as: UInt32.self)
                }
            }
        }
        return StageOutput(
            bytes: bytes,
            parameters: ["granularity": mode.rawValue, "rows": String(rows), "columns": String(columns)])
    }

    /// Quantizes one row; returns its scale.
    @inline(__always)
    private static func quantizeRow(_ row: UnsafeBufferPointer<Float>, into codes: UnsafeMutablePointer<Int8>) -> Float
    {
        var maxMagnitude: Float = 0
        for value in row { maxMagnitude = max(maxMagnitude, abs(value)) }
        guard maxMagnitude > 0 else {
            codes.update(repeating: 0, count: row.count)
            return 0
        }
        var scale = maxMagnitude / 127
        // A subnormal quotient loses precision (or becomes 0): round the scale up until max|w| / scale ≤ 127,
        // so every code stays in range and the error bound scale / 2 holds. Normal scales are left exactly as
        // max|w| / 127, which keeps codes identical to the reference formula.
        if scale < Float.leastNormalMagnitude {
            scale = max(scale, Float.leastNonzeroMagnitude)
            while maxMagnitude / scale > 127 { scale = scale.nextUp }
        }
        for index in 0..<row.count {
            let q = (row[index] / scale).rounded(.toNearestOrEven)
            codes[index] = Int8(min(max(q, -127), 127))
        }
        return scale
    }
}
