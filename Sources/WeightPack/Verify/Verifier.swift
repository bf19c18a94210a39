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

    enum CodingKeys: String, CodingKey {
        case schema, tensors
        case referencePath = "reference"
        case candidatePath = "candidate"
        case missingFromCandidate = "missing_from_candidate"
        case missingFromReference = "missing_from_reference"
        case shapeMismatches = "shape_mismatches"
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
    public static func verify(referencePath: String, candidatePath: String) throws(WeightPackError) -> VerificationReport {
        let reference = try openTensorSource(path: referencePath)
        let candidate = try openTensorSource(path: candidatePath)
        let candidateInfos = Dictionary(candidate.tensorInfos.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let referenceNames = Set(reference.tensorInfos.map(\.name))
        var report = VerificationReport(
            referencePath: referencePath, candidatePath: candidatePath, tensors: [], missingFromCandidate: [],
            missingFromReference: candidate.tensorInfos.map(\.name).filter { !referenceNames.contains($0) },
            shapeMismatches: [])
        for info in reference.tensorInfos {
            guard let other = candidateInfos[info.name] else {
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
