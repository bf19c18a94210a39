/// The limits `verify` judges each tensor against; a tensor fails when it breaks any limit that is set.
public struct VerificationThresholds: Sendable, Equatable, Codable {
    /// Fail below this SNR in dB (`--min-snr`); NaN SNR fails too.
    public var minimumSNR: Double?
    /// Fail when max |candidate − reference| exceeds this (`--max-abs`).
    public var maximumAbsError: Double?
    /// Fail below this cosine similarity (`--min-cosine`).
    public var minimumCosine: Double?
    /// Fail unless the tensors are identical bit for bit (`--exact`).
    public var exact: Bool

    /// Creates thresholds; none is set by default.
    public init(
        minimumSNR: Double? = nil, maximumAbsError: Double? = nil, minimumCosine: Double? = nil, exact: Bool = false
    ) {
        self.minimumSNR = minimumSNR
        self.maximumAbsError = maximumAbsError
        self.minimumCosine = minimumCosine
        self.exact = exact
    }

    /// True when no limit is set.
    public var isEmpty: Bool { minimumSNR == nil && maximumAbsError == nil && minimumCosine == nil && !exact }

    /// Why `row` fails, one short phrase per broken limit (empty when it passes).
    public func failures(of row: TensorComparison) -> [String] {
        var reasons: [String] = []
        if let minimumSNR, !(row.snrDecibels >= minimumSNR) {
            reasons.append(
                "SNR \(HumanFormat.fixed(row.snrDecibels, digits: 2)) dB < \(HumanFormat.compact(minimumSNR))")
        }
        if let maximumAbsError, !(row.maxAbsError <= maximumAbsError) {
            reasons.append("max |err| \(row.maxAbsError) > \(HumanFormat.compact(maximumAbsError))")
        }
        if let minimumCosine, !(row.cosine >= minimumCosine) {
            reasons.append("cosine \(HumanFormat.fixed(row.cosine, digits: 6)) < \(HumanFormat.compact(minimumCosine))")
        }
        if exact, !row.bitExact {
            if let difference = row.firstDifference {
                reasons.append(
                    "not bit-exact: element \(difference.index) is \(difference.candidate), reference \(difference.reference)"
                )
            } else {
                reasons.append("not bit-exact (dtypes differ)")
            }
        }
        return reasons
    }

    enum CodingKeys: String, CodingKey {
        case exact
        case minimumSNR = "min_snr_db"
        case maximumAbsError = "max_abs"
        case minimumCosine = "min_cosine"
    }

    /// Writes every limit, `null` where it is not set.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minimumSNR, forKey: .minimumSNR)
        try container.encode(maximumAbsError, forKey: .maximumAbsError)
        try container.encode(minimumCosine, forKey: .minimumCosine)
        try container.encode(exact, forKey: .exact)
    }
}

/// A tensor that broke a limit, and why.
public struct FailingTensor: Sendable, Equatable, Codable {
    /// The tensor.
    public var name: String
    /// One phrase per broken limit.
    public var reasons: [String]
}
