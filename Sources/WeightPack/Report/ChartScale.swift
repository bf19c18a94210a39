import Foundation

/// A linear map from data values to SVG coordinates.
struct LinearScale {
    /// The data values at the two ends.
    var lower: Double
    var upper: Double
    /// The coordinates of `lower` and `upper` (for a y axis, `start` is the bottom).
    var start: Double
    var end: Double

    /// The coordinate of `value`; the middle of the range when the domain is empty.
    func position(_ value: Double) -> Double {
        guard upper > lower else { return (start + end) / 2 }
        return start + (value - lower) / (upper - lower) * (end - start)
    }
}

/// Tick values at round numbers (1, 2, 2.5 or 5 × 10^k apart) covering a span, and their labels.
struct Ticks {
    /// The ticks, ascending; the first is ≤ the span's lower end and the last ≥ its upper end.
    var values: [Double]
    /// The distance between ticks.
    var step: Double
    /// Decimals a label needs to tell the ticks apart.
    var decimals: Int = 0

    /// About `count` ticks covering `lower...upper` (an empty span is widened to one unit around it).
    static func covering(_ lower: Double, _ upper: Double, count: Int = 5) -> Ticks {
        var (low, high) = (lower.isFinite ? lower : 0, upper.isFinite ? upper : 1)
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.05
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / Double(max(count, 1))
        let exponent = Int(log10(raw).rounded(.down))
        let magnitude = pow(10, Double(exponent))
        let residual = raw / magnitude
        let factor: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
        let step = factor * magnitude
        let decimals = factor == 10 ? -(exponent + 1) : -exponent + (factor == 2.5 ? 1 : 0)
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        let values = stride(from: first, through: last, by: 1).prefix(100).map { $0 * step }
        return Ticks(values: values, step: step, decimals: max(0, decimals))
    }

    /// Powers of ten from 1 up to the first ≥ `maximum` (for a logarithmic count axis).
    static func powersOfTen(through maximum: Double) -> Ticks {
        var values: [Double] = [1]
        while values.last! < maximum, values.count < 20 { values.append(values.last! * 10) }
        return Ticks(values: values, step: 10)
    }

    /// The lowest tick.
    var lower: Double { values.first ?? 0 }
    /// The highest tick.
    var upper: Double { values.last ?? 1 }

    /// `value` with as many decimals as the step needs: `0.05` → `0.05`, `2.5` → `2.5`, `20` → `20`.
    func label(_ value: Double) -> String {
        guard value.isFinite else { return HumanFormat.fixed(value, digits: 0) }
        if abs(value) < step * 1e-9 { return "0" }
        if decimals > 6 || abs(value) >= 1e7 { return String(format: "%.3g", value) }
        return HumanFormat.fixed(value, digits: decimals)
    }
}

/// The binary byte unit that suits a largest value: B, KiB, MiB, GiB or TiB.
struct ByteUnit {
    /// `B`, `KiB`, `MiB`, …
    var name: String
    /// Bytes per unit.
    var bytes: Double

    /// The largest unit in which `maximum` is at least 1.
    static func fitting(_ maximum: Int) -> ByteUnit {
        let names = ["B", "KiB", "MiB", "GiB", "TiB"]
        var index = 0
        var size = 1.0
        while index < names.count - 1, Double(maximum) >= size * 1024 {
            size *= 1024
            index += 1
        }
        return ByteUnit(name: names[index], bytes: size)
    }
}

/// Formatting of counts for people.
enum CountFormat {
    /// `22713728` → `22,713,728`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var output = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { output.append(",") }
            output.append(character)
        }
        return (value < 0 ? "-" : "") + output
    }

    /// `1 tensor`, `2 tensors`.
    static func plural(_ count: Int, _ noun: String) -> String {
        "\(grouped(count)) \(noun)\(count == 1 ? "" : "s")"
    }

    /// `1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`.
    static func ordinal(_ value: Int) -> String {
        let suffix =
            (11...13).contains(value % 100)
            ? "th" : value % 10 == 1 ? "st" : value % 10 == 2 ? "nd" : value % 10 == 3 ? "rd" : "th"
        return "\(value)\(suffix)"
    }

    /// `11720448` → `11.7M`, `590592` → `591k`, `1000` → `1k`, `999` → `999`.
    static func short(_ value: Double) -> String {
        for (size, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where abs(value) >= size {
            let scaled = value / size
            let whole = scaled == scaled.rounded() || abs(scaled) >= 10
            return HumanFormat.fixed(scaled, digits: whole ? 0 : 1) + suffix
        }
        return HumanFormat.compact(value.rounded())
    }

    /// `value` with three significant digits, in scientific notation when small: `3.1e-4`, `0.0123`.
    static func significant(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return HumanFormat.fixed(value, digits: 0) }
        return abs(value) < 1e-3 || abs(value) >= 1e6 ? String(format: "%.2e", value) : String(format: "%.3g", value)
    }
}
