import Foundation
import TensorCore

extension LowRankSplit {
    /// Splits `values` (row-major, viewed as `[m, n]`) into the stacked factors `[A; B]`, `[m + n, r]`.
    ///
    /// Runs `validate(shape:tensorName:)` first. The SVD and the scaling by `√s` are done in Float64; the
    /// factors are rounded to Float32 once. Deterministic for one LAPACK build.
    /// - Returns: one section `.elements(.float32, [m + n, r])` (layout in the type's documentation) and the
    ///   parameters `rows`, `columns`, `rank`, `retained_energy`, `method`.
    /// - Throws: `TransformError.Code.nonFiniteValues` naming the count of NaN/infinite values;
    ///   `.invalidParameter` as `validate` does or when `values.count` differs from the shape's;
    ///   `.notBeneficial` when the chosen rank `r` has `r × (m + n) ≥ m × n` (the message names the tensor,
    ///   `r`, `m` and `n`); `.numericalFailure` when LAPACK fails.
    /// - Complexity: O(m·n·min(m, n)) time (dgesdd), O(m·n) extra memory in Float64.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput {
        try validate(shape: shape, tensorName: tensorName)
        let (rows, columns) = try Self.matrixDimensions(of: shape, tensorName: tensorName)
        try ValueCheck.require(values, count: rows * columns, shape: shape, stage: recipeText, tensorName: tensorName)
        let svd = try SingularValueDecomposition(values, rows: rows, columns: columns, tensorName: tensorName)
        let rank: Int
        switch selection {
        case .rank(let fixed): rank = fixed
        case .energy(let fraction): rank = Self.rank(retaining: fraction, singularValues: svd.singularValues)
        }
        try Self.checkBeneficial(rank: rank, rows: rows, columns: columns, tensorName: tensorName)
        let factors = Self.stackedFactors(svd, rank: rank)
        return TransformOutput(
            sections: [PayloadSection(float32: factors, shape: Shape([rows + columns, rank]))],
            parameters: [
                "rows": String(rows), "columns": String(columns), "rank": String(rank),
                "retained_energy": String(Self.retainedEnergy(svd.singularValues, rank: rank)),
                "method": Self.method,
            ])
    }

    /// The singular values of `values` viewed as `[m, n]` (see ``validate(shape:tensorName:)`` for the view),
    /// in descending order, `min(m, n)` of them, computed in Float64 by LAPACK `dgesdd` without vectors.
    /// - Throws: `TransformError.Code.invalidParameter` for fewer than 2 dimensions, a value count that
    ///   differs from the shape's, or an empty or oversized matrix; `.nonFiniteValues`; `.numericalFailure`.
    /// - Complexity: O(m·n·min(m, n)) time, O(m·n) extra memory.
    public static func singularValues(of values: [Float], shape: Shape, tensorName: String) throws(TransformError)
        -> [Double]
    {
        let (rows, columns) = try matrixDimensions(of: shape, tensorName: tensorName)
        guard values.allSatisfy(\.isFinite) else {
            throw TransformError(.nonFiniteValues, "an SVD needs finite values", tensorName: tensorName)
        }
        return try SingularValueDecomposition(
            values, rows: rows, columns: columns, vectors: false, tensorName: tensorName
        ).singularValues
    }

    /// The smallest `r ≥ 1` with `Σ_{i<r} s_i² / Σ_i s_i² ≥ fraction`; 1 when every `s_i` is 0.
    /// - Parameter singularValues: descending, non-negative, not empty.
    /// - Complexity: O(k).
    public static func rank(retaining fraction: Double, singularValues: [Double]) -> Int {
        let total = singularValues.reduce(0) { $0 + $1 * $1 }
        guard total > 0 else { return 1 }
        var retained = 0.0
        for (index, value) in singularValues.enumerated() {
            retained += value * value
            if retained / total >= fraction { return index + 1 }
        }
        return max(singularValues.count, 1)
    }

    /// `Σ_{i<rank} s_i² / Σ_i s_i²`, or 1 when every `s_i` is 0.
    static func retainedEnergy(_ singularValues: [Double], rank: Int) -> Double {
        let total = singularValues.reduce(0) { $0 + $1 * $1 }
        guard total > 0 else { return 1 }
        return singularValues.prefix(rank).reduce(0) { $0 + $1 * $1 } / total
    }

    /// `[U_r·diag(√s_r); V_r·diag(√s_r)]`, row-major `[m + n, r]`, rounded to Float32.
    private static func stackedFactors(_ svd: SingularValueDecomposition, rank: Int) -> [Float] {
        let roots = svd.singularValues.prefix(rank).map { $0.squareRoot() }
        let count = (svd.rows + svd.columns) * rank
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            let parts = [
                (svd.leftVectors, svd.leftLayout, svd.rows, 0),
                (svd.rightVectors, svd.rightLayout, svd.columns, svd.rows * rank),
            ]
            for (vectors, layout, factorRows, base) in parts {
                vectors.withUnsafeBufferPointer { source in
                    for row in 0..<factorRows {
                        for t in 0..<rank {
                            let value = source[row * layout.rowStride + t * layout.rankStride] * roots[t]
                            out[base + row * rank + t] = Float(value)
                        }
                    }
                }
            }
            initialized = count
        }
    }
}
