import Formats
import Foundation
import TensorCore

/// The outcome of `convert`.
public struct ConvertSummary: Sendable {
    /// The format written.
    public var format: OutputFormat
    /// The files written (one, or the shards and index, or a folder's files).
    public var writtenPaths: [String]
    /// Tensors written.
    public var tensorCount: Int
    /// Bytes written over all files.
    public var writtenByteCount: Int
}

/// Converts a model between formats, tensor by tensor.
public enum Converter {
    /// Reads `inputPath` (any readable format) and writes `outputPath` in `options.target` (or the format its
    /// extension names), converting float dtypes and quantizing as the options say.
    ///
    /// - Throws: `WeightPackError` naming the file and tensor: an unknown target, an output that would overwrite
    ///   the input, a tensor the target cannot hold (with the option that would make it fit, e.g. `--dequantize`),
    ///   or a read or write failure (then no output is left).
    @discardableResult
    public static func convert(
        inputPath: String, outputPath: String, options: ConvertOptions, progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> ConvertSummary {
        guard let target = options.target ?? OutputFormat.fromExtension(of: outputPath) else {
            throw WeightPackError(
                .invalidOutput,
                "cannot tell the output format from the name; add --to safetensors|npz|npy|npy-dir|raw|gguf|wpk",
                path: outputPath)
        }
        if let floatDType = options.floatDType, !floatDType.isFloatingPoint {
            throw WeightPackError(.invalidOption, "--dtype must be a float type; got \(floatDType.name)")
        }
        if options.ggufQuantization != nil, target != .gguf {
            throw WeightPackError(
                .invalidOption, "--quant q8_0|q4_0 applies to GGUF output only; the output is \(target.rawValue)")
        }
        let source = try openTensorSource(path: inputPath, raw: options.raw)
        try checkOutput(outputPath, target: target, inputs: [inputPath] + inputFiles(source))
        let plan = try ConversionPlan(source: source, target: target, options: options, progress: progress)
        do {
            switch target {
            case .wpk:
                let summary = try Packer.pack(
                    source: source, outputPath: outputPath, options: try options.pack ?? PackOptions(),
                    progress: progress)
                return ConvertSummary(
                    format: target, writtenPaths: [outputPath], tensorCount: summary.tensors.count,
                    writtenByteCount: summary.outputFileByteCount)
            case .safetensors:
                return try writeSafetensors(plan, to: outputPath, maximumShardByteCount: options.maximumShardByteCount)
            default:
                return try ModelWriters.write(plan, as: target, to: outputPath, options: options)
            }
        } catch { throw WeightPackError(wrapping: error, path: outputPath) }
    }

    /// Folder targets (npy-dir, raw without a `.bin`/`.raw` name) must be new or empty folders; file targets
    /// must carry their format's extension.
    private static func checkOutput(_ outputPath: String, target: OutputFormat, inputs: [String])
        throws(WeightPackError)
    {
        let requiredExtension: String? =
            switch target {
            case .npyDirectory: nil
            case .raw:
                OutputFormat.fromExtension(of: outputPath) == .raw
                    ? URL(fileURLWithPath: outputPath).pathExtension.lowercased() : nil
            case .safetensors: "safetensors"
            case .npz: "npz"
            case .npy: "npy"
            case .gguf: "gguf"
            case .wpk: "wpk"
            }
        try OutputPath.check(outputPath, against: inputs, requiredExtension: requiredExtension)
    }

    private static func writeSafetensors(_ plan: ConversionPlan, to outputPath: String, maximumShardByteCount: Int?)
        throws -> ConvertSummary
    {
        let specs = plan.entries.map { ($0.info.name, $0.outputDType, $0.info.shape) }
        let byName = Dictionary(plan.entries.map { (TensorNameKey($0.info.name), $0) }, uniquingKeysWith: { a, _ in a })
        // The writers ask for one tensor at a time; the next one in `order` is decoded while the current one is
        // written (a request out of that order is decoded when asked). By the time tensor i + 1 is asked for,
        // tensor i is written and its mapped input pages can go: memory holds about two tensors.
        func streaming<Result>(order: [String], _ body: (_ bytesFor: (String) throws -> Data) throws -> Result) throws
            -> Result
        {
            let producer = OneAheadProducer<Data>(order: order) { name in
                guard let entry = byName[TensorNameKey(name)] else {
                    throw WeightPackError(.invalidOption, "tensor vanished from the source", tensorName: name)
                }
                return try plan.tensor(entry, countingProgress: false).data
            }
            defer { producer.finish() }
            var previous: ConversionPlan.Entry? = nil
            return try body { name in
                if let previous { plan.source.releasePages(of: previous.info, within: nil) }
                let bytes = try producer.item(name)
                previous = byName[TensorNameKey(name)]
                if let previous { plan.markDone(previous) }
                return bytes
            }
        }
        if let maximumShardByteCount {
            let url = URL(fileURLWithPath: outputPath)
            let stem = url.deletingPathExtension().lastPathComponent
            let folder = url.deletingLastPathComponent().path
            let shards = try ShardedSafetensorsWriter.plan(
                specs, stem: stem, maximumShardByteCount: maximumShardByteCount)
            if shards.count > 1 {
                let outputs =
                    shards.map { URL(fileURLWithPath: folder).appendingPathComponent($0.fileName).path } + [
                        URL(fileURLWithPath: folder).appendingPathComponent("\(stem).safetensors.index.json").path
                    ]
                for output in outputs {
                    try OutputPath.check(
                        output, against: inputFiles(plan.source), requiredExtension: nil, mayExist: true)
                }
                // The writer's own order: shard by shard, each in its layout's order.
                let order = try shards.flatMap { shard in
                    try SafetensorsWriter.layout(for: shard.tensors, metadata: plan.metadata).entries.map(\.name)
                }
                let index = try streaming(order: order) { bytesFor in
                    try ShardedSafetensorsWriter.write(
                        shards, metadata: plan.metadata, to: folder, stem: stem, bytesFor: bytesFor)
                }
                let paths =
                    shards.map { URL(fileURLWithPath: folder).appendingPathComponent($0.fileName).path } + [index]
                return ConvertSummary(
                    format: .safetensors, writtenPaths: paths, tensorCount: specs.count,
                    writtenByteCount: paths.reduce(0) { $0 + fileSize($1) })
            }
        }
        let layout = try SafetensorsWriter.layout(for: specs, metadata: plan.metadata)
        try streaming(order: layout.entries.map(\.name)) { bytesFor in
            try SafetensorsWriter.write(layout, to: outputPath) { try bytesFor($0.name) }
        }
        return ConvertSummary(
            format: .safetensors, writtenPaths: [outputPath], tensorCount: specs.count,
            writtenByteCount: layout.fileByteCount)
    }

    /// Every file an open source reads: the path, and a sharded checkpoint's shards.
    static func inputFiles(_ source: any TensorSource) -> [String] {
        var files = [source.path]
        if let sharded = source as? ShardedSafetensorsSource { files += sharded.reader.shards.map(\.file.path) }
        return files
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
