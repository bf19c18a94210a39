import Foundation
import TensorCore

/// Decodes the `int8` stage (see ``Int8Quantizer``): `w = q × scale` per row, as Float32.
public enum Int8Dequantizer {
    /// Reconstructs Float32 elements from the stage's bytes.
    /// - Parameters:
    ///   - bytes: `rows` Float32 scales then `rows × columns` int8 codes (docs/FORMAT.md §5.1).
    ///   - parameters: the stage's recorded parameters (`rows`, `columns`).
    ///   - elementCount: the element count the tensor's shape requires.
    /// - Returns: `rows × columns` Float32 values, row-major.
    /// - Throws: `TransformError.Code.invalidParameter` when `rows × columns` differs from `elementCount`;
    ///   `TransformError.Code.corruptPayload` when the byte count differs from `4 × rows + rows × columns`.
    /// - Complexity: O(n).
    public static func decode(
        _ bytes: Data, parameters: [String: String], elementCount: Int, tensorName: String
    ) throws(TransformError) -> [Float] {
        let stage = Int8Quantizer.stageName
        let rows = try parameters.integer("rows", in: 0...(Int.max / 4), stage: stage, tensorName: tensorName)
        let columns = try parameters.integer("columns", in: 0...Int.max, stage: stage, tensorName: tensorName)
        let (product, productOverflow) = rows.multipliedReportingOverflow(by: columns)
        guard !productOverflow, product == elementCount else {
            throw TransformError(
                .invalidParameter,
                "int8 parameters 'rows' × 'columns' = \(rows) × \(columns), but the shape has \(elementCount) elements",
                tensorName: tensorName)
        }
        // rows ≤ elementCount, and elementCount × 4 fits in Int (the shape's f32 byte count was checked),
        // but rows × 4 + elementCount can still overflow for a hostile shape: check before comparing.
        let (needed, neededOverflow) = (rows &* 4).addingReportingOverflow(elementCount)
        guard rows <= Int.max / 4, !neededOverflow, bytes.count == needed else {
            throw TransformError(
                .corruptPayload,
                "int8 stage holds \(bytes.count) bytes; \(rows) scales and \(elementCount) codes need \(rows) × 4 + \(elementCount)",
                tensorName: tensorName)
        }
        return bytes.withUnsafeBytes { raw in
            let codes = raw.baseAddress.map { $0.advanced(by: rows * 4).assumingMemoryBound(to: Int8.self) }
            return [Float](unsafeUninitializedCapacity: elementCount) { out, initialized in
                for row in 0..<rows {
                    let scale = Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: row * 4, as: UInt32.self)))
                    let base = row * columns
                    for column in 0..<columns { out[base + column] = Float(codes![base + column]) * scale }
                }
                initialized = elementCount
            }
        }
    }
}
