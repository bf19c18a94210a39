/// Names under a category axis, laid out so that none overlap.
///
/// Flat when each fits beside its neighbours; otherwise turned 45° when the centres are at least 1.5 lines
/// apart, else 90°; 90° labels closer than a line are thinned (a label is kept when it is a line from the last
/// kept one). Names longer than ``maximumCharacters`` are shortened with ``TextTable/elide(_:to:)``; the full
/// name stays in the label's tooltip.
struct CategoryLabels {
    /// One drawn label.
    struct Label {
        /// The (possibly shortened) text.
        var text: String
        /// The full name, for the tooltip.
        var name: String
        /// The x of the label's anchor.
        var x: Double
    }

    /// Longest label drawn, in characters.
    static let maximumCharacters = 30
    private static let lineHeight = 13.0

    /// The labels to draw (all of them unless thinned).
    var labels: [Label]
    /// 0, -45 or -90 degrees.
    var rotation: Double
    /// Vertical space the labels take below the axis.
    var height: Double
    /// How far the labels would reach left of x = 4; the chart widens its left margin by this much.
    var leftOverhang: Double

    /// Lays out `names` centred on `centres` (ascending) on a canvas `canvasWidth` wide.
    init(_ names: [String], centres: [Double], canvasWidth: Double) {
        let texts = names.map { TextTable.elide(HTMLText.visible($0), to: Self.maximumCharacters) }
        let widths = texts.map(TextWidth.name)
        let flat = zip(centres, widths).map { centre, width in
            min(max(centre, width / 2 + 2), canvasWidth - width / 2 - 2)
        }
        let fitsFlat = flat.indices.dropFirst().allSatisfy { index in
            flat[index] - flat[index - 1] >= (widths[index] + widths[index - 1]) / 2 + 10
        }
        let closest = centres.indices.dropFirst().map { centres[$0] - centres[$0 - 1] }.min() ?? .infinity
        let widest = widths.max() ?? 0
        if fitsFlat {
            rotation = 0
            height = Self.lineHeight + 6
            labels = texts.indices.map { Label(text: texts[$0], name: names[$0], x: flat[$0]) }
            leftOverhang = 0
        } else if closest >= Self.lineHeight * 1.5 {
            rotation = -45
            height = widest * 0.7072 + Self.lineHeight + 4
            labels = texts.indices.map { Label(text: texts[$0], name: names[$0], x: centres[$0] + 4) }
            leftOverhang = max(0, zip(labels, widths).map { 4 - ($0.x - $1 * 0.7072) }.max() ?? 0)
        } else {
            rotation = -90
            height = widest + 10
            var kept: [Label] = []
            for index in texts.indices where kept.last.map({ centres[index] + 4 - $0.x >= Self.lineHeight }) ?? true {
                kept.append(Label(text: texts[index], name: names[index], x: centres[index] + 4))
            }
            labels = kept
            leftOverhang = 0
        }
    }

    /// Draws the labels with their tops (before rotation) at `y`, just below the axis.
    func draw(on canvas: inout SVGCanvas, y: Double) {
        for label in labels {
            if rotation == 0 {
                canvas.text(label.text, x: label.x, y: y + 11, anchor: .middle, cssClass: "name", title: label.name)
            } else {
                canvas.text(
                    label.text, x: label.x, y: y + 4, anchor: .end, rotation: rotation, cssClass: "name",
                    title: label.name)
            }
        }
    }
}
