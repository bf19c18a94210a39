import Foundation
import TensorCore

/// What each tensor becomes on its way to a target format: its output dtype, decided before any data is read,
/// so that streaming writers can lay the file out first.
struct ConversionPlan {
    struct Entry {
        var info: TensorInfo
        var outputDType: DType
    }

    let source: any TensorSource
    let entries: [Entry]
    let metadata: [String: String]
    private let progress: ProgressCounter?

    /// Plans the conversion of every tensor of `source`.
    /// - Throws: `WeightPackError` for a block-quantized tensor without `dequantize` when the target cannot hold it.
    init(source: any TensorSource, target: OutputFormat, options: ConvertOptions, progress: ProgressHandler? = nil)
        throws(WeightPackError)
    {
        self.source = source
        metadata = source.metadata
        var entries: [Entry] = []
        for info in source.tensorInfos where !options.excludedTensors.contains(info.name) {
            let keepsBlocks = target == .gguf && options.ggufQuantization == nil
            if let storage = info.storageType, !options.dequantize, target != .wpk, !keepsBlocks {
                throw WeightPackError(
                    .invalidOption,
                    "the tensor is stored as \(storage), which \(target.rawValue) output cannot hold; pass --dequantize to write it as f32",
                    path: source.path, tensorName: info.name)
            }
            let dtype = info.dtype.isFloatingPoint ? (options.floatDType ?? info.dtype) : info.dtype
            entries.append(Entry(info: info, outputDType: dtype))
        }
        self.entries = entries
        self.progress = progress.map {
            ProgressCounter(
                handler: $0, tensorCount: entries.count, byteCount: entries.reduce(0) { $0 + $1.info.originalByteCount }
            )
        }
    }

    /// The tensor of `entry`, decoded and converted to its output dtype.
    /// - Parameter countingProgress: counts the tensor as done for progress; `false` when it is made ahead of its
    ///   writing (on another thread), whose caller counts it with ``markDone(_:)`` when it is handed over.
    func tensor(_ entry: Entry, countingProgress: Bool = true) throws -> Tensor {
        let decoded = try TensorConversion.restoringSourceDType(try source.decodedTensor(entry.info), info: entry.info)
        let converted = try TensorConversion.converting(decoded, to: entry.outputDType)
        if countingProgress { markDone(entry) }
        return converted
    }

    /// Counts `entry` as done for progress (called on the working thread), when its bytes were made without
    /// counting (``tensor(_:countingProgress:)``) or copied as stored.
    func markDone(_ entry: Entry) {
        progress?.advance(by: entry.info.originalByteCount)
    }

    /// Every tensor converted, in source order (zero-copy slices where the source is mapped and nothing changes).
    func collection() throws -> TensorCollection {
        try TensorCollection(tensors: entries.map { try tensor($0) }, metadata: metadata)
    }
}

/// Counts finished tensors and bytes for a ``ProgressHandler`` across calls that cannot mutate their owner.
final class ProgressCounter {
    private let handler: ProgressHandler
    private let tensorCount: Int
    private let byteCount: Int
    private var tensorsDone = 0
    private var bytesDone = 0

    init(handler: @escaping ProgressHandler, tensorCount: Int, byteCount: Int) {
        self.handler = handler
        self.tensorCount = tensorCount
        self.byteCount = byteCount
    }

    func advance(by bytes: Int) {
        tensorsDone += 1
        bytesDone += bytes
        handler(
            ProgressUpdate(
                tensorsDone: tensorsDone, tensorCount: tensorCount, bytesDone: bytesDone, byteCount: byteCount))
    }
}
