import Foundation
import TensorCore

/// What `tune` found: the plan, and every candidate's point per tuned tensor (the rate-distortion curves).
public struct TuneResult: Sendable {
    /// The chosen recipe per tensor.
    public var plan: TunePlan
    /// Measured points per tuned tensor name.
    public var points: [String: [RateDistortionPoint]]
    /// Predicted output error Σ β_t·ε_t² of the plan, when sensitivities were given.
    public var predictedOutputError: Double?
}

/// Chooses each tensor's recipe under a budget (docs/TUNE.md).
///
/// Every float tensor with enough dimensions is encoded with every candidate recipe, exactly as `pack` would
/// store it, and decoded to measure its SNR; ``BitAllocation`` then picks one point per tensor. Other tensors
/// keep their values (the `lossless` preset). Candidates run in parallel on all cores.
public enum Tuner {
    /// Measures candidates and allocates.
    /// - Throws: `WeightPackError` for an unreadable input, a candidate recipe that does not parse, a budget that
    ///   no allocation meets (naming the smallest reachable size or error), or sensitivities naming no tensor.
    public static func plan(
        source: any TensorSource, options: TuneOptions, progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> TuneResult {
        var texts = ["lossless"] + options.candidates.filter { $0 != "lossless" }
        if case .minimumSNR(let decibels) = options.budget, decibels > 0, decibels.isFinite {
            // The ECSQ step that just reaches the target: the cheapest point at that SNR for most tensors.
            texts.append("ecsq:snr=\(decibels)|huffman")
        }
        let candidates = try texts.map {
            text throws(WeightPackError) in (text, try Recipe.parse(text))
        }
        let lossless = candidates[0].1
        let infos = source.tensorInfos
        let tuned = infos.map {
            $0.dtype.isFloatingPoint && $0.shape.count >= options.minimumTunedDimensions && $0.originalByteCount > 0
        }
        let measurement = CandidateMeasurement()
        var points: [[RateDistortionPoint]] = []
        let totalBytes = infos.reduce(0) { $0 + $1.originalByteCount }
        var doneBytes = 0
        for (position, info) in infos.enumerated() {
            let tensor: Tensor
            do {
                tensor = try TensorConversion.restoringSourceDType(try source.decodedTensor(info), info: info)
            } catch { throw WeightPackError(wrapping: error, path: source.path, tensorName: info.name) }
            let tried = tuned[position] ? candidates : [candidates[0]]
            let measured: [RateDistortionPoint?]
            do {
                measured = try ParallelMap.map(tried.count) { index in
                    measurement.measure(tensor, recipeText: tried[index].0, recipe: tried[index].1)
                }
            } catch { throw WeightPackError(wrapping: error, path: source.path, tensorName: info.name) }
            var found = measured.compactMap { $0 }
            if found.isEmpty || found[0].recipe != "lossless" {
                // The lossless recipe always applies; keep it first so every tensor has an exact fallback.
                let point =
                    measurement.measure(tensor, recipeText: "lossless", recipe: lossless)
                    ?? RateDistortionPoint(recipe: "none", storedBytes: info.originalByteCount, snrDecibels: .infinity)
                found.insert(point, at: 0)
            }
            points.append(found)
            doneBytes += info.originalByteCount
            progress?(
                ProgressUpdate(
                    tensorsDone: position + 1, tensorCount: infos.count, bytesDone: doneBytes, byteCount: totalBytes))
        }
        let choice = try allocate(points: points, infos: infos, tuned: tuned, options: options)
        var entries: [TunePlan.Entry] = []
        var predicted: Double? = options.sensitivities == nil ? nil : 0
        let weights = try itemWeights(infos: infos, options: options)
        for (position, info) in infos.enumerated() {
            let point = points[position][choice[position]]
            entries.append(
                TunePlan.Entry(
                    name: info.name, recipe: point.recipe, elements: (try? info.shape.elementCount()) ?? 0,
                    storedBytes: point.storedBytes, snrDecibels: point.snrDecibels.isFinite ? point.snrDecibels : nil,
                    tuned: tuned[position]))
            if tuned[position], predicted != nil { predicted! += weights[position] * point.relativeNoise }
        }
        var curves: [String: [RateDistortionPoint]] = [:]
        for (position, info) in infos.enumerated() where tuned[position] { curves[info.name] = points[position] }
        return TuneResult(
            plan: TunePlan(budget: options.budget.description, tensors: entries), points: curves,
            predictedOutputError: predicted)
    }

    /// w_t per tensor: β_t with sensitivities (the median β for a tensor they omit or give as 0), else the
    /// element count or 1.
    static func itemWeights(infos: [TensorInfo], options: TuneOptions) throws(WeightPackError) -> [Double] {
        guard let sensitivities = options.sensitivities else {
            return infos.map { options.weighting == .uniform ? 1 : Double((try? $0.shape.elementCount()) ?? 0) }
        }
        let known = infos.compactMap { sensitivities[$0.name] }.filter { $0 > 0 }.sorted()
        guard !known.isEmpty else {
            throw WeightPackError(
                .invalidOption, "the sensitivities name none of the model's tensors with a positive β")
        }
        let median = known[known.count / 2]
        return infos.map { info in
            guard let beta = sensitivities[info.name], beta > 0 else { return median }
            return beta
        }
    }

    private static func allocate(
        points: [[RateDistortionPoint]], infos: [TensorInfo], tuned: [Bool], options: TuneOptions
    ) throws(WeightPackError) -> [Int] {
        let weights = try itemWeights(infos: infos, options: options)
        let tunedIndices = infos.indices.filter { tuned[$0] }
        let items = tunedIndices.map { BitAllocation.Item(points: points[$0], weight: weights[$0]) }
        var choice = Array(repeating: 0, count: infos.count)
        let fixedBytes = infos.indices.filter { !tuned[$0] }.reduce(0) { $0 + points[$1][0].storedBytes }
        let tunedElements = tunedIndices.reduce(0) { $0 + ((try? infos[$1].shape.elementCount()) ?? 0) }
        let picked: [Int]?
        switch options.budget {
        case .minimumSNR(let decibels):
            picked = BitAllocation.cheapest(items, minimumSNR: decibels).map { $0 ?? 0 }
        case .targetBitsPerWeight(let bits):
            picked = BitAllocation.minimumDistortion(items, byteBudget: Int(bits * Double(tunedElements) / 8))
            if picked == nil {
                throw WeightPackError(
                    .invalidOption,
                    "no candidate mix reaches \(bits) bits per weight; the smallest is \(HumanFormat.fixed(smallestBits(items, tunedElements), digits: 3))"
                )
            }
        case .maximumBytes(let bytes):
            let overhead = ContainerOverhead.estimate(tensorCount: infos.count, names: infos.map(\.name))
            picked = BitAllocation.minimumDistortion(items, byteBudget: bytes - fixedBytes - overhead)
            if picked == nil {
                throw WeightPackError(
                    .invalidOption,
                    "no candidate mix fits in \(HumanFormat.bytes(bytes)); tensors kept lossless take \(HumanFormat.bytes(fixedBytes)) and the container about \(HumanFormat.bytes(overhead))"
                )
            }
        case .maximumOutputError(let error):
            guard options.sensitivities != nil else {
                throw WeightPackError(.invalidOption, "--max-output-error needs --sensitivity")
            }
            picked = BitAllocation.minimumBytes(items, distortionBudget: error)
            if picked == nil {
                throw WeightPackError(.invalidOption, "no candidate mix reaches a predicted output error of \(error)")
            }
        }
        for (item, index) in zip(tunedIndices, picked ?? []) { choice[item] = index }
        return choice
    }

    private static func smallestBits(_ items: [BitAllocation.Item], _ elements: Int) -> Double {
        let bytes = items.reduce(0) { $0 + ($1.points.map(\.storedBytes).min() ?? 0) }
        return elements == 0 ? 0 : 8 * Double(bytes) / Double(elements)
    }
}

/// An upper estimate of a `.wpk` file's bytes beyond its segments: the header, up to 63 bytes of padding per
/// segment, and the JSON index (about 600 bytes per record plus its name).
enum ContainerOverhead {
    static func estimate(tensorCount: Int, names: [String]) -> Int {
        64 + tensorCount * (63 + 600) + names.reduce(0) { $0 + $1.utf8.count } + 4096
    }
}
