/// Stored bytes per group: one bar per group, stacked by stage chain, with a legend and a y axis in the binary
/// unit that fits the tallest bar (B, KiB, MiB, GiB).
struct StackedBarChart {
    /// The groups, left to right.
    var groups: [InspectionGroup]
    /// Colours and stacking order of the chains.
    var palette: ChainPalette
    /// The x axis's title.
    var axisTitle = "layer group"
    /// The `viewBox` width.
    var width = 1160.0
    /// The height of the bars' area.
    var plotHeight = 300.0

    /// The chart as an `<svg>` element.
    /// - Complexity: O(groups × chains).
    func render() -> String {
        guard !groups.isEmpty else { return EmptyChart.render("no tensors") }
        let legend = palette.chains.map { chain in
            let bytes = groups.reduce(0) { $0 + ($1.storedBytesByChain[chain] ?? 0) }
            return LegendEntry(.square(palette.colour(of: chain)), "\(chain): \(HumanFormat.bytes(bytes))")
        }
        let legendHeight = SVGCanvas.legendHeight(legend, x: 72, maxX: width - 16)
        let top = legendHeight + 24
        var left = 72.0
        var labels = categoryLabels(left: left)
        if labels.leftOverhang > 0 {
            left += labels.leftOverhang
            labels = categoryLabels(left: left)
        }
        let right = width - 16
        let bottom = top + plotHeight
        var canvas = SVGCanvas(width: width, height: bottom + 8 + labels.height + 28)
        canvas.legend(legend, x: left, y: 6, maxX: right)

        let largest = groups.map(\.storedBytes).max() ?? 0
        let unit = ByteUnit.fitting(largest)
        let ticks = Ticks.covering(0, Double(largest) / unit.bytes, count: 5)
        let y = LinearScale(lower: 0, upper: ticks.upper, start: bottom, end: top)
        for tick in ticks.values {
            canvas.line(x1: left, y1: y.position(tick), x2: right, y2: y.position(tick), cssClass: "gridline")
            canvas.text(ticks.label(tick), x: left - 6, y: y.position(tick) + 4, anchor: .end)
        }
        canvas.text(
            "stored (\(unit.name))", x: 16, y: (top + bottom) / 2, anchor: .middle, rotation: -90,
            cssClass: "axis-title")

        let slot = (right - left) / Double(groups.count)
        let barWidth = min(slot * 0.72, 96)
        for (index, group) in groups.enumerated() {
            let centre = left + (Double(index) + 0.5) * slot
            var base = 0.0
            for chain in palette.chains {
                guard let bytes = group.storedBytesByChain[chain], bytes > 0 else { continue }
                let value = Double(bytes) / unit.bytes
                canvas.rect(
                    x: centre - barWidth / 2, y: y.position(base + value), width: barWidth,
                    height: y.position(base) - y.position(base + value), fill: palette.colour(of: chain),
                    title: "\(group.name) · \(chain): \(HumanFormat.bytes(bytes)) (\(CountFormat.grouped(bytes)) B)")
                base += value
            }
            let total = HumanFormat.bytes(group.storedBytes)
            if TextWidth.label(total) <= slot - 2 {
                canvas.text(total, x: centre, y: y.position(base) - 5, anchor: .middle, cssClass: "faint")
            }
        }
        canvas.line(x1: left, y1: bottom, x2: right, y2: bottom, cssClass: "axis")
        canvas.line(x1: left, y1: top, x2: left, y2: bottom, cssClass: "axis")
        labels.draw(on: &canvas, y: bottom + 4)
        canvas.text(
            axisTitle, x: (left + right) / 2, y: bottom + 8 + labels.height + 18, anchor: .middle,
            cssClass: "axis-title")
        return canvas.render(label: "Stored bytes per \(axisTitle), stacked by stage chain")
    }

    private func categoryLabels(left: Double) -> CategoryLabels {
        let slot = (width - 16 - left) / Double(groups.count)
        return CategoryLabels(
            groups.map(\.name), centres: groups.indices.map { left + (Double($0) + 0.5) * slot }, canvasWidth: width)
    }
}

/// A small image that says there is nothing to draw.
enum EmptyChart {
    /// An `<svg>` holding `message`.
    static func render(_ message: String) -> String {
        var canvas = SVGCanvas(width: 400, height: 40)
        canvas.text(message, x: 10, y: 24, cssClass: "faint")
        return canvas.render(label: message)
    }
}
