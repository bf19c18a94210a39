import Foundation
import TensorCore

/// Splits a matrix into two low-rank factors by truncated SVD: `W ≈ A · Bᵀ` with `A = U_r · diag(√s_r)` and
/// `B = V_r · diag(√s_r)`, the Eckart–Young best rank-`r` approximation in the Frobenius norm.
///
/// A tensor of shape `[m, d1, d2, …]` is viewed as the matrix `[m, n]` with `n = d1 × d2 × …` (row-major).
/// The SVD is LAPACK's `dgesdd` on the Float64 widening of the Float32 values, so the factors carry no error
/// beyond truncation and one rounding to Float32; decoding multiplies the factors with BLAS `sgemm`. The
/// rank is given (`rank=R`) or chosen as the smallest `r` with retained energy
/// `Σ_{i<r} s_i² / Σ_i s_i² ≥ F` (`energy=F`). The split is made only when it saves elements,
/// `r × (m + n) < m × n`; otherwise the stage refuses with `TransformError.Code.notBeneficial`.
/// Splitting `√s` evenly between the factors gives both factors rows of comparable magnitude, so a later
/// per-row quantizer treats them alike.
///
/// Stage `lowrank`. Recipe arguments: exactly one of `rank=R` (an integer ≥ 1) or `energy=F`
/// (a decimal in `(0, 1]`), e.g. `lowrank:rank=64`, `lowrank:energy=0.99`.
///
/// Output: ONE section, `.elements(.float32, [m + n, r])`, little-endian, row-major: first the `m` rows of
/// `A` (`[m, r]`), then the `n` rows of `B` (`[n, r]`), so element `(i, j)` of `W` is
/// `Σ_t A[i][t] × B[j][t]`. The section holds float values, so later value stages (quantization,
/// clustering) apply to it. Parameters: `rows` (`m`), `columns` (`n`), `rank` (`r`),
/// `retained_energy` (the fraction of `Σ s_i²` kept, a decimal string; informational), `method`
/// (`dgesdd`; informational).
///
/// Precision: the SVD runs in Float64 (`dgesdd`, not `sgesdd`) so that rank selection and the factors are
/// limited by the Float32 storage alone; singular values agree with numpy's `np.linalg.svd` to 1e-10 of the
/// largest. It costs about twice `sgesdd`'s time: the 30522 × 384 MiniLM embedding splits in about 2 s on one
/// core. Energy `F` keeps a relative Frobenius error of at most `√(1 − F)` (Eckart–Young).
/// - Complexity: O(m·n·min(m, n)) to encode, O(m·n·r) to decode.
///
/// Source: C. Eckart and G. Young, "The approximation of one matrix by another of lower rank",
/// Psychometrika 1(3), 1936; LAPACK Users' Guide, 3rd ed., §2.4.2 (`xGESDD`).
public struct LowRankSplit: ValueTransform, Equatable {
    /// The stage identifier recorded in the container.
    public static let stageName = "lowrank"

    /// The `method` parameter recorded: the LAPACK driver that computed the SVD.
    public static let method = "dgesdd"

    /// How the rank of the split is chosen.
    public enum RankSelection: Sendable, Equatable {
        /// A fixed rank `r ≥ 1`; it must not exceed `min(m, n)`.
        case rank(Int)
        /// The smallest rank whose retained energy `Σ_{i<r} s_i² / Σ s_i²` is at least this fraction, in `(0, 1]`.
        case energy(Double)
    }

    /// How the rank is chosen.
    public let selection: RankSelection

    /// Creates a split.
    /// - Throws: `TransformError.Code.invalidParameter` when a rank is below 1 or an energy is outside `(0, 1]`.
    public init(selection: RankSelection) throws(TransformError) {
        switch selection {
        case .rank(let rank) where rank < 1:
            throw TransformError(.invalidParameter, "stage 'lowrank' needs rank=R with R ≥ 1; found \(rank)")
        case .energy(let energy) where !(energy > 0 && energy <= 1):
            throw TransformError(
                .invalidParameter, "stage 'lowrank' needs energy=F with F in (0, 1]; found \(energy)")
        default:
            self.selection = selection
        }
    }

    /// Creates a split from a recipe's arguments: exactly one of `rank=R` or `energy=F`.
    /// - Throws: `TransformError.Code.invalidParameter` naming the argument when there is not exactly one,
    ///   it is neither form, or its value is out of range.
    public init(recipeArguments: [String]) throws(TransformError) {
        guard recipeArguments.count == 1, let argument = recipeArguments.first else {
            throw TransformError(
                .invalidParameter,
                "stage 'lowrank' takes exactly one argument, rank=R or energy=F (e.g. lowrank:energy=0.99); found \(recipeArguments.count): \(recipeArguments)"
            )
        }
        let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, parts[0] == "rank", let rank = Int(parts[1]) {
            try self.init(selection: .rank(rank))
        } else if parts.count == 2, parts[0] == "energy", let energy = Double(parts[1]) {
            try self.init(selection: .energy(energy))
        } else {
            throw TransformError(
                .invalidParameter,
                "stage 'lowrank' argument '\(argument)' is neither rank=R (an integer ≥ 1) nor energy=F (a decimal in (0, 1])"
            )
        }
    }

    /// The recipe text that recreates this split: `lowrank:rank=R` or `lowrank:energy=F`.
    public var recipeText: String {
        switch selection {
        case .rank(let rank): "\(Self.stageName):rank=\(rank)"
        case .energy(let energy): "\(Self.stageName):energy=\(energy)"
        }
    }

    /// Checks that a tensor of `shape` can be split: at least 2 dimensions, `m × n` within LAPACK's 32-bit
    /// limit, and the smallest rank the selection allows (`R`, or 1 for `energy=F`) saves elements.
    /// - Throws: `TransformError.Code.invalidParameter` for fewer than 2 dimensions, too many elements, or a
    ///   rank above `min(m, n)`; `.notBeneficial` when `r × (m + n) ≥ m × n` for that rank.
    public func validate(shape: Shape, tensorName: String) throws(TransformError) {
        let (rows, columns) = try Self.matrixDimensions(of: shape, tensorName: tensorName)
        switch selection {
        case .rank(let rank):
            guard rank <= min(rows, columns) else {
                throw TransformError(
                    .invalidParameter,
                    "lowrank rank \(rank) exceeds min(m, n) = \(min(rows, columns)) of the [\(rows), \(columns)] matrix",
                    tensorName: tensorName)
            }
            try Self.checkBeneficial(rank: rank, rows: rows, columns: columns, tensorName: tensorName)
        case .energy:
            try Self.checkBeneficial(rank: 1, rows: rows, columns: columns, tensorName: tensorName)
        }
    }

    /// The kinds of the sections `encode` produced: one `.elements(.float32, [m + n, r])`.
    /// - Throws: `TransformError.Code.invalidParameter` when `rows`, `columns` or `rank` is missing, does not
    ///   match `shape` (`rows` = axis 0, `columns` = product of the others) or `rank` is outside `1...min(m, n)`.
    public static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]
    {
        let factors = try FactorDimensions(parameters: parameters, shape: shape, tensorName: nil)
        return [.elements(.float32, Shape([factors.rows + factors.columns, factors.rank]))]
    }

    /// `(m, n)` of the matrix view of `shape`.
    /// - Throws: `TransformError.Code.invalidParameter` for fewer than 2 dimensions or more than
    ///   `Int32.max` elements (LAPACK's and BLAS's index limit).
    static func matrixDimensions(of shape: Shape, tensorName: String?) throws(TransformError) -> (Int, Int) {
        guard shape.count >= 2 else {
            throw TransformError(
                .invalidParameter,
                "lowrank needs a tensor of at least 2 dimensions, viewed as [m, n]; shape \(shape) has \(shape.count)",
                tensorName: tensorName)
        }
        let rows = shape.dimensions[0]
        let (columns, overflow) = shape.dimensions.dropFirst().reduce((1, false)) { partial, size in
            let (product, overflow) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || overflow)
        }
        let (elements, elementsOverflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, !elementsOverflow, elements <= SingularValueDecomposition.maximumElementCount else {
            throw TransformError(
                .invalidParameter,
                "lowrank handles at most \(SingularValueDecomposition.maximumElementCount) elements (LAPACK's 32-bit indices); shape \(shape) has more",
                tensorName: tensorName)
        }
        return (rows, columns)
    }

    /// Throws unless `rank × (m + n) < m × n`.
    /// - Throws: `TransformError.Code.notBeneficial` naming `r`, `m`, `n` and both element counts.
    static func checkBeneficial(rank: Int, rows: Int, columns: Int, tensorName: String) throws(TransformError) {
        // rank ≤ min(m, n) and m × n ≤ Int32.max, so neither product overflows.
        let factorElements = rank * (rows + columns)
        let matrixElements = rows * columns
        guard factorElements < matrixElements else {
            throw TransformError(
                .notBeneficial,
                "a rank-\(rank) split of the [\(rows), \(columns)] matrix (m = \(rows), n = \(columns)) needs r × (m + n) = \(factorElements) elements, not fewer than m × n = \(matrixElements); leave this tensor out of the lowrank stage",
                tensorName: tensorName)
        }
    }
}
