import Foundation

/// The constraint `tune` packs under.
public enum TuneBudget: Sendable, Equatable, CustomStringConvertible {
    /// Every tuned tensor reaches at least this SNR (dB); the smallest file that does.
    case minimumSNR(Double)
    /// The smallest weighted error whose tuned tensors average at most this many bits per weight.
    case targetBitsPerWeight(Double)
    /// The smallest weighted error whose whole file's stored tensor bytes fit in this many bytes.
    case maximumBytes(Int)
    /// The smallest file whose predicted output error Σ β_t·ε_t² is at most this (needs sensitivities).
    case maximumOutputError(Double)

    public var description: String {
        switch self {
        case .minimumSNR(let decibels): "every tensor ≥ \(decibels) dB"
        case .targetBitsPerWeight(let bits): "≤ \(bits) bits per tuned weight"
        case .maximumBytes(let bytes): "≤ \(HumanFormat.bytes(bytes)) of tensor data"
        case .maximumOutputError(let error): "predicted output error ≤ \(error)"
        }
    }
}

/// How a tensor's error counts in the sum `tune` minimises.
public enum TuneWeighting: String, Sendable, CaseIterable {
    /// ε_t² × element count: every weight's relative noise counts the same (the default).
    case size
    /// ε_t²: every tensor counts the same, whatever its size.
    case uniform
}

/// What `tune` does.
public struct TuneOptions: Sendable {
    /// The constraint.
    public var budget: TuneBudget
    /// Candidate recipes tried on every tuned tensor (see ``TuneCandidates/standard``).
    public var candidates: [String]
    /// The error weighting when no sensitivities are given.
    public var weighting: TuneWeighting
    /// β per tensor name (output error per unit of relative weight noise), from `--sensitivity`; when given,
    /// a tensor's error counts as β_t·ε_t² and the weighting is ignored.
    public var sensitivities: [String: Double]?
    /// Float tensors with fewer dimensions than this keep their values (lossless preset); default 2.
    public var minimumTunedDimensions: Int

    /// Creates options.
    public init(
        budget: TuneBudget, candidates: [String] = TuneCandidates.standard, weighting: TuneWeighting = .size,
        sensitivities: [String: Double]? = nil, minimumTunedDimensions: Int = 2
    ) {
        self.budget = budget
        self.candidates = candidates
        self.weighting = weighting
        self.sensitivities = sensitivities
        self.minimumTunedDimensions = minimumTunedDimensions
    }
}

/// The recipes `tune` tries by default.
public enum TuneCandidates {
    /// ECSQ at 33 relative steps R = 0.007 × 2^(k/4) of each row's RMS (k = 0…32: about 54 dB down to 6 dB in
    /// 1.5 dB steps), Huffman-coded; int8, int4 and int2 with groups of 32; clustering with 2 to 8 bits; pruning half
    /// then ECSQ; and the lossless preset.
    public static let standard: [String] =
        ["lossless"]
        + (0...32).map { step in
            "ecsq:rel=\(String(format: "%.4g", 0.007 * pow(2, Double(step) / 4)))|huffman"
        }
        + ["int8", "quant:int4:group=32|auto", "quant:int2:group=32|auto"]
        + (2...8).map { "cluster:\($0)bit|huffman" }
        + ["prune:0.5|ecsq:rel=0.08|huffman"]
}
