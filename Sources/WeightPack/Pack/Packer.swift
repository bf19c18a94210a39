import Formats
import Foundation
import TensorCore

/// The outcome of packing one tensor.
public struct PackedTensorSummary: Sendable {
    /// The tensor's name.
    public var name: String
    /// Bytes of the source elements.
    public var originalByteCount: Int
    /// Bytes stored in the `.wpk`.
    public var storedByteCount: Int
    /// Stage names in encode order, e.g. `["quant", "zstd"]`.
    public var stageNames: [String]
    /// What was done about NaN or infinite elements (`--nan zero|keep-float`); `nil` when nothing was.
    public var nonFiniteNote: String? = nil
}

/// The outcome of `pack`.
public struct PackSummary: Sendable {
    /// Per-tensor results, in file order.
    public var tensors: [PackedTensorSummary]
    /// The source file's size in bytes.
    public var inputFileByteCount: Int
    /// The `.wpk` file's size in bytes.
    public var outputFileByteCount: Int
}

extension PackSummary {
    /// Two lines for the terminal: what was written, and the sizes and ratio.
    public func renderLines() -> String {
        let ratio = Double(inputFileByteCount) / Double(max(outputFileByteCount, 1))
        let transformed = tensors.filter {
            $0.stageNames.contains { StageRegistry.standard.transform(named: $0) != nil }
        }
        .count
        return "packed \(plural(tensors.count, "tensor")) (\(transformed) with lossy stages)\n"
            + "\(HumanFormat.bytes(inputFileByteCount)) → \(HumanFormat.bytes(outputFileByteCount)), "
            + "ratio \(HumanFormat.fixed(ratio, digits: 2))"
            + tensors.compactMap { tensor in tensor.nonFiniteNote.map { "\ntensor '\(tensor.name)': \($0)" } }.joined()
    }
}

/// Packs a model file into a `.wpk` container, one tensor at a time.
public enum Packer {
    /// Reads `inputPath` (safetensors or `.wpk`), encodes each tensor per `options`, and writes `outputPath`
    /// atomically. The source's metadata is carried through.
    ///
    /// Memory: the input is memory-mapped; one tensor's decoded and encoded bytes are held at a time.
    /// - Throws: `WeightPackError` naming the file and tensor: a malformed input, NaN or infinity in a tensor to
    ///   quantize, an output path equal to the input, or a write failure (then no output file is left).
    @discardableResult
    public static func pack(
        inputPath: String, outputPath: String, options: PackOptions, raw: RawInputOptions? = nil,
        progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> PackSummary {
        try OutputPath.check(outputPath, against: [inputPath], requiredExtension: "wpk")
        return try pack(
            source: try openTensorSource(path: inputPath, raw: raw), outputPath: outputPath, options: options,
            progress: progress)
    }

    /// Packs an open source into `outputPath` (no output-path checks: the caller makes them).
    /// - Throws: as ``pack(inputPath:outputPath:options:raw:)``.
    @discardableResult
    public static func pack(
        source: any TensorSource, outputPath: String, options: PackOptions, progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> PackSummary {
        let inputPath = source.path
        let totalBytes = source.tensorInfos.reduce(0) { $0 + $1.originalByteCount }
        var doneBytes = 0
        let encoder = TensorEncoder(plan: try PackPlan(source: source, options: options))
        var summaries: [PackedTensorSummary] = []
        do {
            let writer = try WPKWriter(path: outputPath)
            do {
                // Tensors are encoded a window at a time on all cores and written in file order, so memory holds
                // at most one window of encoded tensors and the output does not depend on the core count.
                let infos = source.tensorInfos
                for windowStart in stride(from: 0, to: infos.count, by: ParallelMap.width) {
                    let window = Array(infos[windowStart..<min(windowStart + ParallelMap.width, infos.count)])
                    let encodedWindow = try ParallelMap.map(window.count) { position -> EncodedTensor in
                        let info = window[position]
                        do {
                            return try encoder.encode(
                                try TensorConversion.restoringSourceDType(try source.decodedTensor(info), info: info),
                                nonFinite: options.nonFinite,
                                releaseInput: { range in source.releasePages(of: info, within: range) },
                                populateInput: { range in source.populatePages(of: info, within: range) })
                        } catch { throw WeightPackError(wrapping: error, path: inputPath, tensorName: info.name) }
                    }
                    for (info, encoded) in zip(window, encodedWindow) {
                        try writer.append(
                            name: info.name, dtype: info.dtype, shape: info.shape, stages: encoded.stages,
                            storedPieces: encoded.storedPieces)
                        doneBytes += info.originalByteCount
                        progress?(
                            ProgressUpdate(
                                tensorsDone: summaries.count + 1, tensorCount: infos.count, bytesDone: doneBytes,
                                byteCount: totalBytes))
                        summaries.append(
                            PackedTensorSummary(
                                name: info.name, originalByteCount: info.originalByteCount,
                                storedByteCount: encoded.storedByteCount, stageNames: encoded.stages.map(\.name),
                                nonFiniteNote: encoded.nonFiniteNote))
                        source.releasePages(of: info, within: nil)
                    }
                }
                try writer.finish(
                    metadata: source.metadata,
                    source: ["format": source.format.rawValue, "bytes": String(source.fileByteCount)])
            } catch {
                writer.abort()
                throw error
            }
        } catch {
            throw WeightPackError(wrapping: error, path: outputPath)
        }
        let outputBytes = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int) ?? 0
        return PackSummary(
            tensors: summaries, inputFileByteCount: source.fileByteCount, outputFileByteCount: outputBytes)
    }
}
