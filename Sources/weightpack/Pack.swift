import ArgumentParser
import WeightPack

struct Pack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pack a safetensors model into a compressed .wpk container.")

    @Argument(help: "The model to pack (.safetensors or .wpk).")
    var input: String

    @Option(name: .shortAndLong, help: "The .wpk file to write.")
    var output: String

    @Option(help: "Quantization for float tensors with 2 or more dimensions: int8 or none.")
    var quant: String = "int8"

    @Option(help: "Lossless codec applied last: zstd, zstd:LEVEL, lz4 or none.")
    var codec: String = "zstd"

    @OptionGroup var raw: RawOptions

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard PackOptions.Quantization(rawValue: quant.lowercased()) != nil else {
            throw ValidationError("--quant must be int8 or none; got '\(quant)'.")
        }
        do { _ = try PackOptions.Codec(parsing: codec).makeCodec() } catch {
            throw ValidationError("--codec: \(error.message).")
        }
    }

    func run() throws {
        let options = PackOptions(
            quantization: PackOptions.Quantization(rawValue: quant.lowercased())!,
            codec: try PackOptions.Codec(parsing: codec))
        let bar = ProgressBar(quiet: quiet)
        defer { bar.finish() }
        let summary = try Packer.pack(
            inputPath: input, outputPath: output, options: options, raw: try raw.inputOptions(), progress: bar.handler)
        bar.finish()
        if !quiet { print(summary.renderLines()) }
    }
}
