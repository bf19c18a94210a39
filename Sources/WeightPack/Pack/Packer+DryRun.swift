import Foundation
import TensorCore

extension Packer {
    /// Encodes and decodes every tensor as `pack` would, writing nothing: each tensor's expected stored bytes,
    /// bits per weight and SNR (`pack --dry-run`).
    /// - Throws: as ``pack(inputPath:outputPath:options:raw:progress:)``, except for output errors.
    public static func dryRun(
        inputPath: String, options: PackOptions, raw: RawInputOptions? = nil, progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> TunePlan {
        let source = try openTensorSource(path: inputPath, raw: raw)
        let plan = try PackPlan(source: source, options: options)
        let chain = StageChain()
        let infos = source.tensorInfos
        var entries: [TunePlan.Entry] = []
        for windowStart in stride(from: 0, to: infos.count, by: ParallelMap.width) {
            let window = Array(infos[windowStart..<min(windowStart + ParallelMap.width, infos.count)])
            let measured: [TunePlan.Entry]
            do {
                measured = try ParallelMap.map(window.count) { position throws(WeightPackError) -> TunePlan.Entry in
                    let info = window[position]
                    let recipe = plan.recipe(for: info.name)
                    do {
                        let tensor = try TensorConversion.restoringSourceDType(
                            try source.decodedTensor(info), info: info)
                        let point = try CandidateMeasurement.measureThrowing(
                            tensor, recipeText: recipe.description, recipe: recipe, chain: chain)
                        return TunePlan.Entry(
                            name: info.name, recipe: recipe.description, elements: try info.shape.elementCount(),
                            storedBytes: point.storedBytes,
                            snrDecibels: point.snrDecibels.isFinite ? point.snrDecibels : nil, tuned: recipe.isLossy)
                    } catch { throw WeightPackError(wrapping: error, path: inputPath, tensorName: info.name) }
                }
            } catch { throw WeightPackError(wrapping: error, path: inputPath) }
            entries += measured
            progress?(
                ProgressUpdate(
                    tensorsDone: entries.count, tensorCount: infos.count,
                    bytesDone: infos[..<entries.count].reduce(0) { $0 + $1.originalByteCount },
                    byteCount: infos.reduce(0) { $0 + $1.originalByteCount }))
        }
        return TunePlan(budget: "none (pack --dry-run: nothing written)", tensors: entries)
    }
}
