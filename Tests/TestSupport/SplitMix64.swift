/// SplitMix64 (Steele, Lea & Flood 2014): a tiny deterministic generator, so every test input is reproducible.
///
/// The same seed yields the same sequence on every platform and run; one `next()` is O(1).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 uniformly distributed bits; advances the state.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A uniform integer in `0..<bound`; `bound` must be positive.
    public mutating func int(below bound: Int) -> Int { Int(next(upperBound: UInt64(bound))) }

    /// A uniform byte: the low 8 bits of ``next()``.
    public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }

    /// `count` floats drawn uniformly from `-magnitude...magnitude` (default `1`).
    public mutating func floats(count: Int, magnitude: Float = 1) -> [Float] {
        (0..<count).map { _ in Float.random(in: -magnitude...magnitude, using: &self) }
    }
}
