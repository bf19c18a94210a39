import Foundation

/// A ``WeightHistogram`` drawn: the reference as a filled step area, the decoded values as a step line over it,
/// and the int8 grid of the row with the largest scale as ticks above the plot (every Nth of its 255 levels,
/// N chosen so that ticks are at least 7 px apart) with dashed lines at its ends, ±127 × scale.
///
/// The count axis is logarithmic when the tallest bin is 100 or more times the shortest non-empty one.
struct HistogramChart {
    /// What to draw.
    var histogram: WeightHistogram
    /// The `viewBox` width.
    var width = 560.0
    /// The height of the bins' area.
    var plotHeight = 210.0

    static let referenceColour = "#5B7FBF"
    static let decodedColour = "#D55E00"
    static let gridColour = "#1B7837"

    /// The width of the bins' area.
    var plotWidth: Double { width - 14 - 62 }

    /// True when counts span two decades or more.
    var usesLogScale: Bool {
        let counts = histogram.decodedCounts + (histogram.referenceCounts ?? [])
        guard let largest = counts.max(), let smallest = counts.filter({ $0 > 0 }).min() else { return false }
        return largest >= 100 * smallest
    }

    /// Levels between grid ticks.
    func gridStride(plotWidth: Double) -> Int {
        guard let grid = histogram.grid else { return 1 }
        let spacing = grid.scale / (histogram.upperBound - histogram.lowerBound) * plotWidth
        return min(grid.maximumCode, max(1, Int((7 / spacing).rounded(.up))))
    }

    /// The chart as an `<svg>` element.
    func render() -> String {
        let left = 62.0
        let right = left + plotWidth
        let legend = legendEntries(stride: gridStride(plotWidth: right - left))
        let legendHeight = SVGCanvas.legendHeight(legend, x: left, maxX: right)
        let top = legendHeight + (histogram.grid == nil ? 14 : 24)
        let bottom = top + plotHeight
        var canvas = SVGCanvas(width: width, height: bottom + 50)
        canvas.legend(legend, x: left, y: 4, maxX: right)
        let x = LinearScale(lower: histogram.lowerBound, upper: histogram.upperBound, start: left, end: right)
        let y = drawCountAxis(on: &canvas, left: left, right: right, top: top, bottom: bottom)
        let xTicks = Ticks.covering(histogram.lowerBound, histogram.upperBound, count: 6)
        for tick in xTicks.values where tick >= histogram.lowerBound && tick <= histogram.upperBound {
            canvas.line(x1: x.position(tick), y1: bottom, x2: x.position(tick), y2: bottom + 4, cssClass: "axis")
            canvas.text(xTicks.label(tick), x: x.position(tick), y: bottom + 17, anchor: .middle)
        }
        if let reference = histogram.referenceCounts {
            canvas.path(
                stepPath(reference, x: x, y: y, bottom: bottom, closed: true), fill: Self.referenceColour,
                fillOpacity: 0.5, title: "reference")
            canvas.path(
                stepPath(histogram.decodedCounts, x: x, y: y, bottom: bottom, closed: false), fill: nil,
                stroke: Self.decodedColour, strokeWidth: 1.4, title: "decoded")
        } else {
            canvas.path(
                stepPath(histogram.decodedCounts, x: x, y: y, bottom: bottom, closed: true),
                fill: Self.decodedColour, stroke: Self.decodedColour, strokeWidth: 1, fillOpacity: 0.35,
                title: "decoded")
        }
        drawGrid(on: &canvas, x: x, top: top, bottom: bottom)
        canvas.line(x1: left, y1: bottom, x2: right, y2: bottom, cssClass: "axis")
        canvas.line(x1: left, y1: top, x2: left, y2: bottom, cssClass: "axis")
        canvas.text("weight value", x: (left + right) / 2, y: bottom + 38, anchor: .middle, cssClass: "axis-title")
        return canvas.render(label: "Histogram of \(histogram.name)")
    }

    private func legendEntries(stride: Int) -> [LegendEntry] {
        var entries: [LegendEntry] = []
        if histogram.referenceCounts != nil {
            entries.append(LegendEntry(.square(Self.referenceColour), "reference"))
            entries.append(LegendEntry(.line(Self.decodedColour), "decoded from the file"))
        } else {
            entries.append(LegendEntry(.square(Self.decodedColour), "decoded from the file"))
        }
        if let grid = histogram.grid {
            let every = stride == 1 ? "every level" : "every \(CountFormat.ordinal(stride)) level"
            entries.append(LegendEntry(.ticks(Self.gridColour), "int8 grid (\(every) of \(grid.levelCount))"))
        }
        return entries
    }

    /// Draws the count axis with its gridlines and title; returns its scale (log10 of counts when logarithmic).
    private func drawCountAxis(
        on canvas: inout SVGCanvas, left: Double, right: Double, top: Double, bottom: Double
    ) -> (Int) -> Double {
        let counts = histogram.decodedCounts + (histogram.referenceCounts ?? [])
        let largest = Double(max(1, counts.max() ?? 1))
        let title: String
        let position: (Int) -> Double
        let ticks: [(Double, String)]
        if usesLogScale {
            let decades = Ticks.powersOfTen(through: largest)
            let scale = LinearScale(lower: log10(0.5), upper: log10(decades.upper), start: bottom, end: top)
            position = { $0 <= 0 ? bottom : scale.position(log10(Double($0))) }
            ticks = decades.values.map { (scale.position(log10($0)), CountFormat.short($0)) }
            title = "count (log scale)"
        } else {
            let linear = Ticks.covering(0, largest, count: 4)
            let scale = LinearScale(lower: 0, upper: linear.upper, start: bottom, end: top)
            position = { scale.position(Double($0)) }
            ticks = linear.values.map { (scale.position($0), CountFormat.short($0)) }
            title = "count"
        }
        for (tickY, label) in ticks {
            canvas.line(x1: left, y1: tickY, x2: right, y2: tickY, cssClass: "gridline")
            canvas.text(label, x: left - 6, y: tickY + 4, anchor: .end)
        }
        canvas.text(title, x: 14, y: (top + bottom) / 2, anchor: .middle, rotation: -90, cssClass: "axis-title")
        return position
    }

    /// Every `stride`-th level of the grid as a tick above the plot; its ends as dashed lines through it.
    private func drawGrid(on canvas: inout SVGCanvas, x: LinearScale, top: Double, bottom: Double) {
        guard let grid = histogram.grid else { return }
        let stride = gridStride(plotWidth: x.end - x.start)
        let steps = grid.maximumCode / stride
        for step in -steps...steps {
            let value = Double(step * stride) * grid.scale
            guard value >= histogram.lowerBound, value <= histogram.upperBound else { continue }
            let tall = step == 0
            canvas.line(
                x1: x.position(value), y1: top - (tall ? 12 : 9), x2: x.position(value), y2: top - 1,
                stroke: Self.gridColour, strokeWidth: tall ? 1.6 : 1)
        }
        for end in [-1.0, 1.0] {
            let value = end * Double(grid.maximumCode) * grid.scale
            guard value >= histogram.lowerBound - grid.scale, value <= histogram.upperBound + grid.scale else {
                continue
            }
            let position = min(max(x.position(value), x.start), x.end)
            canvas.line(
                x1: position, y1: top - 12, x2: position, y2: bottom, stroke: Self.gridColour, strokeWidth: 1.2,
                dashed: true)
        }
    }

    /// The outline of the bins as steps; `closed` returns to the baseline to fill it.
    private func stepPath(_ counts: [Int], x: LinearScale, y: (Int) -> Double, bottom: Double, closed: Bool)
        -> String
    {
        let n = SVGCanvas.number
        let width = (histogram.upperBound - histogram.lowerBound) / Double(counts.count)
        var data = "M\(n(x.start)) \(n(bottom))"
        for (index, count) in counts.enumerated() {
            let from = x.position(histogram.lowerBound + Double(index) * width)
            let to = x.position(histogram.lowerBound + Double(index + 1) * width)
            data += "L\(n(from)) \(n(y(count)))L\(n(to)) \(n(y(count)))"
        }
        data += "L\(n(x.end)) \(n(bottom))"
        return closed ? data + "Z" : data
    }

}
