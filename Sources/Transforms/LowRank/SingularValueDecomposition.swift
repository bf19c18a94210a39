import CLapack
import TensorCore

/// The thin singular value decomposition `W = U · diag(s) · Vᵀ` of a row-major Float32 matrix `W` of
/// `rows × columns` elements, computed in Float64 by LAPACK's divide-and-conquer driver `dgesdd`.
///
/// With `k = min(rows, columns)`: `U` is `[rows, k]`, `s` has `k` values in descending order, `V` is
/// `[columns, k]`; the columns of `U` and of `V` are orthonormal. The signs of singular vector pairs are
/// LAPACK's, so results are deterministic for one LAPACK build but may differ in sign between builds.
///
/// The row-major matrix is handed to LAPACK as the column-major matrix `Wᵀ` (the same memory), so no
/// transposition is needed: the SVD of `Wᵀ` is `V · diag(s) · Uᵀ`, whose column-major `U` and `Vᵀ` outputs are
/// the row-major `Vᵀ` and `U` of `W`.
/// Source: LAPACK Users' Guide, 3rd ed., §2.4.2 (`xGESDD`); Demmel, Applied Numerical Linear Algebra, §5.4.
struct SingularValueDecomposition: Sendable {
    /// `m`, the rows of `W`.
    let rows: Int
    /// `n`, the columns of `W`.
    let columns: Int
    /// `U`, row-major `[rows, k]`: `U[i][j]` at `i × k + j`.
    let leftVectors: [Double]
    /// `s`, descending, `k` values, all ≥ 0.
    let singularValues: [Double]
    /// `Vᵀ`, row-major `[k, columns]`: `V[i][j]` at `j × columns + i`.
    let rightVectorsTransposed: [Double]

    /// `k = min(rows, columns)`.
    var count: Int { singularValues.count }

    /// The largest element count LAPACK and BLAS with 32-bit integers index safely.
    static let maximumElementCount = Int(Int32.max)

    /// Decomposes `values` (row-major `[rows, columns]`, finite).
    /// - Parameter vectors: when false only the singular values are computed (`leftVectors` and
    ///   `rightVectorsTransposed` are empty), which is about half the work.
    /// - Throws: `TransformError.Code.invalidParameter` when a dimension is 0 or the matrix exceeds
    ///   `maximumElementCount` elements; `.numericalFailure` when `dgesdd` reports an illegal argument or does
    ///   not converge.
    /// - Complexity: O(m·n·min(m, n)) time, O(m·n) extra memory (Float64 copies of the matrix and of `U`).
    init(_ values: [Float], rows: Int, columns: Int, vectors: Bool = true, tensorName: String) throws(TransformError) {
        guard rows >= 1, columns >= 1, rows.multipliedReportingOverflow(by: columns).partialValue == values.count,
            values.count <= Self.maximumElementCount
        else {
            throw TransformError(
                .invalidParameter,
                "an SVD needs a [rows, columns] matrix with both ≥ 1 and at most \(Self.maximumElementCount) elements; found [\(rows), \(columns)] with \(values.count) values",
                tensorName: tensorName)
        }
        let k = min(rows, columns)
        // LAPACK sees Wᵀ, column-major: its rows are our columns and its columns our rows.
        let lapackRows = Int32(columns)
        let lapackColumns = Int32(rows)
        var matrix = values.map(Double.init)
        var singularValues = [Double](repeating: 0, count: k)
        var u = [Double](repeating: 0, count: vectors ? columns * k : 1)  // becomes Vᵀ of W, [k, columns]
        var vt = [Double](repeating: 0, count: vectors ? k * rows : 1)  // becomes U of W, [rows, k]
        var integerWork = [Int32](repeating: 0, count: 8 * k)
        let job = CChar(UInt8(ascii: vectors ? "S" : "N"))
        let ldu = vectors ? lapackRows : 1
        let ldvt = vectors ? Int32(k) : 1

        func run(_ work: inout [Double], _ workCount: Int32) -> Int32 {
            LAPACKE_dgesdd_work(
                LAPACK_COL_MAJOR, job, lapackRows, lapackColumns, &matrix, lapackRows, &singularValues, &u, ldu,
                &vt, ldvt, &work, workCount, &integerWork)
        }
        var query = [Double](repeating: 0, count: 1)
        let queryStatus = run(&query, -1)
        try Self.check(queryStatus, "workspace query", tensorName: tensorName)
        guard query[0].isFinite, query[0] >= 1, query[0] < Double(Int32.max) else {
            throw TransformError(
                .numericalFailure, "dgesdd asked for a workspace of \(query[0]) elements", tensorName: tensorName)
        }
        let workCount = Int32(query[0].rounded(.up))
        var work = [Double](repeating: 0, count: Int(workCount))
        try Self.check(run(&work, workCount), "decomposition", tensorName: tensorName)

        self.rows = rows
        self.columns = columns
        self.singularValues = singularValues
        self.leftVectors = vectors ? vt : []
        self.rightVectorsTransposed = vectors ? u : []
    }

    /// Turns a non-zero LAPACK `info` into an error.
    private static func check(_ info: Int32, _ step: String, tensorName: String) throws(TransformError) {
        guard info != 0 else { return }
        let meaning =
            info < 0
            ? "argument \(-info) was illegal" : "the bidiagonal divide and conquer did not converge (info \(info))"
        throw TransformError(.numericalFailure, "LAPACK dgesdd \(step) failed: \(meaning)", tensorName: tensorName)
    }
}
