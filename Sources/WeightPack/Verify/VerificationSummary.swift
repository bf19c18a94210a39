/// Counts and SNR figures over a verification, as printed on the summary lines and in `--json`.
public struct VerificationSummary: Sendable, Codable, Equatable {
    /// Tensors compared.
    public var tensors: Int
    /// Tensors with the same dtype and identical bytes.
    public var bitExact: Int
    /// Tensors whose values are all equal but whose bytes differ (e.g. a dtype change that loses nothing).
    public var exactValues: Int
    /// Tensors with some error (finite SNR, or NaN where elements are NaN).
    public var lossy: Int
    /// Median SNR over the lossy tensors with a finite SNR, in dB; `nil` when there are none.
    public var snrMedianDecibels: Double?
    /// Lowest SNR over the lossy tensors, in dB; `nil` when none is lossy.
    public var snrMinimumDecibels: Double?
    /// The tensor with the lowest SNR.
    public var snrMinimumTensor: String?
    /// The `--min-snr` threshold applied, in dB; `nil` when none was given.
    public var minimumSNRDecibels: Double?
    /// Every limit applied.
    public var thresholds: VerificationThresholds
    /// Tensors that broke any limit, with the reasons, in report order.
    public var failing: [FailingTensor]
    /// Tensors below the threshold, lowest SNR first.
    public var belowThreshold: [String]
    /// Tensors missing from one file or with different shapes.
    public var nameOrShapeMismatches: Int
    /// True when no tensor is below the threshold and names and shapes match.
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case tensors, lossy, passed
        case bitExact = "bit_exact"
        case exactValues = "exact_values"
        case snrMedianDecibels = "snr_median_db"
        case snrMinimumDecibels = "snr_min_db"
        case snrMinimumTensor = "snr_min_tensor"
        case minimumSNRDecibels = "min_snr_db"
        case thresholds
        case failing
        case belowThreshold = "below_threshold"
        case nameOrShapeMismatches = "name_or_shape_mismatches"
    }

    /// Summarises `report` against an optional SNR threshold in dB (other limits: none).
    public init(_ report: VerificationReport, minimumSNR: Double?) {
        self.init(report, thresholds: VerificationThresholds(minimumSNR: minimumSNR))
    }

    /// Summarises `report` against `thresholds`.
    public init(_ report: VerificationReport, thresholds: VerificationThresholds) {
        let minimumSNR = thresholds.minimumSNR
        self.thresholds = thresholds
        minimumSNRDecibels = minimumSNR
        failing = report.tensors.compactMap { row in
            let reasons = thresholds.failures(of: row)
            return reasons.isEmpty ? nil : FailingTensor(name: row.name, reasons: reasons)
        }
        let lossyRows = report.tensors.filter { $0.snrDecibels.isFinite }.sorted { $0.snrDecibels < $1.snrDecibels }
        tensors = report.tensors.count
        bitExact = report.tensors.filter(\.bitExact).count
        exactValues = report.tensors.filter { !$0.bitExact && $0.snrDecibels == .infinity }.count
        lossy = tensors - bitExact - exactValues
        if lossyRows.isEmpty {
            snrMedianDecibels = nil
        } else if lossyRows.count % 2 == 1 {
            snrMedianDecibels = lossyRows[lossyRows.count / 2].snrDecibels
        } else {
            snrMedianDecibels =
                (lossyRows[lossyRows.count / 2 - 1].snrDecibels + lossyRows[lossyRows.count / 2].snrDecibels) / 2
        }
        snrMinimumDecibels = lossyRows.first?.snrDecibels
        snrMinimumTensor = lossyRows.first?.name
        belowThreshold =
            minimumSNR.map { threshold in
                report.tensors(belowSNR: threshold).sorted { $0.snrDecibels < $1.snrDecibels }.map(\.name)
            } ?? []
        nameOrShapeMismatches =
            report.missingFromCandidate.count + report.missingFromReference.count + report.shapeMismatches.count
        passed = failing.isEmpty && nameOrShapeMismatches == 0
    }

    /// Writes every field, `null` where there is no value (so the schema's keys are always present).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tensors, forKey: .tensors)
        try container.encode(bitExact, forKey: .bitExact)
        try container.encode(exactValues, forKey: .exactValues)
        try container.encode(lossy, forKey: .lossy)
        try container.encode(snrMedianDecibels, forKey: .snrMedianDecibels)
        try container.encode(snrMinimumDecibels, forKey: .snrMinimumDecibels)
        try container.encode(snrMinimumTensor, forKey: .snrMinimumTensor)
        try container.encode(minimumSNRDecibels, forKey: .minimumSNRDecibels)
        try container.encode(thresholds, forKey: .thresholds)
        try container.encode(failing, forKey: .failing)
        try container.encode(belowThreshold, forKey: .belowThreshold)
        try container.encode(nameOrShapeMismatches, forKey: .nameOrShapeMismatches)
        try container.encode(passed, forKey: .passed)
    }
}
