import Foundation
import TensorCore

/// The outcome of `tune` with an output file.
public struct TuneOutcome: Sendable {
    /// The search's result (the plan that was packed).
    public var result: TuneResult
    /// The packed file's summary; `nil` on a dry run.
    public var pack: PackSummary?
}

extension Tuner {
    /// Tunes `inputPath` and, unless `outputPath` is `nil` (a dry run), packs it with the plan. With a byte budget
    /// the packed file is checked against it and re-planned with the excess taken off, up to three times.
    /// - Throws: as ``plan(source:options:progress:)``, and the packer's errors; `.invalidOption` when the file
    ///   still exceeds a byte budget after re-planning.
    public static func tune(
        inputPath: String, outputPath: String?, options: TuneOptions, raw: RawInputOptions? = nil,
        progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> TuneOutcome {
        if let outputPath { try OutputPath.check(outputPath, against: [inputPath], requiredExtension: "wpk") }
        let source = try openTensorSource(path: inputPath, raw: raw)
        var result = try plan(source: source, options: options, progress: progress)
        guard let outputPath else { return TuneOutcome(result: result, pack: nil) }
        var summary = try Packer.pack(source: source, outputPath: outputPath, options: try result.plan.packOptions())
        if case .maximumBytes(let limit) = options.budget {
            var adjusted = options
            var attempts = 0
            while summary.outputFileByteCount > limit, attempts < 3 {
                attempts += 1
                let excess = summary.outputFileByteCount - limit
                guard case .maximumBytes(let current) = adjusted.budget else { break }
                adjusted.budget = .maximumBytes(current - excess - 64)
                result = try plan(source: source, options: adjusted, progress: nil)
                summary = try Packer.pack(
                    source: source, outputPath: outputPath, options: try result.plan.packOptions())
            }
            guard summary.outputFileByteCount <= limit else {
                try? FileManager.default.removeItem(atPath: outputPath)
                throw WeightPackError(
                    .invalidOption,
                    "the packed file takes \(summary.outputFileByteCount) bytes, over the limit of \(limit)",
                    path: outputPath)
            }
        }
        return TuneOutcome(result: result, pack: summary)
    }
}
