import Foundation
import TensorCore

/// Magnitude pruning: the weights of smallest magnitude become exactly zero; the survivors are kept as Float32
/// values (open to a later value stage such as `cluster` or `quant`) with an index of where they are.
///
/// Criterion: with a sparsity `s` (`0 ≤ s < 1`), exactly `m = round(s × n)` elements (halves away from zero) are
/// pruned: those of smallest `|w|`, ties at the m-th smallest magnitude broken by index (lower indices pruned
/// first); ±0 count as magnitude 0. With a threshold `T` (`threshold=T`, e.g. one global threshold from
/// ``MagnitudeThreshold`` for `prune:s:global`), every `|w| < T` is pruned and every `|w| ≥ T` kept.
///
/// Stage `prune`. Recipe: `prune:<s>[:global][:threshold=T][:index=auto|bitmap|relative]`, e.g. `prune:0.5`,
/// `prune:threshold=0.0123`, `prune:0.5:global:threshold=0.0123`. A threshold, when given, decides; `global`
/// without a threshold cannot encode (the threshold must come from all tensors first). `index` defaults to
/// `auto`, which takes whichever index is smaller in total bytes (index plus 4 bytes per Float32 survivor;
/// bitmap on a tie).
///
/// Sections, in order:
/// 1. index: `.bytes(symbolWidth: 1)`, either
///    - `bitmap`: `count` bits packed LSB-first (bit `i % 8` of byte `i / 8` is 1 when element `i` survives);
///      `⌈count / 8⌉` bytes, unused high bits of the last byte 0; or
///    - `relative` (Deep Compression §2): one `gapBits`-bit field per survivor entry, packed LSB-first like
///      `cluster`'s indices, `⌈entries × gapBits / 8⌉` bytes. An entry's field is the number of zeros skipped
///      since the previous entry (the first counts from position −1): entry `e` sits at position
///      `p(e) = p(e − 1) + gap(e) + 1`, `p(−1) = −1`. A gap above `2^gapBits − 1` is bridged by filler entries:
///      each filler has gap `2^gapBits − 1` and stores the value 0.0 in the survivors, so it covers `2^gapBits`
///      positions. Zeros after the last entry are implied. `gapBits` in `1...8` minimises the total size
///      (the smallest width on a tie).
/// 2. survivors: `.elements(.float32, [entries])`, the surviving values in index order (with the filler zeros
///    for `relative`). Decoding sets every other element to +0.0.
///
/// Parameters: `index` (`bitmap` | `relative`), `gapBits` (`1`…`8`, relative only), `count` (elements; must equal
/// the shape's element count), `survivors` (entries in the survivors section, fillers included) — all that
/// decoding reads — and, for the record, `fillers`, `pruned` (elements set to zero), and `sparsity` and/or
/// `threshold` as given.
///
/// Source: Han, Mao & Dally, "Deep Compression", ICLR 2016, §2 (pruning; relative indices with filler zeros,
/// 8 bits for conv and 5 bits for fc layers).
public struct MagnitudePruning: ValueTransform {
    /// The stage identifier recorded in the container.
    public static let stageName = "prune"

    /// Which index the encoder writes.
    public enum IndexEncoding: String, Sendable, CaseIterable {
        /// The smaller of `bitmap` and `relative` (with the best gap width).
        case auto
        /// One bit per element.
        case bitmap
        /// Fixed-width gaps between survivors, with filler entries for long gaps.
        case relative
    }

    /// The fraction of elements to prune, `0 ≤ s < 1`, when no threshold is given.
    public var sparsity: Double?
    /// The magnitude threshold (prune `|w| < T`), `0...+∞`; decides when present.
    public var threshold: Float?
    /// True when the threshold is to be computed across all tensors (`global`).
    public var isGlobal: Bool
    /// Which index to write.
    public var index: IndexEncoding

    /// Prunes the fraction `sparsity` (`0..<1`) of each tensor, or with `global`, of all tensors (then a
    /// ``threshold`` must be set with ``withThreshold(_:)`` before encoding).
    public init(sparsity: Double, global: Bool = false, index: IndexEncoding = .auto) {
        precondition(sparsity >= 0 && sparsity < 1, "sparsity must be in 0..<1, found \(sparsity)")
        self.sparsity = sparsity
        threshold = nil
        isGlobal = global
        self.index = index
    }

    /// Prunes every element with `|w| < threshold` (`threshold` ≥ 0, not NaN).
    public init(threshold: Float, index: IndexEncoding = .auto) {
        precondition(threshold >= 0, "threshold must be ≥ 0, found \(threshold)")
        sparsity = nil
        self.threshold = threshold
        isGlobal = false
        self.index = index
    }

    /// This transform with `threshold` deciding (e.g. the global one from ``MagnitudeThreshold``); the sparsity and
    /// `global` are kept for the record.
    public func withThreshold(_ threshold: Float) -> MagnitudePruning {
        precondition(threshold >= 0, "threshold must be ≥ 0, found \(threshold)")
        var copy = self
        copy.threshold = threshold
        return copy
    }

    /// Parses `["0.5"]`, `["0.5", "global"]`, `["threshold=0.01", "index=relative"]`: at most one sparsity word
    /// (a decimal in `0..<1`), an optional `global`, and settings `threshold=T` (a Float32 ≥ 0, `inf` allowed)
    /// and `index=auto|bitmap|relative`. A sparsity or a threshold is required.
    /// - Throws: `TransformError.Code.invalidParameter` naming the argument and what is accepted.
    public init(recipeArguments: [String]) throws(TransformError) {
        let stage = Self.stageName
        let arguments = try StageArgumentList(recipeArguments, stage: stage)
        try arguments.requireKnownKeys(["threshold", "index"], stage: stage)
        var sparsity: Double?
        var global = false
        for word in arguments.words {
            if word == "global", !global {
                global = true
            } else if sparsity == nil, let value = Double(word), value >= 0, value < 1, word.first?.isNumber == true {
                sparsity = value
            } else {
                throw TransformError(
                    .invalidParameter,
                    "stage 'prune' argument '\(word)' is not a sparsity in [0, 1) (e.g. '0.5') or 'global', or repeats one"
                )
            }
        }
        var threshold: Float?
        if let text = arguments.settings["threshold"] {
            guard let value = Float(text), value >= 0, text.first?.isNumber == true || text == "inf" else {
                throw TransformError(
                    .invalidParameter,
                    "stage 'prune' argument 'threshold=\(text)' needs a magnitude ≥ 0 (a decimal, or 'inf')")
            }
            threshold = value
        }
        guard sparsity != nil || threshold != nil else {
            throw TransformError(
                .invalidParameter, "stage 'prune' needs a sparsity in [0, 1) (e.g. 'prune:0.5') or 'threshold=T'")
        }
        guard !global || sparsity != nil else {
            throw TransformError(
                .invalidParameter, "stage 'prune' argument 'global' needs a sparsity, e.g. 'prune:0.5:global'")
        }
        self.sparsity = sparsity
        self.threshold = threshold
        isGlobal = global
        index = try arguments.choice("index", default: .auto, stage: stage)
    }

    /// The canonical recipe text: sparsity, `global`, `threshold=T` (Float32 shortest round-trip text), then
    /// `index=` when not `auto`.
    public var recipeText: String {
        var words = [Self.stageName]
        if let sparsity { words.append("\(sparsity)") }
        if isGlobal { words.append("global") }
        if let threshold { words.append("threshold=\(threshold)") }
        if index != .auto { words.append("index=\(index.rawValue)") }
        return words.joined(separator: ":")
    }

    /// Any shape applies.
    /// - Throws: `TransformError.Code.invalidParameter` when the element count overflows, or when `global` is set
    ///   without a threshold.
    public func validate(shape: Shape, tensorName: String) throws(TransformError) {
        _ = try WeightClustering.elementCount(of: shape, tensorName: tensorName)
        guard threshold != nil || !isGlobal else {
            throw TransformError(
                .invalidParameter,
                "prune:\(sparsity ?? 0):global needs one threshold computed across all tensors (MagnitudeThreshold) before encoding",
                tensorName: tensorName)
        }
    }

    /// Prunes `values` and encodes the index and survivors (layout in the type's documentation).
    /// - Throws: `TransformError.Code.nonFiniteValues` with the count of NaN and infinite values;
    ///   `.invalidParameter` when `values.count` differs from the shape's element count or `global` has no
    ///   threshold.
    /// - Complexity: O(n): two histogram passes for a sparsity, one pass to prune, one to write a relative index.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput {
        try validate(shape: shape, tensorName: tensorName)
        let count = try WeightClustering.elementCount(of: shape, tensorName: tensorName)
        try ValueCheck.require(values, count: count, shape: shape, stage: recipeText, tensorName: tensorName)
        let selection = values.withUnsafeBufferPointer { PrunedSelection($0, rule: pruningRule(values)) }
        var parameters = ["count": String(count), "pruned": String(count - selection.survivors.count)]
        if let sparsity { parameters["sparsity"] = "\(sparsity)" }
        if let threshold { parameters["threshold"] = "\(threshold)" }
        let (gapBits, relativeBytes) = selection.bestGapWidth()
        let bitmapBytes = selection.bitmap.count + 4 * selection.survivors.count
        let useRelative = index == .relative || (index == .auto && relativeBytes < bitmapBytes)
        let indexBytes: Data
        let survivors: [Float]
        if useRelative {
            let relative = selection.relativeIndex(gapBits: gapBits)
            indexBytes = relative.fields.withUnsafeBufferPointer { BitFieldPacking.pack($0, bits: gapBits) }
            survivors = relative.values
            parameters["index"] = IndexEncoding.relative.rawValue
            parameters["gapBits"] = String(gapBits)
            parameters["fillers"] = String(relative.values.count - selection.survivors.count)
        } else {
            indexBytes = Data(selection.bitmap)
            survivors = selection.survivors
            parameters["index"] = IndexEncoding.bitmap.rawValue
            parameters["fillers"] = "0"
        }
        parameters["survivors"] = String(survivors.count)
        return TransformOutput(
            sections: [
                PayloadSection(kind: .bytes(symbolWidth: 1), bytes: indexBytes),
                PayloadSection(float32: survivors, shape: Shape([survivors.count])),
            ],
            parameters: parameters)
    }

    /// The rule for `values`: the threshold, or the exact count for the sparsity.
    private func pruningRule(_ values: [Float]) -> PrunedSelection.Rule {
        if let threshold { return .threshold(threshold) }
        let target = Int(((sparsity ?? 0) * Double(values.count)).rounded())
        guard target > 0 else { return .threshold(0) }
        var histogram = MagnitudeHistogram()
        histogram.add(values)
        var refinement = histogram.refinement(rank: target - 1)
        refinement.add(values)
        return .count(target, largestPruned: refinement.threshold)
    }
}
