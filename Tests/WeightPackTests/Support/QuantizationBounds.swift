import TensorCore

/// The int8 error bound of docs/FORMAT.md §5.1, computed from the source values alone.
enum QuantizationBounds {
    /// Indices where `decoded` differs from `source` by more than half its row's scale, `max|row| / 127`, plus
    /// `slack(sourceValue, scale)` for roundings that happen after dequantization (e.g. to f16).
    ///
    /// `source` and `decoded` are row-major `[rows, count / rows]`.
    static func violations(
        source: [Float], decoded: [Float], rows: Int,
        slack: (Double, Double) -> Double = { _, scale in scale * 0x1p-16 }
    ) -> [Int] {
        guard source.count == decoded.count, rows > 0 else { return Array(source.indices) }
        let columns = source.count / rows
        var bad: [Int] = []
        for row in 0..<rows {
            let range = (row * columns)..<((row + 1) * columns)
            let scale = Double(source[range].map(abs).max() ?? 0) / 127
            for index in range {
                let error = abs(Double(source[index]) - Double(decoded[index]))
                if !(error <= scale / 2 + slack(Double(source[index]), scale)) { bad.append(index) }
            }
        }
        return bad
    }

    /// Half an ulp of `dtype` relative to the value, as a factor: the most a round to nearest changes a value.
    static func relativeHalfUlp(_ dtype: DType) -> Double {
        switch dtype {
        case .float16: 0x1p-11
        case .bfloat16: 0x1p-8
        default: 0x1p-24
        }
    }
}
