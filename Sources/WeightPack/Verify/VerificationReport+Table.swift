import Foundation
import TensorCore

extension VerificationReport {
    /// The report as an 80-column table, tensors below `minimumSNR` first, then summary lines.
    /// Name and shape mismatches are not in the table: see ``mismatchMessages``.
    public func renderTable(minimumSNR: Double? = nil) -> String {
        renderTable(thresholds: VerificationThresholds(minimumSNR: minimumSNR))
    }

    /// The report as a table of the chosen `metrics`, tensors failing `thresholds` first, then summary lines.
    public func renderTable(
        thresholds: VerificationThresholds, metrics: [VerificationMetric] = VerificationMetric.defaults
    )
        -> String
    {
        var table = TextTable(
            columns: [.init("tensor", width: 29, alignLeft: true)] + metrics.map { .init($0.title, width: $0.width) }
                + [.init("status", width: 9, alignLeft: true)])
        let failing = Set(tensors.filter { !thresholds.failures(of: $0).isEmpty }.map { TensorNameKey($0.name) })
        let isFailing = { (row: TensorComparison) in failing.contains(TensorNameKey(row.name)) }
        for row in tensors.filter(isFailing) + tensors.filter({ !isFailing($0) }) {
            let status =
                isFailing(row)
                ? "FAIL"
                : row.bitExact ? "bit-exact" : row.snrDecibels.isNaN ? "NaN" : row.snrDecibels.isFinite ? "" : "exact"
            table.rows.append([row.name] + metrics.map { $0.format(row) } + [status])
        }
        return table.render() + "\n" + summaryLines(thresholds: thresholds)
    }

    /// One `error: …` line per tensor missing from a file or with a different shape.
    public var mismatchMessages: [String] {
        let lines =
            missingFromCandidate.map { "error: '\($0)' is in the reference only" }
            + missingFromReference.map { "error: '\($0)' is in the candidate only" }
            + shapeMismatches.map { "error: shapes differ: \($0)" }
        return lines.map(TextTable.escapingControlCharacters)
    }

    /// The summary: counts, then SNR median and minimum, then the threshold's outcome; each line ≤ 80 columns
    /// except for long tensor names.
    public func summaryLines(minimumSNR: Double?) -> String {
        summaryLines(thresholds: VerificationThresholds(minimumSNR: minimumSNR))
    }

    /// The summary against every limit in `thresholds`, with the first differing element of each tensor that
    /// fails `--exact` (up to five).
    public func summaryLines(thresholds: VerificationThresholds) -> String {
        let summary = VerificationSummary(self, thresholds: thresholds)
        var lines = [
            "compared \(plural(summary.tensors, "tensor")): \(summary.bitExact) bit-exact, "
                + "\(summary.exactValues) exact in value, \(summary.lossy) lossy"
        ]
        if let median = summary.snrMedianDecibels, let minimum = summary.snrMinimumDecibels,
            let worst = summary.snrMinimumTensor
        {
            lines.append(
                "SNR of lossy tensors: median \(HumanFormat.fixed(median, digits: 2)) dB, "
                    + "min \(HumanFormat.fixed(minimum, digits: 2)) dB")
            lines.append("lowest: \(TextTable.escapingControlCharacters(worst))")
        }
        if let minimumSNR = thresholds.minimumSNR {
            lines.append(
                "\(plural(summary.belowThreshold.count, "tensor")) below \(HumanFormat.compact(minimumSNR)) dB")
        }
        if let maximumAbsError = thresholds.maximumAbsError {
            let count = tensors.filter { !($0.maxAbsError <= maximumAbsError) }.count
            lines.append("\(plural(count, "tensor")) over max |err| \(HumanFormat.compact(maximumAbsError))")
        }
        if let minimumCosine = thresholds.minimumCosine {
            let count = tensors.filter { !($0.cosine >= minimumCosine) }.count
            lines.append("\(plural(count, "tensor")) below cosine \(HumanFormat.compact(minimumCosine))")
        }
        if thresholds.exact {
            let differing = tensors.filter { !$0.bitExact }
            lines.append("\(plural(differing.count, "tensor")) not bit-exact")
            for row in differing.prefix(5) {
                let name = TextTable.escapingControlCharacters(row.name)
                if let difference = row.firstDifference {
                    lines.append(
                        "  \(name): first difference at element \(difference.index): "
                            + "\(difference.candidate) vs reference \(difference.reference)")
                } else {
                    lines.append("  \(name): dtypes differ, values equal")
                }
            }
        }
        if summary.nameOrShapeMismatches > 0 {
            lines.append("\(plural(summary.nameOrShapeMismatches, "tensor")) missing from one file or of another shape")
        }
        return lines.joined(separator: "\n")
    }

    static func scientific(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        guard value.isFinite else { return HumanFormat.fixed(value, digits: 0) }
        var exponent = Int(log10(abs(value)).rounded(.down))
        var mantissa = value / pow(10, Double(exponent))
        if abs(mantissa) >= 9.995 {
            mantissa /= 10
            exponent += 1
        }
        return HumanFormat.fixed(mantissa, digits: 2) + "e" + (exponent < 0 ? "-" : "+") + String(abs(exponent))
    }
}

/// `1 tensor`, `2 tensors`.
func plural(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// A column `verify` can print (`--metric`).
public enum VerificationMetric: String, Sendable, CaseIterable {
    case maxAbs = "max-abs"
    case rmse
    case snr
    case cosine
    case relativeFrobenius = "rel-frob"

    /// The columns printed when `--metric` is not given.
    public static let defaults: [VerificationMetric] = [.maxAbs, .rmse, .snr, .cosine]

    /// The column's title.
    var title: String {
        switch self {
        case .maxAbs: "max|err|"
        case .rmse: "rmse"
        case .snr: "snr dB"
        case .cosine: "cosine"
        case .relativeFrobenius: "rel.frob"
        }
    }

    /// The column's width in characters.
    var width: Int { self == .snr ? 7 : 8 }

    /// The cell for `row`.
    func format(_ row: TensorComparison) -> String {
        switch self {
        case .maxAbs: VerificationReport.scientific(row.maxAbsError)
        case .rmse: VerificationReport.scientific(row.rmse)
        case .snr: HumanFormat.fixed(row.snrDecibels, digits: 2)
        case .cosine: HumanFormat.fixed(row.cosine, digits: 6)
        case .relativeFrobenius: VerificationReport.scientific(row.relativeFrobeniusError)
        }
    }
}
