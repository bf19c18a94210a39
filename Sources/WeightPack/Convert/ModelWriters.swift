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
        case .npy, .npz, .npyDirectory, .gguf:
            throw WeightPackError(
                .unsupportedFormat, "writing \(target.rawValue) is not available yet", path: outputPath)
        case .safetensors, .wpk:
            throw WeightPackError(
                .unsupportedFormat, "internal: \(target.rawValue) has its own writer", path: outputPath)
        }
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
