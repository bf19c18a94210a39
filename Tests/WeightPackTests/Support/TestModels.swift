import Foundation
import TensorCore
import TestSupport

/// Seeded weights with the statistics of trained layers, for the recipe and tune tests.
enum TestModels {
    /// `left [rows, rank] × right [rank, columns]` (entries uniform in -1...1) plus uniform noise of `noise` times
    /// the product's RMS: a matrix that a rank-`rank` split captures up to the noise.
    static func lowRank(_ name: String, _ rows: Int, _ columns: Int, rank: Int, noise: Float, seed: UInt64) throws
        -> Tensor
    {
        var generator = SplitMix64(seed: seed)
        let left = generator.floats(count: rows * rank)
        let right = generator.floats(count: rank * columns)
        var values = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                var sum: Float = 0
                for k in 0..<rank { sum += left[row * rank + k] * right[k * columns + column] }
                values[row * columns + column] = sum
            }
        }
        let rms = (values.reduce(0) { $0 + $1 * $1 } / Float(values.count)).squareRoot()
        // Uniform noise in ±a has RMS a / √3.
        let amplitude = noise * rms * Float(3).squareRoot()
        for index in values.indices { values[index] += Float.random(in: -amplitude...amplitude, using: &generator) }
        return try Tensor(name: name, shape: [rows, columns], float32Values: values)
    }

    /// Laplace-distributed values of scale `scale` (heavy-tailed, like attention projections), by inverse CDF.
    static func laplace(_ name: String, _ shape: Shape, scale: Float, seed: UInt64) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        let values = (0..<(try shape.elementCount())).map { _ -> Float in
            let u = Float.random(in: -0.4999...0.4999, using: &generator)
            return -scale * (u < 0 ? -1 : 1) * log(1 - 2 * abs(u))
        }
        return try Tensor(name: name, shape: shape, float32Values: values)
    }

    /// Signal-to-noise ratio of `decoded` against `reference` in dB: 10 log10(Σw² / Σ(w − ŵ)²); `.infinity` when
    /// they are equal.
    static func snrDecibels(_ reference: [Float], _ decoded: [Float]) -> Double {
        var signal = 0.0
        var noise = 0.0
        for (w, v) in zip(reference, decoded) {
            signal += Double(w) * Double(w)
            noise += (Double(w) - Double(v)) * (Double(w) - Double(v))
        }
        return noise == 0 ? .infinity : 10 * log10(signal / noise)
    }
}
