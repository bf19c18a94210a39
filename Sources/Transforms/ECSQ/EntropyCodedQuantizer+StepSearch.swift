import Foundation

extension EntropyCodedQuantizer {
    /// A tensor's rows with their RMS, for choosing steps.
    struct Rows {
        /// The row-major elements.
        var values: [Float]
        /// Elements per row.
        var columns: Int
        /// `√(Σw² / columns)` per row, in Float64.
        var rootMeanSquares: [Double]
        /// `Σw²` over the tensor, in Float64.
        var signalEnergy: Double

        /// Measures `rows` rows of `columns` elements.
        init(values: [Float], rows: Int, columns: Int) {
            self.values = values
            self.columns = columns
            var energy = 0.0
            rootMeanSquares = values.withUnsafeBufferPointer { source in
                (0..<rows).map { row in
                    var sum = 0.0
                    for value in source[(row * columns)..<((row + 1) * columns)] {
                        sum += Double(value) * Double(value)
                    }
                    energy += sum
                    return (sum / Double(columns)).squareRoot()
                }
            }
            signalEnergy = energy
        }

        /// The binary16 step of each row for ratio `ratio` (see ``rowStep(rootMeanSquare:ratio:)``).
        func steps(ratio: Double) -> [Float16] {
            rootMeanSquares.map { EntropyCodedQuantizer.rowStep(rootMeanSquare: $0, ratio: ratio) }
        }

        /// `Σ(w − ŵ)²` in Float64 for the given row steps, `ŵ = round(w / step) × step` in Float32 exactly as
        /// decoded (a step of 0 decodes to 0).
        ///
        /// `w − ŵ` is exact in Float32 (Sterbenz: `ŵ` is 0 or within a factor 2 of `w`), so only the squares and
        /// the sum round, in Float64. Eight lanes at a time.
        func noiseEnergy(steps: [Float]) -> Double {
            values.withUnsafeBufferPointer { source in
                guard let first = source.baseAddress else { return 0 }
                var lanes = SIMD8<Double>()
                var tail = 0.0
                for (row, step) in steps.enumerated() {
                    let start = first + row * columns
                    var index = 0
                    if step == 0 {
                        for offset in 0..<columns { tail += Double(start[offset]) * Double(start[offset]) }
                        continue
                    }
                    let vectorStep = SIMD8<Float>(repeating: step)
                    while index + 8 <= columns {
                        let value = UnsafeRawPointer(start + index).loadUnaligned(as: SIMD8<Float>.self)
                        let error = SIMD8<Double>(value - VectorRounding.nearestEven(value / vectorStep) * vectorStep)
                        lanes += error * error
                        index += 8
                    }
                    for offset in index..<columns {
                        let error = Double(start[offset] - (start[offset] / step).rounded(.toNearestOrEven) * step)
                        tail += error * error
                    }
                }
                return lanes.sum() + tail
            }
        }

        /// `10 log10(signal / noise)`: `inf` for zero noise.
        func snrDecibels(noise: Double) -> Double {
            noise == 0 ? .infinity : 10 * log10(signalEnergy / noise)
        }
    }

    /// `ratio × rootMeanSquare` rounded to binary16 (nearest, ties to even), kept positive and finite: the least
    /// binary16 (2^-24) when it underflows, the largest (65504) when it overflows; 0 for an all-zero row.
    static func rowStep(rootMeanSquare: Double, ratio: Double) -> Float16 {
        guard rootMeanSquare > 0 else { return 0 }
        let step = Float16(rootMeanSquare * ratio)
        if step == 0 { return .leastNonzeroMagnitude }
        return step.isFinite ? step : .greatestFiniteMagnitude
    }

    /// The largest ratio `R` found whose row steps give an SNR of at least `decibels`, with its steps and SNR.
    /// - Throws: `TransformError.Code.invalidParameter` when even the finest steps stay below the target.
    /// - Complexity: O(n × k), k ≈ 15 evaluations of the noise for typical tensors.
    static func searchRatio(_ rows: Rows, decibels: Double, stage: String, tensorName: String) throws(TransformError)
        -> (ratio: Double, steps: [Float16], snrDecibels: Double)
    {
        let start = (12 * pow(10, -decibels / 10)).squareRoot()
        guard rows.signalEnergy > 0 else { return (start, rows.steps(ratio: start), .infinity) }
        var cache: [Double: Double] = [:]
        func snr(_ ratio: Double) -> Double {
            if let known = cache[ratio] { return known }
            let value = rows.snrDecibels(noise: rows.noiseEnergy(steps: rows.steps(ratio: ratio).map(Float.init)))
            cache[ratio] = value
            return value
        }
        // Bracket: snr(low) ≥ target > snr(high), or the coarsest ratio tried when every one meets the target.
        var low = start
        var high = start
        var doublings = 0
        if snr(start) >= decibels {
            high = 2 * start
            while snr(high) >= decibels, doublings < 64 {
                low = high
                high *= 2
                doublings += 1
            }
            if snr(high) >= decibels { low = high }
        } else {
            low = start / 2
            while snr(low) < decibels, doublings < 64 {
                high = low
                low /= 2
                doublings += 1
            }
            guard snr(low) >= decibels else {
                throw TransformError(
                    .invalidParameter,
                    "stage '\(stage)': the finest row steps reach \(snr(low)) dB, below the target \(decibels) dB",
                    tensorName: tensorName)
            }
        }
        var halvings = 0
        while high / low > 1 + 0x1p-12, halvings < 64 {
            let middle = (low * high).squareRoot()
            if snr(middle) >= decibels { low = middle } else { high = middle }
            halvings += 1
        }
        return (low, rows.steps(ratio: low), snr(low))
    }
}
