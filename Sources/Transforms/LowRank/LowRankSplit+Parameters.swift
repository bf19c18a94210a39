import TensorCore

extension LowRankSplit {
    /// The recorded `rows`, `columns` and `rank` of a split, checked against the tensor's shape.
    struct FactorDimensions: Equatable {
        /// `m`: axis 0 of the shape.
        var rows: Int
        /// `n`: the product of the other axes.
        var columns: Int
        /// `r`, in `1...min(m, n)`.
        var rank: Int

        /// Elements of the stacked factors, `(m + n) × r`; cannot overflow because `r ≤ min(m, n)` and
        /// `m × n ≤ Int32.max`.
        var factorElementCount: Int { (rows + columns) * rank }

        /// Reads and checks the parameters.
        /// - Throws: `TransformError.Code.invalidParameter` when a parameter is missing or not an integer,
        ///   `rows`/`columns` disagree with `shape`, or `rank` is outside `1...min(m, n)`.
        init(parameters: [String: String], shape: Shape, tensorName: String?) throws(TransformError) {
            let (shapeRows, shapeColumns) = try LowRankSplit.matrixDimensions(of: shape, tensorName: tensorName)
            let stage = LowRankSplit.stageName
            rows = try parameters.integer("rows", in: 0...Int.max, stage: stage, tensorName: tensorName)
            columns = try parameters.integer("columns", in: 0...Int.max, stage: stage, tensorName: tensorName)
            guard rows == shapeRows, columns == shapeColumns else {
                throw TransformError(
                    .invalidParameter,
                    "lowrank parameters give a [\(rows), \(columns)] matrix; shape \(shape) is [\(shapeRows), \(shapeColumns)]",
                    tensorName: tensorName)
            }
            guard min(rows, columns) >= 1 else {
                throw TransformError(
                    .invalidParameter, "lowrank cannot hold the empty [\(rows), \(columns)] matrix",
                    tensorName: tensorName)
            }
            rank = try parameters.integer(
                "rank", in: 1...min(rows, columns), stage: stage, tensorName: tensorName)
        }
    }
}
