/// What `weightpack report` shows: the file's inspection, the comparison with a reference, and histograms.
public struct ModelReport: Sendable {
    /// The file's inspection (sizes, stage chains, bits per weight).
    public var inspection: Inspection
    /// The reference as given, when there is one.
    public var referencePath: String?
    /// The reference's size in bytes.
    public var referenceFileBytes: Int?
    /// The comparison of the file's tensors against the reference's.
    public var verification: VerificationReport?
    /// Histograms of the largest floating-point tensors, largest first.
    public var histograms: [WeightHistogram]
    /// The options the histograms were made with.
    public var options: ReportOptions

    /// Creates a report (``ReportBuilder/build(path:referencePath:options:)`` makes them).
    public init(
        inspection: Inspection, referencePath: String? = nil, referenceFileBytes: Int? = nil,
        verification: VerificationReport? = nil, histograms: [WeightHistogram] = [],
        options: ReportOptions = ReportOptions()
    ) {
        self.inspection = inspection
        self.referencePath = referencePath
        self.referenceFileBytes = referenceFileBytes
        self.verification = verification
        self.histograms = histograms
        self.options = options
    }
}
