/// One tensor's value in a ``BarChart``.
struct TensorPoint {
    /// The value, or why there is none.
    enum Value {
        /// A number on the chart's axis.
        case number(Double)
        /// No error at all (infinite SNR); the text says which kind, e.g. `bit-exact`.
        case exact(String)
        /// NaN.
        case notANumber
        /// No value; the text says why, e.g. `not in the reference`.
        case missing(String)
    }

    /// The tensor's name (untrusted: escaped when drawn).
    var name: String
    /// Its layer group.
    var group: String
    /// Its stage chain, which picks the colour.
    var chain: String
    /// What to draw.
    var value: Value
}

/// A value per tensor (bits per weight, SNR): a horizontal bar per tensor, named, when there are at most
/// ``barLimit`` tensors; otherwise a compact dot chart, one column per tensor, columns grouped by layer
/// (see `BarChart+Dots.swift`). Colour is the stage chain; values that are not numbers get a marker.
struct BarChart {
    /// The most tensors drawn as named bars.
    static let barLimit = 60

    /// The tensors, in file order.
    var points: [TensorPoint]
    /// The value axis's title, e.g. `bits per weight` or `SNR (dB)`.
    var axisTitle: String
    /// What follows a value in tooltips and labels, e.g. ` bits per weight` or ` dB`.
    var unit: String
    /// Decimals of value labels.
    var digits = 2
    /// Colours of the chains.
    var palette: ChainPalette
    /// Written across the dot chart when no value is a finite number.
    var emptyMessage = "no finite value to plot"
    /// The `viewBox` width.
    var width = 1160.0

    /// The chart as an `<svg>` element.
    /// - Complexity: O(tensors).
    func render() -> String {
        guard !points.isEmpty else { return EmptyChart.render("no tensors") }
        return points.count <= Self.barLimit ? renderBars() : renderDots()
    }

    /// The finite values.
    var finiteValues: [Double] {
        points.compactMap { point -> Double? in
            if case .number(let value) = point.value, value.isFinite { return value }
            return nil
        }
    }

    /// Ticks covering every finite value and 0.
    var valueTicks: Ticks {
        let numbers = finiteValues
        return Ticks.covering(min(0, numbers.min() ?? 0), max(0, numbers.max() ?? 1), count: 6)
    }

    /// The legend: the chains present, then a marker per kind of missing value present.
    var legendEntries: [LegendEntry] {
        var entries = ChainPalette(points.map(\.chain)).chains.map {
            LegendEntry(.square(palette.colour(of: $0)), $0)
        }
        var seen: Set<String> = []
        for point in points {
            switch point.value {
            case .number: continue
            case .exact(let kind) where seen.insert("exact").inserted:
                entries.append(LegendEntry(.marker(.exact), kind == "bit-exact" ? "exact (no error)" : "exact"))
            case .notANumber where seen.insert("nan").inserted: entries.append(LegendEntry(.marker(.notANumber), "NaN"))
            case .missing(let why) where seen.insert("missing").inserted:
                entries.append(LegendEntry(.marker(.missing), why))
            default: continue
            }
        }
        return entries
    }

    /// The tooltip of a point: name, value and chain.
    func tooltip(_ point: TensorPoint) -> String {
        "\(point.name): \(valueText(point.value)) · \(point.chain)"
    }

    /// A value as written in a tooltip, or beside a bar without its unit.
    func valueText(_ value: TensorPoint.Value, withUnit: Bool = true) -> String {
        switch value {
        case .number(let number): HumanFormat.fixed(number, digits: digits) + (withUnit ? unit : "")
        case .exact(let kind): kind
        case .notANumber: "NaN"
        case .missing(let why): why
        }
    }

    private func renderBars() -> String {
        let rowHeight = 17.0
        let names = points.map { TextTable.elide(HTMLText.visible($0.name), to: 48) }
        let left = (names.map(TextWidth.name).max() ?? 0) + 18
        let right = width - 78
        let legend = legendEntries
        let top = SVGCanvas.legendHeight(legend, x: left, maxX: right) + 16
        let bottom = top + Double(points.count) * rowHeight + 4
        var canvas = SVGCanvas(width: width, height: bottom + 48)
        canvas.legend(legend, x: left, y: 4, maxX: right)
        let ticks = valueTicks
        let x = LinearScale(lower: ticks.lower, upper: ticks.upper, start: left, end: right)
        drawGroupBands(on: &canvas, rowHeight: rowHeight, top: top + 2, left: 4, right: right)
        for tick in ticks.values {
            canvas.line(x1: x.position(tick), y1: top, x2: x.position(tick), y2: bottom, cssClass: "gridline")
            canvas.text(ticks.label(tick), x: x.position(tick), y: bottom + 16, anchor: .middle)
        }
        for (index, point) in points.enumerated() {
            let middle = top + 2 + (Double(index) + 0.5) * rowHeight
            canvas.text(names[index], x: left - 8, y: middle + 4, anchor: .end, cssClass: "name", title: point.name)
            let colour = palette.colour(of: point.chain)
            switch point.value {
            case .number(let value) where value.isFinite:
                let (from, to) = (x.position(0), x.position(value))
                canvas.rect(
                    x: min(from, to), y: middle - 6, width: abs(to - from), height: 12, fill: colour,
                    title: tooltip(point))
                canvas.text(
                    valueText(point.value, withUnit: false), x: value < 0 ? to - 4 : to + 4, y: middle + 4,
                    anchor: value < 0 ? .end : .start, cssClass: "faint")
            default:
                let marker: PointMarker =
                    switch point.value {
                    case .exact: .exact
                    case .missing: .missing
                    default: .notANumber
                    }
                canvas.marker(marker, x: x.position(0) + 8, y: middle, colour: colour, title: tooltip(point))
                canvas.text(valueText(point.value), x: x.position(0) + 18, y: middle + 4, cssClass: "faint")
            }
        }
        canvas.line(x1: left, y1: bottom, x2: right, y2: bottom, cssClass: "axis")
        canvas.line(x1: x.position(0), y1: top, x2: x.position(0), y2: bottom, cssClass: "axis")
        canvas.text(axisTitle, x: (left + right) / 2, y: bottom + 38, anchor: .middle, cssClass: "axis-title")
        return canvas.render(label: "\(axisTitle) per tensor")
    }

    /// Shades every other layer group's rows.
    private func drawGroupBands(on canvas: inout SVGCanvas, rowHeight: Double, top: Double, left: Double, right: Double)
    {
        var shaded = false
        var start = 0
        for index in points.indices where index == points.count - 1 || points[index + 1].group != points[index].group {
            if shaded {
                canvas.rect(
                    x: left, y: top + Double(start) * rowHeight, width: right - left,
                    height: Double(index + 1 - start) * rowHeight, fill: "#f3f3ef")
            }
            shaded.toggle()
            start = index + 1
        }
    }
}
