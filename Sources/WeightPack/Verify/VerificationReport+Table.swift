import Foundation
import TensorCore

extension VerificationReport {
    /// The report as an 80-column table, tensors below `minimumSNR` first, then summary lines.
    /// Name and shape mismatches are not in the table: see ``mismatchMessages``.
    public func renderTable(minimumSNR: Double? = nil) -> String {
        var table = TextTable(columns: [
            .init("tensor", width: 29, alignLeft: true), .init("max|err|", width: 8), .init("rmse", width: 8),
            .init("snr dB", width: 7), .init("cosine", width: 8), .init("status", width: 9, alignLeft: true),
        ])
        let failing = Set(minimumSNR.map { tensors(belowSNR: $0).map { TensorNameKey($0.name) } } ?? [])
        let isFailing = { (row: TensorComparison) in failing.contains(TensorNameKey(row.name)) }
        for row in tensors.filter(isFailing) + tensors.filter({ !isFailing($0) }) {
            let status =
                isFailing(row)
                ? "FAIL"
                : row.bitExact ? "bit-exact" : row.snrDecibels.isNaN ? "NaN" : row.snrDecibels.isFinite ? "" : "exact"
            table.rows.append([
                row.name, scientific(row.maxAbsError), scientific(row.rmse),
                HumanFormat.fixed(row.snrDecibels, digits: 2),
                HumanFormat.fixed(row.cosine, digits: 6), status,
            ])
        }
        return table.render() + "\n" + summaryLines(minimumSNR: minimumSNR)
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
        let summary = VerificationSummary(self, minimumSNR: minimumSNR)
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
            lines.append("lowest: \(worst)")
        }
        if let minimumSNR {
            lines.append(
                "\(plural(summary.belowThreshold.count, "tensor")) below \(HumanFormat.compact(minimumSNR)) dB")
        }
        if summary.nameOrShapeMismatches > 0 {
            lines.append("\(plural(summary.nameOrShapeMismatches, "tensor")) missing from one file or of another shape")
        }
        return lines.joined(separator: "\n")
    }

    private func scientific(_ value: Double) -> String {
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
