import Foundation

/// Rate-distortion curves for `report --rate-distortion FILE`: per series (a uniform preset, or `tune` at several
/// budgets), points of bits per weight against median SNR (docs/REPORT.md).
///
/// JSON (`weightpack.rd/1`): `{"schema": "weightpack.rd/1", "model": "…", "series": [{"name": "tuned",
/// "points": [{"bpw": 3.8, "snr_median_db": 26.7, "label": "target-bpw 3.8"}, …]}, …]}`; `bench/rd_curve.py`
/// writes it.
public struct RateDistortionCurves: Sendable, Codable, Equatable {
    /// One point: bits per 2-D weight and the median SNR over the 2-D weights.
    public struct Point: Sendable, Codable, Equatable {
        /// Bits per weight (stored bits of the 2-D float tensors / their elements).
        public var bpw: Double
        /// The median SNR over those tensors, dB.
        public var snrMedianDecibels: Double
        /// What produced the point, e.g. `int4` or `tune --target-bpw 4`.
        public var label: String?

        enum CodingKeys: String, CodingKey {
            case bpw, label
            case snrMedianDecibels = "snr_median_db"
        }
    }

    /// A named curve.
    public struct Series: Sendable, Codable, Equatable {
        /// The legend entry.
        public var name: String
        /// Points, drawn in order of bits per weight.
        public var points: [Point]
    }

    /// `weightpack.rd/1`.
    public var schema: String
    /// The model the curves were measured on.
    public var model: String
    /// The curves.
    public var series: [Series]

    /// Reads a curves file.
    /// - Throws: `WeightPackError.Code.invalidOption` naming the file when it is unreadable or not
    ///   `weightpack.rd/1`.
    public static func read(path: String) throws(WeightPackError) -> RateDistortionCurves {
        let curves = try UserJSONFile.decode(Self.self, path: path, what: "rate-distortion (weightpack.rd/1)")
        guard curves.schema == "weightpack.rd/1" else {
            throw WeightPackError(.invalidOption, "schema is '\(curves.schema)', not 'weightpack.rd/1'", path: path)
        }
        return curves
    }

    /// The curves as an inline SVG line chart: bits per weight across, median SNR up, one colour per series.
    func chart() -> String {
        let points = series.flatMap(\.points).filter { $0.bpw.isFinite && $0.snrMedianDecibels.isFinite }
        let width = 720.0
        let height = 380.0
        let left = 56.0
        let right = 170.0
        let top = 16.0
        let bottom = 44.0
        var canvas = SVGCanvas(width: width, height: height)
        let xTicks = Ticks.covering(0, max(points.map(\.bpw).max() ?? 8, 1))
        let yTicks = Ticks.covering(
            min(points.map(\.snrMedianDecibels).min() ?? 0, 0), points.map(\.snrMedianDecibels).max() ?? 50)
        let x = LinearScale(
            lower: xTicks.values.first ?? 0, upper: xTicks.values.last ?? 1, start: left, end: width - right)
        let y = LinearScale(
            lower: yTicks.values.first ?? 0, upper: yTicks.values.last ?? 1, start: height - bottom, end: top)
        for value in xTicks.values {
            canvas.line(x1: x.position(value), y1: top, x2: x.position(value), y2: height - bottom, cssClass: "grid")
            canvas.text(
                HumanFormat.fixed(value, digits: xTicks.decimals), x: x.position(value), y: height - bottom + 16,
                anchor: .middle, cssClass: "tick")
        }
        for value in yTicks.values {
            canvas.line(x1: left, y1: y.position(value), x2: width - right, y2: y.position(value), cssClass: "grid")
            canvas.text(
                HumanFormat.fixed(value, digits: yTicks.decimals), x: left - 6, y: y.position(value) + 4, anchor: .end,
                cssClass: "tick")
        }
        canvas.text("bits per weight (2-D tensors)", x: (left + width - right) / 2, y: height - 8, anchor: .middle)
        canvas.text("median SNR (dB)", x: 14, y: (top + height - bottom) / 2, anchor: .middle, rotation: -90)
        let colours = ["#1b6ac9", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"]
        for (index, curve) in series.enumerated() {
            let colour = colours[index % colours.count]
            let sorted = curve.points.filter { $0.bpw.isFinite && $0.snrMedianDecibels.isFinite }.sorted {
                $0.bpw < $1.bpw
            }
            if sorted.count > 1 {
                let data = sorted.enumerated().map { position, point in
                    "\(position == 0 ? "M" : "L")\(SVGCanvas.number(x.position(point.bpw))) "
                        + SVGCanvas.number(y.position(point.snrMedianDecibels))
                }.joined(separator: " ")
                canvas.path(data, fill: nil, stroke: colour, strokeWidth: 2)
            }
            for point in sorted {
                let label = point.label.map { "\($0): " } ?? ""
                canvas.circle(
                    x: x.position(point.bpw), y: y.position(point.snrMedianDecibels), radius: 4, fill: colour,
                    title: "\(curve.name) — \(label)\(HumanFormat.fixed(point.bpw, digits: 2)) bpw, "
                        + "\(HumanFormat.fixed(point.snrMedianDecibels, digits: 2)) dB")
            }
            let legendY = top + 10 + Double(index) * 20
            canvas.rect(x: width - right + 14, y: legendY - 8, width: 12, height: 12, fill: colour)
            canvas.text(curve.name, x: width - right + 32, y: legendY + 2)
        }
        return canvas.render(label: "Rate-distortion curves: median SNR against bits per weight")
    }
}
