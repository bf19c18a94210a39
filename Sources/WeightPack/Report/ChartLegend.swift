/// Colours for stage chains: the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
/// in order of the chains' names, with `stored as is` grey and last.
struct ChainPalette {
    /// The chains in legend and stacking order.
    private(set) var chains: [String]

    private static let colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
    private static let plain = "stored as is"

    /// A palette for the distinct chains of `names`.
    init(_ names: some Sequence<String>) {
        let distinct = Set(names)
        chains = distinct.filter { $0 != Self.plain }.sorted() + (distinct.contains(Self.plain) ? [Self.plain] : [])
    }

    /// The colour of `chain` (grey for `stored as is` and chains the palette does not know).
    func colour(of chain: String) -> String {
        guard chain != Self.plain, let index = chains.firstIndex(of: chain) else { return "#9A9A9A" }
        return Self.colours[index % Self.colours.count]
    }
}

/// Estimated text widths for layout (the page uses DejaVu-like system fonts; estimates err on the wide side).
enum TextWidth {
    /// Width of `text` in the 11 px monospace used for tensor and group names.
    static func name(_ text: String) -> Double { Double(text.count) * 6.7 }
    /// Width of `text` in the 12 px proportional font used for numbers and titles.
    static func label(_ text: String) -> Double { Double(text.count) * 7.4 }
}

/// A legend entry: a swatch and its label.
struct LegendEntry {
    /// How the entry's series is drawn.
    enum Swatch {
        case square(String)
        case dot(String)
        case marker(PointMarker)
        case line(String)
        case ticks(String)
    }

    var swatch: Swatch
    var label: String

    init(_ swatch: Swatch, _ label: String) {
        self.swatch = swatch
        self.label = label
    }
}

/// Shapes that mark values which are not numbers on a value axis.
enum PointMarker {
    /// A hollow diamond: identical values (infinite SNR).
    case exact
    /// A red cross: NaN.
    case notANumber
    /// A grey ring: no value (e.g. the tensor is missing from the reference).
    case missing
}

extension SVGCanvas {
    private static let legendRowHeight = 20.0

    /// The height ``legend(_:x:y:maxX:)`` will take.
    static func legendHeight(_ entries: [LegendEntry], x: Double, maxX: Double) -> Double {
        Double(legendRows(entries, x: x, maxX: maxX).map(\.row).max().map { $0 + 1 } ?? 0) * legendRowHeight
    }

    private static func legendRows(_ entries: [LegendEntry], x: Double, maxX: Double) -> [(x: Double, row: Int)] {
        var positions: [(x: Double, row: Int)] = []
        var cursor = x
        var row = 0
        for entry in entries {
            let width = 22 + TextWidth.label(entry.label) + 18
            if cursor > x, cursor + width > maxX {
                row += 1
                cursor = x
            }
            positions.append((cursor, row))
            cursor += width
        }
        return positions
    }

    /// Draws `entries` left to right from `(x, y)` (the top of the first row), wrapping before `maxX`.
    mutating func legend(_ entries: [LegendEntry], x: Double, y: Double, maxX: Double) {
        for (entry, position) in zip(entries, Self.legendRows(entries, x: x, maxX: maxX)) {
            let left = position.x
            let middle = y + Double(position.row) * Self.legendRowHeight + 9
            switch entry.swatch {
            case .square(let colour): rect(x: left, y: middle - 6, width: 14, height: 12, fill: colour)
            case .dot(let colour): circle(x: left + 7, y: middle, radius: 4.5, fill: colour, title: nil)
            case .marker(let kind): marker(kind, x: left + 7, y: middle, colour: "#555", title: nil)
            case .line(let colour):
                line(x1: left, y1: middle, x2: left + 16, y2: middle, stroke: colour, strokeWidth: 2.5)
            case .ticks(let colour):
                for offset in [1.0, 6, 11, 16] {
                    line(x1: left + offset, y1: middle - 6, x2: left + offset, y2: middle + 6, stroke: colour)
                }
            }
            text(entry.label, x: left + 22, y: middle + 4)
        }
    }

    /// Draws a ``PointMarker`` centred on `(x, y)`; `colour` outlines the exact-value diamond.
    mutating func marker(_ kind: PointMarker, x: Double, y: Double, colour: String, title: String?) {
        let n = Self.number
        switch kind {
        case .exact:
            path(
                "M\(n(x)) \(n(y - 5))L\(n(x + 5)) \(n(y))L\(n(x)) \(n(y + 5))L\(n(x - 5)) \(n(y))Z", fill: "#ffffff",
                stroke: colour, strokeWidth: 1.5, title: title)
        case .notANumber:
            path(
                "M\(n(x - 4)) \(n(y - 4))L\(n(x + 4)) \(n(y + 4))M\(n(x - 4)) \(n(y + 4))L\(n(x + 4)) \(n(y - 4))",
                fill: nil, stroke: "#C62828", strokeWidth: 2, title: title)
        case .missing:
            circle(x: x, y: y, radius: 4, fill: nil, stroke: "#888888", title: title)
        }
    }
}
