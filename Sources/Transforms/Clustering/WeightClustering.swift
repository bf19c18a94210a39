import Foundation
import TensorCore

/// Weight sharing by 1-D k-means: every value is replaced by the index of its nearest of `k = 2^bits` shared
/// centroids (the codebook).
///
/// Clustering runs Lloyd's algorithm on all values of the tensor, exactly (``KMeansClusterer``), from a linear,
/// density or k-means++ initialisation; with any exact zero (±0) in the input, one centroid is fixed at 0.0 so
/// that zeros (e.g. pruned weights, pruning's filler entries) stay exactly zero. The final codebook is rounded
/// to its stored precision first, and each value takes the index of the nearest stored centroid (distance in
/// Float64, ties to the lower index), so the encoder's error is exactly the decoded error. Centroids are stored
/// ascending; duplicates occur when the tensor has fewer than `k` distinct values.
///
/// Stage `cluster`. Recipe: `cluster:<bits>bit[:init=linear|density|kmeans++][:codebook=f32|f16]
/// [:iterations=N][:packing=bits|bytes][:seed=N]`, e.g. `cluster:4bit`; `bits` in `1...8`, defaults `linear`,
/// `f32`, at most 300 iterations, `bits` packing, seed 0.
///
/// Sections, in order:
/// 1. codebook: `.bytes(symbolWidth: 4)` holding `k` little-endian Float32 centroids (`codebook=f32`), or
///    `.bytes(symbolWidth: 2)` holding `k` little-endian IEEE binary16 centroids (`codebook=f16`);
/// 2. indices: `.bytes(symbolWidth: 1)`, one index per element in row-major order: with `packing=bits`,
///    `bits`-bit fields packed LSB-first (element `i` in stream bits `[i × bits, (i + 1) × bits)`, stream bit
///    `j` being bit `j % 8` of byte `j / 8`; `⌈count × bits / 8⌉` bytes, unused high bits of the last byte 0);
///    with `packing=bytes`, one byte per element (`count` bytes, each below `k`).
///
/// Parameters: `bits` (`1`…`8`), `codebook` (`f32` | `f16`), `packing` (`bits` | `bytes`), `count` (elements;
/// must equal the shape's element count) — all that decoding reads — and, for the record, `init`,
/// `iterations` (Lloyd updates performed), `converged` (`true` | `false`) and `zero` (`pinned` when a centroid
/// was fixed at 0.0, else `free`).
///
/// Source: Han, Mao & Dally, "Deep Compression: Compressing Deep Neural Networks with Pruning, Trained
/// Quantization and Huffman Coding", ICLR 2016, §3 (weight sharing; the codebook and `log2(k)`-bit indices).
public struct WeightClustering: ValueTransform {
    /// The stage identifier recorded in the container.
    public static let stageName = "cluster"

    /// The stored precision of the codebook.
    public enum CodebookPrecision: String, Sendable, CaseIterable {
        /// Little-endian Float32 centroids.
        case f32
        /// Little-endian IEEE binary16 centroids (round to nearest even); assignment uses the rounded values.
        case f16

        /// Bytes per stored centroid.
        public var byteWidth: Int { self == .f32 ? 4 : 2 }
    }

    /// How indices are stored.
    public enum Packing: String, Sendable, CaseIterable {
        /// `bits`-bit fields packed LSB-first: the smallest stored form.
        case bits
        /// One index per byte: whole symbols for an entropy coder that follows.
        case bytes
    }

    /// Index width: `k = 2^bits` centroids, `1...8`.
    public var bits: Int
    /// How centroids start.
    public var initialization: KMeansClusterer.Initialization
    /// The stored precision of the codebook.
    public var codebook: CodebookPrecision
    /// The maximum number of Lloyd updates (`0...10_000`); iteration stops earlier at convergence.
    public var maxIterations: Int
    /// How indices are stored.
    public var packing: Packing
    /// The seed of k-means++ initialisation.
    public var seed: UInt64

    /// The default maximum number of Lloyd updates.
    public static let defaultMaxIterations = 300

    /// Creates the stage; `bits` must be in `1...8` and `maxIterations` in `0...10_000` (caller bugs otherwise).
    public init(
        bits: Int, initialization: KMeansClusterer.Initialization = .linear, codebook: CodebookPrecision = .f32,
        maxIterations: Int = defaultMaxIterations, packing: Packing = .bits, seed: UInt64 = 0
    ) {
        precondition((1...8).contains(bits), "bits must be in 1...8, found \(bits)")
        precondition((0...10_000).contains(maxIterations), "maxIterations must be in 0...10000")
        self.bits = bits
        self.initialization = initialization
        self.codebook = codebook
        self.maxIterations = maxIterations
        self.packing = packing
        self.seed = seed
    }

    /// Parses `["4bit", "init=density", "codebook=f16", "iterations=50", "packing=bytes", "seed=7"]`: exactly one
    /// `<bits>bit` word (`1bit`…`8bit`), then optional settings in any order, each at most once.
    /// - Throws: `TransformError.Code.invalidParameter` naming the argument and what is accepted.
    public init(recipeArguments: [String]) throws(TransformError) {
        let stage = Self.stageName
        let arguments = try StageArgumentList(recipeArguments, stage: stage)
        try arguments.requireKnownKeys(["init", "codebook", "iterations", "packing", "seed"], stage: stage)
        guard arguments.words.count == 1, let word = arguments.words.first, word.hasSuffix("bit"),
            let bits = Int(word.dropLast(3)), (1...8).contains(bits), word.first?.isNumber == true
        else {
            throw TransformError(
                .invalidParameter,
                "stage 'cluster' needs exactly one index width '1bit'…'8bit' (k = 2^bits centroids); found \(arguments.words.isEmpty ? "none" : arguments.words.map { "'\($0)'" }.joined(separator: ", "))"
            )
        }
        var iterations = Self.defaultMaxIterations
        if let text = arguments.settings["iterations"] {
            guard let value = Int(text), (0...10_000).contains(value) else {
                throw TransformError(
                    .invalidParameter, "stage 'cluster' argument 'iterations=\(text)' needs an integer in 0...10000")
            }
            iterations = value
        }
        var seed: UInt64 = 0
        if let text = arguments.settings["seed"] {
            guard let value = UInt64(text) else {
                throw TransformError(
                    .invalidParameter, "stage 'cluster' argument 'seed=\(text)' needs an unsigned 64-bit integer")
            }
            seed = value
        }
        self.init(
            bits: bits, initialization: try arguments.choice("init", default: .linear, stage: stage),
            codebook: try arguments.choice("codebook", default: .f32, stage: stage), maxIterations: iterations,
            packing: try arguments.choice("packing", default: .bits, stage: stage), seed: seed)
    }

    /// The canonical recipe text: the width, then only the settings that differ from their defaults, in the
    /// order `init`, `codebook`, `iterations`, `packing`, `seed`.
    public var recipeText: String {
        var words = [Self.stageName, "\(bits)bit"]
        if initialization != .linear { words.append("init=\(initialization.rawValue)") }
        if codebook != .f32 { words.append("codebook=\(codebook.rawValue)") }
        if maxIterations != Self.defaultMaxIterations { words.append("iterations=\(maxIterations)") }
        if packing != .bits { words.append("packing=\(packing.rawValue)") }
        if seed != 0 { words.append("seed=\(seed)") }
        return words.joined(separator: ":")
    }

    /// Any shape applies, as long as its element count fits in `Int`.
    /// - Throws: `TransformError.Code.invalidParameter` when the element count overflows.
    public func validate(shape: Shape, tensorName: String) throws(TransformError) {
        _ = try Self.elementCount(of: shape, tensorName: tensorName)
    }

    /// Clusters `values` and encodes the codebook and indices (layout in the type's documentation).
    /// - Throws: `TransformError.Code.nonFiniteValues` with the count of NaN and infinite values;
    ///   `.invalidParameter` when `values.count` differs from the shape's element count, or when a centroid
    ///   exceeds the binary16 range with `codebook=f16`.
    /// - Complexity: O(n) for the sort and the assignment (split across cores), O(k log n) per Lloyd update;
    ///   deterministic.
    public func encode(_ values: [Float], shape: Shape, tensorName: String) throws(TransformError) -> TransformOutput {
        let count = try Self.elementCount(of: shape, tensorName: tensorName)
        try ValueCheck.require(values, count: count, shape: shape, stage: recipeText, tensorName: tensorName)
        let clusterer = KMeansClusterer(
            k: 1 << bits, initialization: initialization, maxIterations: maxIterations, seed: seed)
        let result = values.withUnsafeBufferPointer { clusterer.cluster(SortedValues($0), pinningZero: true) }
        let centroids = try storedCentroids(result.centroids, tensorName: tensorName)
        let lookup = NearestCentroidLookup(ascending: centroids)
        var indices = [UInt8](repeating: 0, count: count)
        values.withUnsafeBufferPointer { input in
            indices.withUnsafeMutableBufferPointer { lookup.assign(input, to: $0) }
        }
        let indexBytes =
            packing == .bytes
            ? Data(indices)
            : indices.withUnsafeBufferPointer {
                BitFieldPacking.pack($0, bits: bits)
            }
        let parameters = [
            "bits": String(bits), "codebook": codebook.rawValue, "packing": packing.rawValue, "count": String(count),
            "init": initialization.rawValue, "iterations": String(result.iterations),
            "converged": String(result.converged), "zero": result.hasPinnedZero ? "pinned" : "free",
        ]
        return TransformOutput(
            sections: [
                PayloadSection(kind: .bytes(symbolWidth: codebook.byteWidth), bytes: codebookBytes(centroids)),
                PayloadSection(kind: .bytes(symbolWidth: 1), bytes: indexBytes),
            ],
            parameters: parameters)
    }

    /// The centroids as stored: unchanged for f32, rounded through binary16 for f16.
    private func storedCentroids(_ centroids: [Float], tensorName: String) throws(TransformError) -> [Float] {
        guard codebook == .f16 else { return centroids }
        let rounded = centroids.map { FloatConversion.float32(float16Bits: FloatConversion.float16Bits($0)) }
        if let index = rounded.firstIndex(where: { !$0.isFinite }) {
            throw TransformError(
                .invalidParameter,
                "centroid \(centroids[index]) exceeds the binary16 range (±65504) of codebook=f16; use codebook=f32",
                tensorName: tensorName)
        }
        return rounded
    }

    /// The codebook section's bytes.
    private func codebookBytes(_ centroids: [Float]) -> Data {
        var bytes = Data(capacity: centroids.count * codebook.byteWidth)
        for centroid in centroids {
            if codebook == .f32 {
                withUnsafeBytes(of: centroid.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            } else {
                withUnsafeBytes(of: FloatConversion.float16Bits(centroid).littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// The shape's element count.
    /// - Throws: `TransformError.Code.invalidParameter` when it overflows `Int`.
    static func elementCount(of shape: Shape, tensorName: String) throws(TransformError) -> Int {
        do { return try shape.elementCount() } catch {
            throw TransformError(.invalidParameter, error.message, tensorName: tensorName)
        }
    }
}
