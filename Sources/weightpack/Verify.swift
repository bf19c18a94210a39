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

    @Flag(help: "Print JSON (schema weightpack.verify/1).")
    var json = false

    func validate() throws {
        if let minSnr, !minSnr.isFinite {
            throw ValidationError("--min-snr must be a finite number of dB; got \(minSnr).")
        }
    }

    func run() throws {
        let report = try Verifier.verify(referencePath: reference, candidatePath: candidate, minimumSNR: minSnr)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.renderTable(minimumSNR: minSnr))
        }
        let summary = VerificationSummary(report, minimumSNR: minSnr)
        for line in report.mismatchMessages { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if let minSnr, !summary.belowThreshold.isEmpty {
            let names = summary.belowThreshold.prefix(5).joined(separator: ", ")
            let more = summary.belowThreshold.count > 5 ? ", …" : ""
            FileHandle.standardError.write(
                Data(
                    "error: \(summary.belowThreshold.count) below \(HumanFormat.compact(minSnr)) dB: \(names)\(more)\n"
                        .utf8))
        }
        if !summary.passed { throw ExitCode(ExitStatus.verificationFailed) }
    }
}
