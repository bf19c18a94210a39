import ArgumentParser
import WeightPack

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an HTML report: bytes per layer, bits per weight, SNR and weight histograms.",
        discussion: """
            The report is one self-contained .html file (inline SVG and CSS, no scripts, nothing fetched). \
            With --reference, it adds the SNR of every tensor and the reference's values to the histograms. \
            The file is written to a temporary file beside the output and renamed into place when complete.
            """)

    @Argument(help: "The file to report on (any readable format, e.g. a .wpk).")
    var file: String

    @Option(help: "The original model to compare against (adds SNR per tensor and 'before' histograms).")
    var reference: String?

    @Option(name: .shortAndLong, help: "The .html file to write.")
    var output: String

    @Option(help: "Histograms of this many of the largest float tensors, 0 to 4.")
    var histograms: Int = 4

    @Option(
        name: .customLong("rate-distortion"),
        help: "A weightpack.rd/1 file (bench/rd_curve.py writes one): adds the rate-distortion chart.")
    var rateDistortion: String?

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard (0...4).contains(histograms) else {
            throw ValidationError("--histograms must be between 0 and 4; got \(histograms).")
        }
    }

    func run() throws {
        let bytes = try ReportBuilder.write(
            path: file, referencePath: reference, outputPath: output,
            options: ReportOptions(
                histogramCount: histograms, rateDistortion: try rateDistortion.map(RateDistortionCurves.read(path:))))
        if !quiet { print("wrote \(output) (\(HumanFormat.bytes(bytes)))") }
    }
}
