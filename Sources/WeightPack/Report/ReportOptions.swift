/// How much work the report's histograms may take.
public struct ReportOptions: Sendable, Equatable {
    /// Histograms of this many of the largest floating-point tensors (by element count, file order on ties).
    public var histogramCount: Int
    /// The most elements of a tensor put into its histogram (evenly spaced, deterministic).
    public var sampleLimit: Int
    /// Bins per histogram.
    public var binCount: Int
    /// Rate-distortion curves to chart (`--rate-distortion`); `nil` for none.
    public var rateDistortion: RateDistortionCurves?

    /// Creates options; the defaults are 4 histograms of at most 2,097,152 (2^21) elements in 120 bins.
    public init(
        histogramCount: Int = 4, sampleLimit: Int = 1 << 21, binCount: Int = 120,
        rateDistortion: RateDistortionCurves? = nil
    ) {
        self.rateDistortion = rateDistortion
        self.histogramCount = histogramCount
        self.sampleLimit = sampleLimit
        self.binCount = binCount
    }
}
