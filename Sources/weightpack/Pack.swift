import ArgumentParser
import Foundation
import WeightPack

struct Pack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pack a model into a compressed .wpk container.",
        discussion: """
            A recipe is a preset or a chain of stages separated by '|', each with ':'-separated arguments \
            (README, "Recipes"). Presets: lossless, int8 (the default), int4, q8_0, q4_0, cluster4, deep, \
            ec:DB (e.g. ec:30).

            Stages: quant:int8|int4|int2[:sym|asym][:per_tensor|per_channel|group=G][:scale=f16], \
            ggml:q8_0|q4_0|q4_1|q5_0|q5_1, ecsq:snr=DB|rel=R|step=S, \
            cluster:Nbit[:init=linear|density|kmeans++][:codebook=f16][:iterations=N], \
            prune:SPARSITY[:global][:index=bitmap|relative], lowrank:rank=R|energy=F, shuffle, and last an \
            entropy stage: huffman, zstd[:LEVEL], lz4 or auto.

            Example: --recipe 'prune:0.5|cluster:4bit|huffman' --rule '*.embeddings.*=int8'

            Float tensors with fewer than 2 dimensions (biases, norms) and integer tensors keep their values \
            (only the recipe's lossless stages apply) unless a --rule names them.
            """)

    @Argument(help: "The model to pack (safetensors, sharded safetensors, npz, npy, gguf, raw, or .wpk).")
    var input: String

    @Option(name: .shortAndLong, help: "The .wpk file to write (not with --dry-run).")
    var output: String?

    @Option(help: "The recipe for float tensors with 2 or more dimensions: a preset or a chain (see above).")
    var recipe: String?

    @Option(
        name: .customLong("rule"),
        help: "GLOB=RECIPE: tensors whose names match GLOB get RECIPE in full (repeatable; the last match wins).")
    var rules: [String] = []

    @Option(help: "Shorthand for --recipe: quantization int8 or none (default int8).")
    var quant: String?

    @Option(help: "Shorthand for --recipe: the entropy stage zstd, zstd:LEVEL, lz4 or none (default zstd).")
    var codec: String?

    @Option(help: "A plan from `tune --plan`: each tensor's recipe by name (replaces --recipe and --rule).")
    var plan: String?

    @Flag(name: .customLong("dry-run"), help: "Print each tensor's expected bytes, bpw and SNR; write nothing.")
    var dryRun = false

    @Option(help: "NaN or infinity in a tensor a lossy stage gets: error (default), zero, or keep-float.")
    var nan: String = "error"

    @OptionGroup var raw: RawOptions

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if output == nil, !dryRun { throw ValidationError("Missing expected argument '--output <output>'") }
        if output != nil, dryRun { throw ValidationError("--dry-run writes nothing; drop -o.") }
        if PackOptions.NonFinitePolicy(rawValue: nan) == nil {
            throw ValidationError("--nan must be error, zero or keep-float; got '\(nan)'.")
        }
        if plan != nil, recipe != nil || quant != nil || codec != nil || !rules.isEmpty {
            throw ValidationError("--plan gives every tensor's recipe; drop --recipe, --rule, --quant and --codec.")
        }
        if recipe != nil, quant != nil || codec != nil {
            throw ValidationError("--recipe replaces --quant and --codec; give one or the other.")
        }
        if let quant, PackOptions.Quantization(rawValue: quant.lowercased()) == nil {
            throw ValidationError(
                "--quant must be int8 or none; got '\(quant)'. Other quantizations are recipes, e.g. --recipe int4.")
        }
        if let codec {
            do { _ = try PackOptions.Codec(parsing: codec).makeCodec() } catch {
                throw ValidationError("--codec: \(error.message).")
            }
        }
        do { _ = try packOptions() } catch let error as WeightPackError {
            throw ValidationError("\(recipe != nil ? "--recipe: " : rules.isEmpty ? "" : "--rule: ")\(error.message).")
        }
    }

    func packOptions() throws -> PackOptions {
        if let recipe, recipe.trimmingCharacters(in: .whitespaces).isEmpty {
            throw WeightPackError(.invalidOption, "the recipe is empty; give a preset (e.g. int8) or 'none'")
        }
        if let plan {
            do { return try TunePlan.read(path: plan).packOptions() } catch {
                var error = error
                if error.path == nil { error.path = plan }
                throw error
            }
        }
        let rules = try rules.map { try RecipeRule(parsing: $0) }
        if let recipe { return PackOptions(recipe: try Recipe.parse(recipe), rules: rules) }
        var options = try PackOptions(
            quantization: PackOptions.Quantization(rawValue: (quant ?? "int8").lowercased()) ?? .int8,
            codec: try PackOptions.Codec(parsing: codec ?? "zstd"))
        options.rules = rules
        return options
    }

    func run() throws {
        var options = try packOptions()
        options.nonFinite = PackOptions.NonFinitePolicy(rawValue: nan) ?? .error
        let bar = ProgressBar(quiet: quiet)
        defer { bar.finish() }
        if dryRun {
            let plan = try Packer.dryRun(
                inputPath: input, options: options, raw: try raw.inputOptions(), progress: bar.handler)
            bar.finish()
            if !quiet { print(plan.renderTable()) }
            return
        }
        let summary = try Packer.pack(
            inputPath: input, outputPath: output ?? "", options: options, raw: try raw.inputOptions(),
            progress: bar.handler)
        bar.finish()
        if !quiet { print(summary.renderLines()) }
    }
}
