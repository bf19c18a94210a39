import TensorCore

/// Histograms of one tensor's values before (the reference) and after (decoded from the file), over the same
/// bins, from the same evenly spaced sample positions.
public struct WeightHistogram: Sendable, Equatable {
    /// The tensor's name.
    public var name: String
    /// Its dtype as `inspect` prints it (`f32`, or a GGUF block type such as `q4_0`).
    public var dtype: String
    /// Its dimensions.
    public var shape: [Int]
    /// Its element count.
    public var elementCount: Int
    /// Its stage chain in the file (e.g. `["int8", "zstd"]`).
    public var stages: [String]
    /// Elements sampled from each tensor (all of them when the tensor is no larger than the sample limit).
    public var sampledCount: Int
    /// The left edge of the first bin: the smallest finite value of both tensors.
    public var lowerBound: Double
    /// The right edge of the last bin: the largest finite value of both tensors.
    public var upperBound: Double
    /// Sampled counts per bin of the reference's values; `nil` without a reference (or when it lacks the tensor).
    public var referenceCounts: [Int]?
    /// Sampled counts per bin of the values decoded from the file.
    public var decodedCounts: [Int]
    /// NaN and infinite elements (whole tensors, reference and decoded), left out of the bins.
    public var nonFiniteCount: Int
    /// The quantization grid of an `int8` stage; `nil` for other tensors.
    public var grid: QuantizationGrid?
    /// Remarks for the reader: a GGUF block type, a tensor missing from the reference.
    public var notes: [String]

    /// The width of one bin.
    public var binWidth: Double { (upperBound - lowerBound) / Double(max(1, decodedCounts.count)) }

    /// Creates a histogram from scans of the decoded tensor and, when given, of the reference.
    /// - Complexity: O(samples).
    init(
        row: InspectionRow, decoded: TensorScan, reference: TensorScan?, binCount: Int, grid: QuantizationGrid?,
        notes: [String]
    ) {
        name = row.name
        dtype = row.dtype
        shape = row.shape
        elementCount = row.elementCount
        stages = row.stages
        sampledCount = decoded.sampledCount
        var lower = min(decoded.minimum, reference?.minimum ?? .infinity)
        var upper = max(decoded.maximum, reference?.maximum ?? -.infinity)
        if !lower.isFinite || !upper.isFinite { (lower, upper) = (-1, 1) }
        if !(upper > lower) {
            let pad = lower == 0 ? 1 : abs(lower) * 0.01
            (lower, upper) = (lower - pad, upper + pad)
        }
        lowerBound = lower
        upperBound = upper
        let bins = max(1, binCount)
        decodedCounts = Self.counts(decoded.samples, lower: lower, upper: upper, bins: bins)
        referenceCounts = reference.map { Self.counts($0.samples, lower: lower, upper: upper, bins: bins) }
        nonFiniteCount = decoded.nonFiniteCount + (reference?.nonFiniteCount ?? 0)
        self.grid = grid
        self.notes = notes
    }

    private static func counts(_ samples: [Float], lower: Double, upper: Double, bins: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: bins)
        let factor = Double(bins) / (upper - lower)
        for sample in samples {
            let bin = Int(((Double(sample) - lower) * factor).rounded(.down))
            counts[min(max(bin, 0), bins - 1)] += 1
        }
        return counts
    }
}
