import ArgumentParser
import Foundation
import WeightPack

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a candidate file's tensors against a reference: max error, RMSE, SNR, cosine.",
        discussion: """
            Exits with 1 when a tensor is below --min-snr or the files' tensor names or shapes differ. \
            The --json schema is described in docs/INSPECT-JSON.md.
            """)

    @Argument(help: "The reference file (e.g. the original .safetensors).")
    var reference: String

    @Argument(help: "The candidate file (e.g. the unpacked or packed model).")
    var candidate: String

    @Option(parsing: .unconditional, help: "Fail (exit 1) when any tensor's SNR is below this many dB.")
    var minSnr: Double?

    @Option(parsing: .unconditional, help: "Fail (exit 1) when any tensor's max |error| exceeds this.")
    var maxAbs: Double?

    @Option(parsing: .unconditional, help: "Fail (exit 1) when any tensor's cosine similarity is below this.")
    var minCosine: Double?

    @Flag(help: "Fail (exit 1) unless every tensor is identical bit for bit; show the first differing element.")
    var exact = false

    @Option(help: "Columns to print, comma-separated: max-abs, rmse, snr, cosine, rel-frob.")
    var metric: String?

    @Flag(help: "Print JSON (schema weightpack.verify/1).")
    var json = false

    @Flag(name: .shortAndLong, help: "No progress bar.")
    var quiet = false

    func validate() throws {
        for (flag, value) in [("--min-snr", minSnr), ("--max-abs", maxAbs), ("--min-cosine", minCosine)] {
            if let value, !value.isFinite {
                throw ValidationError("\(flag) must be a finite number; got \(value).")
            }
        }
        _ = try metrics()
    }

    private func metrics() throws -> [VerificationMetric] {
        guard let metric else { return VerificationMetric.defaults }
        return try metric.split(separator: ",").map { name in
            guard let parsed = VerificationMetric(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
            else {
                throw ValidationError(
                    "--metric '\(name)' is not one of \(VerificationMetric.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            return parsed
        }
    }

    func run() throws {
        let thresholds = VerificationThresholds(
            minimumSNR: minSnr, maximumAbsError: maxAbs, minimumCosine: minCosine, exact: exact)
        let bar = ProgressBar(quiet: quiet || json)
        defer { bar.finish() }
        let report = try Verifier.verify(
            referencePath: reference, candidatePath: candidate, thresholds: thresholds, progress: bar.handler)
        bar.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.renderTable(thresholds: thresholds, metrics: try metrics()))
        }
        let summary = VerificationSummary(report, thresholds: thresholds)
        for line in report.mismatchMessages { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if let minSnr, !summary.belowThreshold.isEmpty {
            let names = summary.belowThreshold.prefix(5).joined(separator: ", ")
            let more = summary.belowThreshold.count > 5 ? ", …" : ""
            FileHandle.standardError.write(
                Data(
                    "error: \(summary.belowThreshold.count) below \(HumanFormat.compact(minSnr)) dB: \(names)\(more)\n"
                        .utf8))
        }
        // Reasons other than the SNR one (already on the line above), one line per tensor.
        for failure in summary.failing {
            let reasons = failure.reasons.filter { !$0.hasPrefix("SNR ") }
            guard !reasons.isEmpty else { continue }
            let line = "error: \(failure.name): \(reasons.joined(separator: "; "))"
            FileHandle.standardError.write(Data((TextTable.escapingControlCharacters(line) + "\n").utf8))
        }
        if !summary.passed { throw ExitCode(ExitStatus.verificationFailed) }
    }
}
