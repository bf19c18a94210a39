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

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        guard PackOptions.Quantization(rawValue: quant) != nil else {
            throw ValidationError("--quant must be int8 or none; got '\(quant)'.")
        }
    }

    func run() throws {
        let options = PackOptions(
            quantization: PackOptions.Quantization(rawValue: quant)!, codec: try PackOptions.Codec(parsing: codec))
        let summary = try Packer.pack(inputPath: input, outputPath: output, options: options)
        if !quiet {
            let ratio = Double(summary.inputFileByteCount) / Double(max(summary.outputFileByteCount, 1))
            print(
                "packed \(summary.tensors.count) tensors: \(input) (\(HumanFormat.bytes(summary.inputFileByteCount))) → "
                    + "\(output) (\(HumanFormat.bytes(summary.outputFileByteCount))), ratio \(HumanFormat.fixed(ratio, digits: 2))")
        }
    }
}
