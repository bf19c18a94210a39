import ArgumentParser
import Foundation
import WeightPack

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a candidate file's tensors against a reference: max error, RMSE, SNR, cosine.",
        discussion: "Exits with 1 when a tensor is below --min-snr or the files' tensor names or shapes differ.")

    @Argument(help: "The reference file (e.g. the original .safetensors).")
    var reference: String

    @Argument(help: "The candidate file (e.g. the unpacked or packed model).")
    var candidate: String

    @Option(help: "Fail (exit 1) when any tensor's SNR is below this many dB.")
    var minSnr: Double?

    @Flag(help: "Print JSON (schema weightpack.verify/1).")
    var json = false

    func run() throws {
        let report = try Verifier.verify(referencePath: reference, candidatePath: candidate)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.renderTable(minimumSNR: minSnr))
        }
        let failed = minSnr.map { !report.tensors(belowSNR: $0).isEmpty } ?? false
        if failed || !report.namesAndShapesMatch {
            throw ExitCode(ExitStatus.verificationFailed)
        }
    }
}
