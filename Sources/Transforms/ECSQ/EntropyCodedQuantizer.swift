import Foundation
import TensorCore

/// Entropy-coded scalar quantization (ECSQ): uniform rounding to integers with no clipping and no fixed bit
/// width, left for an entropy coder to pack: the `ecsq` stage.
///
/// Each element becomes `q = round(w / step)` (to nearest, ties to even), an integer with no bound but Int32's,
/// and decodes to `q × step` (one Float32 multiplication), so zero is exact and the error per element is at most
/// `step / 2`. At high rate, uniform quantization followed by an ideal entropy coder is within 0.255 bit per
/// sample (1.53 dB) of the rate–distortion bound for any smooth source (Gish & Pierce, "Asymptotically efficient
/// quantizing", IEEE Trans. Inf. Theory 14(5), 1968), which is why the integers go to an entropy coder unpacked.
///
/// The tensor is viewed as `[rows, columns]`, `rows` its dimension 0 and `columns` the product of the others (a
/// scalar or 1-D tensor is one row). The step is one of:
/// - `step=ABS`: one Float32 step for the whole tensor, recorded as a parameter;
/// - `rel=R`: per row, `step = R × RMS(row)` rounded to binary16 (nearest, ties to even; a positive step that
///   underflows becomes the least binary16 2^-24, one that overflows the largest 65504), stored per row;
///   an all-zero row gets step 0 and integers 0;
/// - `snr=DB`: as `rel=R` with one `R` for the tensor, the largest found with
///   `SNR = 10 log10(Σw² / Σ(w − ŵ)²) ≥ DB`, measured exactly on the decoded values. The search starts from
///   the high-rate estimate (noise `step² / 12` per element gives `R = √(12 × 10^(−DB/10))`), brackets the
///   target by doubling or halving `R`, then bisects (geometrically) until the bracket is within a factor of
///   1 + 2^-12, finer than binary16 steps resolve.
///
/// Recipe: `ecsq:step=ABS` | `ecsq:rel=R` | `ecsq:snr=DB` with `ABS` and `R` positive and finite and
/// `DB` in `(0, 300]`.
///
/// Sections, in order (`n` elements):
/// 1. row steps (`rel` and `snr` only): `.bytes(symbolWidth: 2)`, `rows` little-endian binary16 steps, none when
///    the tensor has no elements;
/// 2. integers: `.bytes(symbolWidth: W)`, `n` little-endian two's-complement integers, row-major, `W` the least
///    of 1, 2 and 4 bytes that holds every one.
///
/// Parameters: `mode` (`step` | `rel` | `snr`); `step` (the Float32 step, `step` mode); `rel` (R: given, or the
/// one the search chose); `target_snr_db` (`snr` mode); `width` (W); `rows`; `columns`; `snr_db` (the SNR
/// achieved, measured on the decoded values, `inf` when the error is zero).
public struct EntropyCodedQuantizer: ValueTransform {
    /// The stage identifier recorded in the container.
    public static let stageName = "ecsq"

    /// How the step is chosen.
    public enum StepRule: Sendable, Hashable {
        /// One step for the whole tensor (`step=ABS`); positive and finite.
        case absolute(Float)
        /// Per row, `R × RMS(row)` rounded to binary16 (`rel=R`); positive and finite.
        case relative(Double)
        /// Per row, relative steps with one `R` chosen so the tensor's SNR is at least `decibels` and as close as
        /// the search finds (`snr=DB`); in `(0, 300]`.
        case targetSNR(decibels: Double)
    }

    /// How the step is chosen.
    public var stepRule: StepRule

    /// Creates the transform; the rule's value is checked by ``validate(shape:tensorName:)`` and `encode`.
    public init(stepRule: StepRule) { self.stepRule = stepRule }

    /// Parses exactly one of `step=ABS`, `rel=R`, `snr=DB`.
    /// - Throws: `TransformError.Code.invalidParameter` naming the argument and what is accepted.
    public init(recipeArguments: [String]) throws(TransformError) {
        guard recipeArguments.count == 1, let equals = recipeArguments[0].firstIndex(of: "=") else {
            throw Self.argumentError("found '\(recipeArguments.joined(separator: ":"))'")
        }
        let word = recipeArguments[0]
        let key = word[..<equals]
        let text = String(word[word.index(after: equals)...])
        switch key {
        case "step":
            guard let step = Float(text) else { throw Self.argumentError("'\(word)' is not a number") }
            stepRule = .absolute(step)
        case "rel":
            guard let ratio = Double(text) else { throw Self.argumentError("'\(word)' is not a number") }
            stepRule = .relative(ratio)
        case "snr":
            guard let decibels = Double(text) else { throw Self.argumentError("'\(word)' is not a number") }
            stepRule = .targetSNR(decibels: decibels)
        default:
            throw Self.argumentError("unknown argument '\(word)'")
        }
        if let problem = ruleProblem { throw Self.argumentError(problem) }
    }

    private static func argumentError(_ problem: String) -> TransformError {
        TransformError(
            .invalidParameter,
            "stage '\(stageName)' takes one of step=ABS (a positive step), rel=R (a positive ratio to the row RMS) or snr=DB (a target in (0, 300] dB); \(problem)"
        )
    }

    /// Why the rule's value is out of range, or `nil`.
    var ruleProblem: String? {
        switch stepRule {
        case .absolute(let step):
            step.isFinite && step > 0 ? nil : "the step \(step) is not positive and finite"
        case .relative(let ratio):
            ratio.isFinite && ratio > 0 ? nil : "the ratio \(ratio) is not positive and finite"
        case .targetSNR(let decibels):
            decibels > 0 && decibels <= 300 ? nil : "the target \(decibels) dB is not in (0, 300]"
        }
    }

    /// `ecsq:step=0.01`, `ecsq:rel=0.05` or `ecsq:snr=30` (whole numbers without a fraction).
    public var recipeText: String {
        switch stepRule {
        case .absolute(let step): "\(Self.stageName):step=\(step)"
        case .relative(let ratio): "\(Self.stageName):rel=\(Self.text(ratio))"
        case .targetSNR(let decibels): "\(Self.stageName):snr=\(Self.text(decibels))"
        }
    }

    /// `value` as the shortest text that reads back to it, without `.0` for whole numbers.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Checks the rule's value and that the shape's element count fits in `Int`.
    /// - Throws: `TransformError.Code.invalidParameter` naming the tensor and the stage.
    public func validate(shape: Shape, tensorName: String) throws(TransformError) {
        if let problem = ruleProblem {
            throw TransformError(.invalidParameter, "stage '\(recipeText)': \(problem)", tensorName: tensorName)
        }
        _ = try IntegerQuantizer.Layout.rowsAndColumns(of: shape, tensorName: tensorName)
    }
}
