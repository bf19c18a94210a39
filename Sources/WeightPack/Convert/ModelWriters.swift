import Formats
import Foundation
import TensorCore

/// Writers for the targets that take a whole collection (npz, npy, npy-dir, raw) or a typed layout (gguf).
enum ModelWriters {
    static func write(_ plan: ConversionPlan, as target: OutputFormat, to outputPath: String, options: ConvertOptions)
        throws -> ConvertSummary
    {
        switch target {
        case .raw:
            let collection = try plan.collection()
            if OutputFormat.fromExtension(of: outputPath) == .raw {
                guard collection.tensors.count == 1 else {
                    throw WeightPackError(
                        .invalidOutput,
                        "a raw file holds one tensor; the model has \(collection.tensors.count): name a folder to get one file per tensor",
                        path: outputPath)
                }
                try RawTensorWriter.write(collection.tensors[0], to: outputPath)
                return summary(target, [outputPath], 1)
            }
            try RawTensorWriter.writeFolder(collection, to: outputPath)
            return summary(target, folderFiles(outputPath), collection.tensors.count)
        case .npz:
            let collection = try plan.collection()
            try NPZWriter.write(collection, to: outputPath, compressed: options.compressNPZ)
            return summary(target, [outputPath], collection.tensors.count)
        case .npy:
            guard plan.entries.count == 1 else {
                throw WeightPackError(
                    .invalidOutput,
                    "an .npy file holds one array; the model has \(plan.entries.count) tensors: use .npz or --to npy-dir",
                    path: outputPath)
            }
            try NPYWriter.write(try plan.tensor(plan.entries[0]), to: outputPath)
            return summary(target, [outputPath], 1)
        case .npyDirectory:
            return try writeNPYDirectory(plan, to: outputPath)
        case .gguf:
            return try GGUFModelWriter.write(plan, to: outputPath, quantization: options.ggufQuantization)
        case .safetensors, .wpk:
            throw WeightPackError(
                .unsupportedFormat, "internal: \(target.rawValue) has its own writer", path: outputPath)
        }
    }

    /// One `.npy` per tensor, named by ``RawTensorWriter/fileName(for:suffix:)``; on failure the files written
    /// so far are removed.
    private static func writeNPYDirectory(_ plan: ConversionPlan, to folder: String) throws -> ConvertSummary {
        let existed = FileManager.default.fileExists(atPath: folder)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw WeightPackError(
                .invalidOutput, "cannot create the folder: \(error.localizedDescription)", path: folder)
        }
        var written: [String] = []
        do {
            for entry in plan.entries {
                let path = URL(fileURLWithPath: folder)
                    .appendingPathComponent(RawTensorWriter.fileName(for: entry.info.name, suffix: ".npy")).path
                try NPYWriter.write(try plan.tensor(entry), to: path)
                written.append(path)
            }
        } catch {
            for path in written { try? FileManager.default.removeItem(atPath: path) }
            if !existed { try? FileManager.default.removeItem(atPath: folder) }
            throw error
        }
        return summary(.npyDirectory, written, written.count)
    }

    static func summary(_ target: OutputFormat, _ paths: [String], _ count: Int) -> ConvertSummary {
        ConvertSummary(
            format: target, writtenPaths: paths, tensorCount: count,
            writtenByteCount: paths.reduce(0) { $0 + Converter.fileSize($1) })
    }

    static func folderFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map {
            URL(fileURLWithPath: folder).appendingPathComponent($0).path
        }
    }
}
