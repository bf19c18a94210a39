import CLapack
import TensorCore

/// The thin singular value decomposition `W = U · diag(s) · Vᵀ` of a row-major Float32 matrix `W` of
/// `rows × columns` elements, computed in Float64 by LAPACK's divide-and-conquer driver `dgesdd`.
///
/// With `k = min(rows, columns)`: `U` is `[rows, k]`, `s` has `k` values in descending order, `V` is
/// `[columns, k]`; the columns of `U` and of `V` are orthonormal. The signs of singular vector pairs are
/// LAPACK's, so results are deterministic for one LAPACK build but may differ in sign between builds.
///
/// LAPACK is always handed a tall column-major matrix `T` (at least as many rows as columns), for which
/// `dgesdd` takes its QR path with contiguous columns: 2.5–3× faster than the LQ path on a wide matrix
/// (30522 × 384 here). When `rows ≥ columns`, `T = W` (a transposed copy); otherwise `T = Wᵀ`, which is the
/// row-major buffer itself read column-major, and the SVD of `Wᵀ` is `V · diag(s) · Uᵀ`.
/// Source: LAPACK Users' Guide, 3rd ed., §2.4.2 (`xGESDD`); Demmel, Applied Numerical Linear Algebra, §5.4.
struct SingularValueDecomposition: Sendable {
    /// Where element `(row, t)` of a factor (`U` or `V`) is: `row × rowStride + t × rankStride`.
    struct FactorLayout: Sendable {
        var rowStride: Int
        var rankStride: Int
    }

    /// `m`, the rows of `W`.
    let rows: Int
    /// `n`, the columns of `W`.
    let columns: Int
    /// `s`, descending, `k` values, all ≥ 0.
    let singularValues: [Double]
    /// `U`, `[rows, k]`, laid out as `leftLayout` says; empty when vectors were not asked for.
    let leftVectors: [Double]
    /// The layout of `leftVectors`.
    let leftLayout: FactorLayout
    /// `V`, `[columns, k]`, laid out as `rightLayout` says; empty when vectors were not asked for.
    let rightVectors: [Double]
    /// The layout of `rightVectors`.
    let rightLayout: FactorLayout

    /// `k = min(rows, columns)`.
    var count: Int { singularValues.count }

    /// The largest element count LAPACK and BLAS with 32-bit integers index safely.
    static let maximumElementCount = Int(Int32.max)

    /// Decomposes `values` (row-major `[rows, columns]`, finite).
    /// - Parameter vectors: when false only the singular values are computed (`leftVectors` and
    ///   `rightVectors` are empty), which is about a third of the work.
    /// - Throws: `TransformError.Code.invalidParameter` when a dimension is 0, the value count differs from
    ///   `rows × columns` or the matrix exceeds `maximumElementCount` elements; `.numericalFailure` when
    ///   `dgesdd` reports an illegal argument or does not converge.
    /// - Complexity: O(m·n·min(m, n)) time, O(m·n) extra memory (Float64 copies of the matrix and of the
    ///   larger factor).
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
        let tall = rows >= columns
        // T, column-major, tallRows × k.
        let tallRows = tall ? rows : columns
        var matrix = tall ? Self.transposedWidening(values, rows: rows, columns: columns) : values.map(Double.init)
        var singularValues = [Double](repeating: 0, count: k)
        var p = [Double](repeating: 0, count: vectors ? tallRows * k : 1)  // left vectors of T, column-major
        var qt = [Double](repeating: 0, count: vectors ? k * k : 1)  // Qᵀ of T, column-major k × k
        var integerWork = [Int32](repeating: 0, count: 8 * k)
        let job = CChar(UInt8(ascii: vectors ? "S" : "N"))
        let lda = Int32(tallRows)
        let ldp = vectors ? lda : 1
        let ldqt = vectors ? Int32(k) : 1

        func run(_ work: inout [Double], _ workCount: Int32) -> Int32 {
            LAPACKE_dgesdd_work(
                LAPACK_COL_MAJOR, job, lda, Int32(k), &matrix, lda, &singularValues, &p, ldp, &qt, ldqt, &work,
                workCount, &integerWork)
        }
        var query = [Double](repeating: 0, count: 1)
        try Self.check(run(&query, -1), "workspace query", tensorName: tensorName)
        guard query[0].isFinite, query[0] >= 1, query[0] < Double(Int32.max) else {
            throw TransformError(
                .numericalFailure, "LAPACK dgesdd asked for a workspace of \(query[0]) elements",
                tensorName: tensorName)
        }
        let workCount = Int32(query[0].rounded(.up))
        var work = [Double](repeating: 0, count: Int(workCount))
        try Self.check(run(&work, workCount), "decomposition", tensorName: tensorName)

        self.rows = rows
        self.columns = columns
        self.singularValues = singularValues
        // P is column-major tallRows × k: (row, t) at row + t × tallRows. Qᵀ column-major k × k holds
        // Q[c][t] at t + c × k, i.e. Q row-major [k, k].
        let pLayout = FactorLayout(rowStride: 1, rankStride: tallRows)
        let qLayout = FactorLayout(rowStride: k, rankStride: 1)
        leftVectors = vectors ? (tall ? p : qt) : []
        leftLayout = tall ? pLayout : qLayout
        rightVectors = vectors ? (tall ? qt : p) : []
        rightLayout = tall ? qLayout : pLayout
    }

    /// `values` (row-major `[rows, columns]`) as a column-major Float64 matrix, copied in 64 × 64 tiles so
    /// that both the reads and the writes stay within a few cache lines.
    private static func transposedWidening(_ values: [Float], rows: Int, columns: Int) -> [Double] {
        let tile = 64
        return [Double](unsafeUninitializedCapacity: values.count) { out, initialized in
            values.withUnsafeBufferPointer { source in
                for rowStart in stride(from: 0, to: rows, by: tile) {
                    let rowEnd = min(rowStart + tile, rows)
                    for columnStart in stride(from: 0, to: columns, by: tile) {
                        for column in columnStart..<min(columnStart + tile, columns) {
                            for row in rowStart..<rowEnd {
                                out[row + column * rows] = Double(source[row * columns + column])
                            }
                        }
                    }
                }
            }
            initialized = values.count
        }
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
