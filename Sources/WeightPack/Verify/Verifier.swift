import Foundation
import TensorCore

/// The outcome of comparing a candidate file against a reference file.
public struct VerificationReport: Sendable, Codable, Equatable {
    /// The JSON schema identifier.
    public static let schema = "weightpack.verify/1"

    /// Always ``schema``.
    public var schema: String = VerificationReport.schema
    /// The reference file as given.
    public var referencePath: String
    /// The candidate file as given.
    public var candidatePath: String
    /// One comparison per tensor present in both files with the same shape, in reference order.
    public var tensors: [TensorComparison]
    /// Tensors in the reference only.
    public var missingFromCandidate: [String]
    /// Tensors in the candidate only.
    public var missingFromReference: [String]
    /// Tensors whose shapes differ, as `name: [ref] vs [cand]`.
    public var shapeMismatches: [String]
    /// The limits the report is judged against.
    public var thresholds: VerificationThresholds

    /// The SNR threshold in dB (`--min-snr`), if any: ``thresholds``' `minimumSNR`.
    public var minimumSNR: Double? {
        get { thresholds.minimumSNR }
        set { thresholds.minimumSNR = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case schema, tensors
        case referencePath = "reference"
        case candidatePath = "candidate"
        case missingFromCandidate = "missing_from_candidate"
        case missingFromReference = "missing_from_reference"
        case shapeMismatches = "shape_mismatches"
        case summary
    }

    /// Creates a report (``Verifier/verify(referencePath:candidatePath:minimumSNR:)`` makes them).
    public init(
        referencePath: String, candidatePath: String, tensors: [TensorComparison], missingFromCandidate: [String],
        missingFromReference: [String], shapeMismatches: [String], minimumSNR: Double? = nil,
        thresholds: VerificationThresholds? = nil
    ) {
        self.referencePath = referencePath
        self.candidatePath = candidatePath
        self.tensors = tensors
        self.missingFromCandidate = missingFromCandidate
        self.missingFromReference = missingFromReference
        self.shapeMismatches = shapeMismatches
        var limits = thresholds ?? VerificationThresholds()
        if let minimumSNR { limits.minimumSNR = minimumSNR }
        self.thresholds = limits
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decode(String.self, forKey: .schema)
        referencePath = try container.decode(String.self, forKey: .referencePath)
        candidatePath = try container.decode(String.self, forKey: .candidatePath)
        tensors = try container.decode([TensorComparison].self, forKey: .tensors)
        missingFromCandidate = try container.decode([String].self, forKey: .missingFromCandidate)
        missingFromReference = try container.decode([String].self, forKey: .missingFromReference)
        shapeMismatches = try container.decode([String].self, forKey: .shapeMismatches)
        thresholds = try container.decodeIfPresent(VerificationSummary.self, forKey: .summary)?.thresholds ?? .init()
    }

    /// Encodes the fields above plus `summary` (a ``VerificationSummary`` against ``minimumSNR``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(referencePath, forKey: .referencePath)
        try container.encode(candidatePath, forKey: .candidatePath)
        try container.encode(tensors, forKey: .tensors)
        try container.encode(missingFromCandidate, forKey: .missingFromCandidate)
        try container.encode(missingFromReference, forKey: .missingFromReference)
        try container.encode(shapeMismatches, forKey: .shapeMismatches)
        try container.encode(VerificationSummary(self, thresholds: thresholds), forKey: .summary)
    }

    /// True when both files hold the same tensor names with the same shapes.
    public var namesAndShapesMatch: Bool {
        missingFromCandidate.isEmpty && missingFromReference.isEmpty && shapeMismatches.isEmpty
    }

    /// The comparisons whose SNR is below `minimumSNR` decibels.
    public func tensors(belowSNR minimumSNR: Double) -> [TensorComparison] {
        tensors.filter { !($0.snrDecibels >= minimumSNR) }
    }
}

/// Compares two model files tensor by tensor.
public enum Verifier {
    /// Decodes each tensor of both files (one pair in memory at a time) and measures the candidate's error.
    /// - Throws: `WeightPackError` when either file is malformed or a tensor's data is damaged (checksum mismatch
    ///   is reported as such, naming the tensor).
    /// - Parameter minimumSNR: the threshold in dB recorded in the report (it does not stop the comparison).
    public static func verify(
        referencePath: String, candidatePath: String, minimumSNR: Double? = nil,
        thresholds: VerificationThresholds? = nil, progress: ProgressHandler? = nil
    ) throws(WeightPackError) -> VerificationReport {
        let reference = try openTensorSource(path: referencePath)
        let candidate = try openTensorSource(path: candidatePath)
        let candidateInfos = Dictionary(
            candidate.tensorInfos.map { (TensorNameKey($0.name), $0) }, uniquingKeysWith: { first, _ in first })
        let referenceNames = Set(reference.tensorInfos.map { TensorNameKey($0.name) })
        var report = VerificationReport(
            referencePath: referencePath, candidatePath: candidatePath, tensors: [], missingFromCandidate: [],
            missingFromReference: candidate.tensorInfos.map(\.name).filter {
                !referenceNames.contains(TensorNameKey($0))
            },
            shapeMismatches: [], minimumSNR: minimumSNR, thresholds: thresholds)
        let total = reference.tensorInfos.reduce(0) { $0 + $1.originalByteCount }
        var done = 0
        var finished = 0
        for info in reference.tensorInfos {
            defer {
                finished += 1
                done += info.originalByteCount
                progress?(
                    ProgressUpdate(
                        tensorsDone: finished, tensorCount: reference.tensorInfos.count, bytesDone: done,
                        byteCount: total))
            }
            guard let other = candidateInfos[TensorNameKey(info.name)] else {
                report.missingFromCandidate.append(info.name)
                continue
            }
            guard other.shape == info.shape else {
                report.shapeMismatches.append("\(info.name): \(info.shape) vs \(other.shape)")
                continue
            }
            let comparison = TensorComparison(
                reference: try reference.decodedTensor(info), candidate: try candidate.decodedTensor(other))
            report.tensors.append(comparison)
        }
        return report
    }
}
