import Foundation
import TestSupport
import Transforms

/// Plain references for the clustering and pruning tests, written without the code under test.
enum ClusteringReference {
    /// The index of the centroid nearest to `value` (distance in Float64, ties to the lower index).
    static func nearest(_ value: Float, in centroids: [Float]) -> Int {
        var best = 0
        for index in centroids.indices
        where abs(Double(value) - Double(centroids[index])) < abs(Double(value) - Double(centroids[best])) {
            best = index
        }
        return best
    }

    /// Brute-force Lloyd: assign every value to its nearest centroid, stop when the assignment repeats or after
    /// `maxIterations` updates, move each non-empty cluster's centroid to its Float64 mean.
    static func lloyd(_ values: [Float], initial: [Float], maxIterations: Int) -> [Float] {
        var centroids = initial
        var previous: [Int] = []
        var iterations = 0
        while true {
            let assignment = values.map { nearest($0, in: centroids) }
            if assignment == previous || iterations == maxIterations { return centroids }
            var sums = [Double](repeating: 0, count: centroids.count)
            var counts = [Int](repeating: 0, count: centroids.count)
            for (value, cluster) in zip(values, assignment) {
                sums[cluster] += Double(value)
                counts[cluster] += 1
            }
            for index in centroids.indices where counts[index] > 0 {
                centroids[index] = Float(sums[index] / Double(counts[index]))
            }
            previous = assignment
            iterations += 1
        }
    }

    /// Linear initialisation: `k` centroids evenly spaced from the minimum to the maximum.
    static func linearInitial(_ values: [Float], k: Int) -> [Float] {
        let low = Double(values.min()!)
        let high = Double(values.max()!)
        return (0..<k).map { Float(low + (high - low) * Double($0) / Double(k - 1)) }
    }

    /// Density initialisation: the values of rank `⌊(j + ½) × n / k⌋`.
    static func densityInitial(_ values: [Float], k: Int) -> [Float] {
        let sorted = values.sorted()
        return (0..<k).map { sorted[min(sorted.count - 1, Int((Double($0) + 0.5) * Double(sorted.count) / Double(k)))] }
    }

    /// Bell-shaped values: the sum of four uniforms, scaled; none is exactly zero.
    static func bellValues(count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let sum = (0..<4).reduce(Float(0)) { total, _ in total + Float.random(in: -1...1, using: &generator) }
            return sum == 0 ? 0.125 : sum * 0.05
        }
    }

    /// Signal-to-noise ratio in decibels.
    static func snrDecibels(_ original: [Float], _ decoded: [Float]) -> Double {
        var signal = 0.0
        var noise = 0.0
        for (a, b) in zip(original, decoded) {
            signal += Double(a) * Double(a)
            noise += (Double(a) - Double(b)) * (Double(a) - Double(b))
        }
        return 10 * log10(signal / noise)
    }

    /// The Float32 values of a little-endian codebook section of `width` bytes per entry.
    static func codebook(_ bytes: Data, width: Int) -> [Float] {
        let raw = [UInt8](bytes)
        return stride(from: 0, to: raw.count, by: width).map { offset in
            if width == 4 {
                return Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[offset + $1]) << (8 * $1) })
            }
            return Float(Float16(bitPattern: UInt16(raw[offset]) | UInt16(raw[offset + 1]) << 8))
        }
    }
}
