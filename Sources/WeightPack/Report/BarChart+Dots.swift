extension BarChart {
    /// The tensors in columns, grouped by layer group in order of first appearance (file order within a group).
    var pointsByGroup: [(group: String, points: [TensorPoint])] {
        var order: [String] = []
        var members: [String: [TensorPoint]] = [:]
        for point in points {
            if members[point.group] == nil { order.append(point.group) }
            members[point.group, default: []].append(point)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// The compact form: one dot per tensor; values that are not numbers sit in a band above the plot.
    func renderDots() -> String {
        let groups = pointsByGroup
        let legend = legendEntries
        let hasValues = !finiteValues.isEmpty
        var left = 70.0
        let right = width - 16
        let columns = { (left: Double) in (right - left) / Double(points.count) }
        let centres = { (left: Double) -> [Double] in
            var first = 0
            return groups.map { group in
                defer { first += group.points.count }
                return left + (Double(first) + Double(group.points.count) / 2) * columns(left)
            }
        }
        var labels = CategoryLabels(groups.map(\.group), centres: centres(left), canvasWidth: width)
        if labels.leftOverhang > 0 {
            left += labels.leftOverhang
            labels = CategoryLabels(groups.map(\.group), centres: centres(left), canvasWidth: width)
        }
        let hasBand = points.contains { if case .number(let value) = $0.value { !value.isFinite } else { true } }
        let bandTop = SVGCanvas.legendHeight(legend, x: left, maxX: right) + 14
        let top = bandTop + (hasBand ? 30 : 4)
        let bottom = top + (hasValues ? 260 : 40)
        var canvas = SVGCanvas(width: width, height: bottom + 8 + labels.height + 28)
        canvas.legend(legend, x: left, y: 4, maxX: right)

        let column = columns(left)
        var index = 0
        for (number, group) in groups.enumerated() {
            if number % 2 == 1 {
                canvas.rect(
                    x: left + Double(index) * column, y: bandTop, width: Double(group.points.count) * column,
                    height: bottom - bandTop, fill: "#f3f3ef", title: group.group)
            }
            index += group.points.count
        }
        let ticks = valueTicks
        let y = LinearScale(lower: ticks.lower, upper: ticks.upper, start: bottom, end: top)
        for tick in ticks.values where hasValues {
            canvas.line(x1: left, y1: y.position(tick), x2: right, y2: y.position(tick), cssClass: "gridline")
            canvas.text(ticks.label(tick), x: left - 6, y: y.position(tick) + 4, anchor: .end)
        }
        if hasBand {
            canvas.line(x1: left, y1: top - 8, x2: right, y2: top - 8, cssClass: "gridline", dashed: true)
            canvas.text(bandLabel, x: left - 6, y: bandTop + 15, anchor: .end, cssClass: "faint")
        }
        if !hasValues {
            canvas.text(emptyMessage, x: (left + right) / 2, y: (top + bottom) / 2, anchor: .middle, cssClass: "faint")
        }
        drawDots(on: &canvas, groups: groups, left: left, column: column, y: y, bandMiddle: bandTop + 11)
        canvas.line(x1: left, y1: bottom, x2: right, y2: bottom, cssClass: "axis")
        canvas.line(x1: left, y1: bandTop, x2: left, y2: bottom, cssClass: "axis")
        if hasValues {
            canvas.text(
                axisTitle, x: 16, y: (top + bottom) / 2, anchor: .middle, rotation: -90, cssClass: "axis-title")
        }
        labels.draw(on: &canvas, y: bottom + 4)
        canvas.text(
            "tensors by layer group (file order within a group)", x: (left + right) / 2,
            y: bottom + 8 + labels.height + 18, anchor: .middle, cssClass: "axis-title")
        return canvas.render(label: "\(axisTitle) per tensor")
    }

    /// The band's name: the kinds of non-numbers it holds.
    private var bandLabel: String {
        var kinds: [String] = []
        for point in points {
            let kind: String? =
                switch point.value {
                case .number(let value): value.isFinite ? nil : "NaN"
                case .exact: "exact"
                case .notANumber: "NaN"
                case .missing: "n/a"
                }
            if let kind, !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds.joined(separator: ", ")
    }

    private func drawDots(
        on canvas: inout SVGCanvas, groups: [(group: String, points: [TensorPoint])], left: Double, column: Double,
        y: LinearScale, bandMiddle: Double
    ) {
        let radius = min(4, max(1.8, column * 0.42))
        var index = 0
        for group in groups {
            for point in group.points {
                let x = left + (Double(index) + 0.5) * column
                let colour = palette.colour(of: point.chain)
                switch point.value {
                case .number(let value) where value.isFinite:
                    canvas.circle(x: x, y: y.position(value), radius: radius, fill: colour, title: tooltip(point))
                case .exact: canvas.marker(.exact, x: x, y: bandMiddle, colour: colour, title: tooltip(point))
                case .missing: canvas.marker(.missing, x: x, y: bandMiddle, colour: colour, title: tooltip(point))
                default: canvas.marker(.notANumber, x: x, y: bandMiddle, colour: colour, title: tooltip(point))
                }
                index += 1
            }
        }
    }
}
