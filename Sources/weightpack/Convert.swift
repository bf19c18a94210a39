import ArgumentParser
import Foundation
import TensorCore
import WeightPack

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model between safetensors, NPZ, NPY, raw, GGUF and .wpk.",
        discussion: """
            The output format comes from the output's extension (.safetensors, .npz, .npy, .gguf, .wpk, .bin) \
            unless --to names it; npy-dir and raw without an extension write a folder. A .wpk output is packed \
            with the int8 preset (lossy); `weightpack pack --recipe` chooses another.
            """)

    @Argument(help: "The model to read (a file, a sharded checkpoint's index or folder, or a raw file).")
    var input: String

    @Argument(help: "The file or folder to write.")
    var output: String

    @Option(help: "Output format: safetensors, npz, npy, npy-dir, raw, gguf or wpk.")
    var to: String?

    @Option(help: "Dtype for float tensors: f32, f16 or bf16 (default: each tensor's own).")
    var dtype: String?

    @Option(help: "GGUF output: quantize 2-D float tensors whose rows divide into blocks of 32 (q8_0 or q4_0).")
    var quant: String?

    @Flag(help: "Decode block-quantized tensors (e.g. GGUF Q4_0) to f32 when the output cannot hold them.")
    var dequantize = false

    @Option(help: "safetensors output: split into shards of at most this size, e.g. 2GB or 500MiB.")
    var maxShardSize: String?

    @Flag(help: "npz output: deflate the members (numpy.savez_compressed).")
    var compress = false

    @OptionGroup var raw: RawOptions

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if let to, OutputFormat(rawValue: to.lowercased()) == nil {
            throw ValidationError(
                "--to must be one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")); got '\(to)'.")
        }
        if let dtype, !["f32", "f16", "bf16"].contains(dtype.lowercased()) {
            throw ValidationError("--dtype must be f32, f16 or bf16; got '\(dtype)'.")
        }
        if let quant, GGUFQuantization(rawValue: quant.lowercased()) == nil {
            throw ValidationError("--quant must be q8_0 or q4_0; got '\(quant)'.")
        }
        if quant != nil,
            (to.flatMap { OutputFormat(rawValue: $0.lowercased()) } ?? OutputFormat.fromExtension(of: output)) != .gguf
        {
            throw ValidationError("--quant applies to GGUF output only; name the output *.gguf or add --to gguf.")
        }
        if let maxShardSize, ByteSize.parse(maxShardSize) == nil {
            throw ValidationError("--max-shard-size '\(maxShardSize)' is not a size such as 2GB, 500MB or 1GiB.")
        }
    }

    func run() throws {
        let options = ConvertOptions(
            target: to.flatMap { OutputFormat(rawValue: $0.lowercased()) },
            floatDType: dtype.flatMap { DType(name: $0.lowercased()) },
            ggufQuantization: quant.flatMap { GGUFQuantization(rawValue: $0.lowercased()) }, dequantize: dequantize,
            maximumShardByteCount: maxShardSize.flatMap(ByteSize.parse), compressNPZ: compress,
            raw: try raw.inputOptions())
        let bar = ProgressBar(quiet: quiet)
        defer { bar.finish() }
        let summary = try Converter.convert(
            inputPath: input, outputPath: output, options: options, progress: bar.handler)
        bar.finish()
        if !quiet {
            let written = summary.writtenPaths.count
            var shown = output
            if summary.format == .safetensors, written > 1, let index = summary.writtenPaths.last {
                // The shards' index, named beside the output as the user spelled it.
                let folder = (output as NSString).deletingLastPathComponent
                let name = (index as NSString).lastPathComponent
                shown = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
            }
            print("converted \(summary.tensorCount) tensors to \(summary.format.rawValue): \(shown)")
            print("\(HumanFormat.bytes(summary.writtenByteCount)) in \(written) \(written == 1 ? "file" : "files")")
        }
    }
}
