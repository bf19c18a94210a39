import Foundation
import TestSupport

/// Test matrices with a known rank or known singular values, built in Float64 and rounded to Float32 once.
enum LowRankMatrices {
    /// `A · Bᵀ` for random `A` `[rows, rank]` and `B` `[columns, rank]`: a matrix of rank `rank`, row-major.
    static func product(rows: Int, columns: Int, rank: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        let a = (0..<(rows * rank)).map { _ in Double.random(in: -1...1, using: &generator) }
        let b = (0..<(columns * rank)).map { _ in Double.random(in: -1...1, using: &generator) }
        return (0..<(rows * columns)).map { index in
            let (row, column) = index.quotientAndRemainder(dividingBy: columns)
            return Float((0..<rank).reduce(0.0) { $0 + a[row * rank + $1] * b[column * rank + $1] })
        }
    }

    /// The orthonormal DCT-II basis of size `size`: row-major, `Q[i][j] = c_j cos(π (i + ½) j / size)`, whose
    /// columns are orthonormal.
    static func orthonormalBasis(size: Int) -> [Double] {
        (0..<(size * size)).map { index in
            let (i, j) = index.quotientAndRemainder(dividingBy: size)
            let scale = j == 0 ? (1 / Double(size)).squareRoot() : (2 / Double(size)).squareRoot()
            return scale * cos(Double.pi * (Double(i) + 0.5) * Double(j) / Double(size))
        }
    }

    /// `P · diag(singularValues) · Qᵀ` with `P`, `Q` the orthonormal DCT bases of sizes `rows` and `columns`:
    /// a `[rows, columns]` matrix whose singular values are exactly `singularValues` (up to Float32 rounding).
    static func withSingularValues(_ singularValues: [Double], rows: Int, columns: Int) -> [Float] {
        precondition(singularValues.count <= min(rows, columns))
        let p = orthonormalBasis(size: rows)
        let q = orthonormalBasis(size: columns)
        return (0..<(rows * columns)).map { index in
            let (row, column) = index.quotientAndRemainder(dividingBy: columns)
            return Float(
                singularValues.indices.reduce(0.0) { sum, t in
                    sum + p[row * rows + t] * singularValues[t] * q[column * columns + t]
                })
        }
    }

    /// `‖reference − approximation‖_F / ‖reference‖_F`, in Float64.
    static func relativeError(_ approximation: [Float], _ reference: [Float]) -> Double {
        var difference = 0.0
        var norm = 0.0
        for (x, y) in zip(approximation, reference) {
            difference += (Double(x) - Double(y)) * (Double(x) - Double(y))
            norm += Double(y) * Double(y)
        }
        return (difference / norm).squareRoot()
    }
}
