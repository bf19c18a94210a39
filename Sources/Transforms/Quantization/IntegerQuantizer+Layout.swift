import Foundation
import TensorCore

extension IntegerQuantizer {
    /// The `[rows, columns]` view of a tensor and the contiguous runs of elements that share a scale.
    struct Layout {
        /// Dimension 0 (1 for a scalar or 1-D tensor).
        var rows: Int
        /// The product of the other dimensions (the element count for a scalar or 1-D tensor).
        var columns: Int
        /// `rows × columns`.
        var elementCount: Int
        /// Scales: 1, `rows` or `rows × columns / G`; 0 when the tensor has no elements.
        var scaleCount: Int
        /// Elements per scale: `elementCount`, `columns` or `G`.
        var runLength: Int

        /// The layout of `shape` under `granularity`.
        /// - Throws: `TransformError.Code.blockSizeNotDivisor` when a group size does not divide `columns`;
        ///   `.invalidParameter` for a group size below 1 or a shape whose element count overflows.
        init(shape: Shape, granularity: Granularity, stage: String, tensorName: String) throws(TransformError) {
            let (rows, columns, elementCount) = try Self.rowsAndColumns(of: shape, tensorName: tensorName)
            self.rows = rows
            self.columns = columns
            self.elementCount = elementCount
            switch granularity {
            case .perTensor:
                (scaleCount, runLength) = (1, elementCount)
            case .perChannel:
                (scaleCount, runLength) = (rows, columns)
            case .blocks(let size):
                guard size >= 1 else {
                    throw TransformError(
                        .invalidParameter, "stage '\(stage)': the group size is \(size); it must be at least 1",
                        tensorName: tensorName)
                }
                guard columns % size == 0 else {
                    throw TransformError(
                        .blockSizeNotDivisor,
                        "stage '\(stage)': group size \(size) does not divide the row length \(columns) of shape \(shape) (rows are dimension 0, a row holds the product of the others); choose a group size that divides \(columns)",
                        tensorName: tensorName)
                }
                (scaleCount, runLength) = (rows * (columns / size), size)
            }
            if elementCount == 0 { scaleCount = 0 }
        }

        /// Rows (dimension 0), columns (the product of the other dimensions) and their product; a scalar or 1-D
        /// tensor is one row.
        /// - Throws: `TransformError.Code.invalidParameter` when a product does not fit in `Int`.
        static func rowsAndColumns(of shape: Shape, tensorName: String) throws(TransformError) -> (Int, Int, Int) {
            let rows = shape.count >= 2 ? shape.dimensions[0] : 1
            var columns = 1
            for size in shape.count >= 2 ? shape.dimensions.dropFirst() : shape.dimensions[...] {
                let (product, overflow) = columns.multipliedReportingOverflow(by: size)
                guard !overflow else {
                    throw TransformError(
                        .invalidParameter, "shape \(shape) has more elements than fit in a 64-bit integer",
                        tensorName: tensorName)
                }
                columns = product
            }
            let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
            guard !overflow else {
                throw TransformError(
                    .invalidParameter, "shape \(shape) has more elements than fit in a 64-bit integer",
                    tensorName: tensorName)
            }
            return (rows, columns, count)
        }

        /// Bytes of the codes section: `elementCount` with one code per byte, else `⌈elementCount × bits / 8⌉`.
        func codeByteCount(format: Format, packing: Packing) -> Int {
            packing == .bytes || format == .int8
                ? elementCount
                : (elementCount / 8 * format.bits)
                    + (elementCount % 8 * format.bits + 7) / 8
        }
    }
}
