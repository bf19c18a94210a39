import Foundation

/// One candidate recipe measured on one tensor: its exact stored bytes and its error.
public struct RateDistortionPoint: Sendable, Equatable, Codable {
    /// The recipe text.
    public var recipe: String
    /// Bytes the tensor's segment takes with this recipe (after entropy coding).
    public var storedBytes: Int
    /// SNR of the decoded tensor against the original, dB; `.infinity` when bit-exact.
    public var snrDecibels: Double

    /// Creates a point.
    public init(recipe: String, storedBytes: Int, snrDecibels: Double) {
        self.recipe = recipe
        self.storedBytes = storedBytes
        self.snrDecibels = snrDecibels
    }

    /// Relative noise energy ε² = Σ(w − ŵ)² / Σw² = 10^(−SNR/10); 0 when bit-exact.
    public var relativeNoise: Double { snrDecibels.isInfinite ? 0 : pow(10, -snrDecibels / 10) }

    enum CodingKeys: String, CodingKey {
        case recipe
        case storedBytes = "stored_bytes"
        case snrDecibels = "snr_db"
    }
}
