import Foundation

extension VerificationReport {
    /// The report as an 80-column table, failing tensors (below `minimumSNR`) first, then a summary.
    public func renderTable(minimumSNR: Double? = nil) -> String {
        var table = TextTable(columns: [
            .init("tensor", width: 30, alignLeft: true), .init("max|err|", width: 9), .init("rmse", width: 9),
            .init("snr dB", width: 7), .init("cosine", width: 9), .init("", width: 10, alignLeft: true),
        ])
        let failing = Set(minimumSNR.map { tensors(belowSNR: $0).map(\.name) } ?? [])
        let ordered = tensors.filter { failing.contains($0.name) } + tensors.filter { !failing.contains($0.name) }
        for row in ordered {
            table.rows.append([
                row.name, scientific(row.maxAbsError), scientific(row.rmse),
                row.snrDecibels.isFinite ? HumanFormat.fixed(row.snrDecibels, digits: 2) : "exact",
                HumanFormat.fixed(row.cosine, digits: 6),
                failing.contains(row.name) ? "FAIL" : (row.bitExact ? "bit-exact" : ""),
            ])
        }
        var lines = [table.render()]
        for name in missingFromCandidate { lines.append("error: '\(name)' is in the reference only") }
        for name in missingFromReference { lines.append("error: '\(name)' is in the candidate only") }
        for mismatch in shapeMismatches { lines.append("error: shapes differ: \(mismatch)") }
        lines.append(summary(minimumSNR: minimumSNR))
        return lines.joined(separator: "\n")
    }

    /// One line: tensor count, bit-exact count, SNR median and minimum (with its tensor), failures.
    public func summary(minimumSNR: Double?) -> String {
        let lossy = tensors.filter { $0.snrDecibels.isFinite }.sorted { $0.snrDecibels < $1.snrDecibels }
        var text = "summary: \(tensors.count) tensors compared, \(tensors.filter(\.bitExact).count) bit-exact"
        if let worst = lossy.first {
            let median = lossy.count % 2 == 1
                ? lossy[lossy.count / 2].snrDecibels
                : (lossy[lossy.count / 2 - 1].snrDecibels + lossy[lossy.count / 2].snrDecibels) / 2
            text += "; lossy: \(lossy.count), SNR median \(HumanFormat.fixed(median, digits: 2)) dB, "
                + "min \(HumanFormat.fixed(worst.snrDecibels, digits: 2)) dB (\(worst.name))"
        }
        if let minimumSNR {
            text += "; \(tensors(belowSNR: minimumSNR).count) below \(HumanFormat.fixed(minimumSNR, digits: 1)) dB"
        }
        let mismatches = missingFromCandidate.count + missingFromReference.count + shapeMismatches.count
        if mismatches > 0 { text += "; \(mismatches) tensor name or shape mismatches" }
        return text
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
