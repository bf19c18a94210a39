import ArgumentParser
import Foundation
import WeightPack

struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose each tensor's recipe under an accuracy or size budget, then pack.",
        discussion: """
            Give exactly one budget: --min-snr DB, --target-bpw BITS, --max-size SIZE, or --max-output-error E \
            (with --sensitivity). Each float tensor with 2 or more dimensions is encoded with every candidate \
            recipe and measured; a Lagrangian sweep picks one recipe per tensor (docs/TUNE.md). --target-bpw \
            counts the bits of those tuned tensors only.
            """)

    @Argument(help: "The model to tune.")
    var input: String

    @Option(name: .shortAndLong, help: "The .wpk file to write (omit with --dry-run).")
    var output: String?

    @Option(name: .customLong("min-snr"), help: "Every tuned tensor at least this SNR in dB.")
    var minimumSNR: Double?

    @Option(name: .customLong("target-bpw"), help: "The best accuracy at this average bits per tuned weight.")
    var targetBitsPerWeight: Double?

    @Option(name: .customLong("max-size"), help: "The best accuracy within this file size (e.g. 20MB, 19MiB).")
    var maximumSize: String?

    @Option(name: .customLong("max-output-error"), help: "The smallest file whose predicted 1 − cos is at most this.")
    var maximumOutputError: Double?

    @Option(help: "sens.json from tools/sensitivity.py: β per tensor; the error counts as Σ β·ε².")
    var sensitivity: String?

    @Option(help: "Error weighting without sensitivities: size (default) or uniform.")
    var weighting: String = "size"

    @Option(help: "Comma-separated candidate recipes instead of the standard grid.")
    var candidates: String?

    @Option(help: "Write the chosen plan (weightpack.plan/1 JSON) here; `pack --plan` reproduces it.")
    var plan: String?

    @Flag(name: .customLong("dry-run"), help: "Print each tensor's expected bytes, bpw and SNR; write no .wpk.")
    var dryRun = false

    @OptionGroup var raw: RawOptions

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        let budgets = [minimumSNR != nil, targetBitsPerWeight != nil, maximumSize != nil, maximumOutputError != nil]
        guard budgets.filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --min-snr, --target-bpw, --max-size, --max-output-error.")
        }
        for (flag, value) in [
            ("--min-snr", minimumSNR), ("--target-bpw", targetBitsPerWeight),
            ("--max-output-error", maximumOutputError),
        ] {
            if let value, !(value.isFinite && value > 0) {
                throw ValidationError("\(flag) must be a number greater than 0; got \(value).")
            }
        }
        if maximumOutputError != nil, sensitivity == nil {
            throw ValidationError("--max-output-error needs --sensitivity sens.json.")
        }
        if let maximumSize, ByteSize.parse(maximumSize) == nil {
            throw ValidationError("--max-size '\(maximumSize)' is not a size such as 20MB or 19MiB.")
        }
        if TuneWeighting(rawValue: weighting) == nil {
            throw ValidationError("--weighting must be size or uniform; got '\(weighting)'.")
        }
        if output == nil, !dryRun { throw ValidationError("give -o OUTPUT.wpk, or --dry-run.") }
        if output != nil, dryRun { throw ValidationError("--dry-run writes nothing; drop -o.") }
    }

    func run() throws {
        let budget: TuneBudget =
            if let minimumSNR { .minimumSNR(minimumSNR) } else if let targetBitsPerWeight {
                .targetBitsPerWeight(targetBitsPerWeight)
            } else if let maximumSize { .maximumBytes(ByteSize.parse(maximumSize)!) } else {
                .maximumOutputError(maximumOutputError!)
            }
        var options = TuneOptions(budget: budget, weighting: TuneWeighting(rawValue: weighting)!)
        if let candidates { options.candidates = candidates.split(separator: ",").map(String.init) }
        if let sensitivity { options.sensitivities = try SensitivityFile.read(path: sensitivity) }
        let bar = ProgressBar(quiet: quiet)
        defer { bar.finish() }
        let outcome = try Tuner.tune(
            inputPath: input, outputPath: output, options: options, raw: try raw.inputOptions(), progress: bar.handler)
        bar.finish()
        if let plan {
            try AtomicText.write(outcome.result.plan.json(), to: plan)
        }
        if !quiet {
            print(outcome.result.plan.renderTable(predictedOutputError: outcome.result.predictedOutputError))
            if let summary = outcome.pack { print(summary.renderLines()) }
        }
    }
}
