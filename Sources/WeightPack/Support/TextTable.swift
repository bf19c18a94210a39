/// A plain-text table with right- or left-aligned columns, for terminal output.
public struct TextTable: Sendable {
    /// A column: its title, width in characters, and alignment.
    public struct Column: Sendable {
        public var title: String
        public var width: Int
        public var alignLeft: Bool
        public init(_ title: String, width: Int, alignLeft: Bool = false) {
            self.title = title
            self.width = width
            self.alignLeft = alignLeft
        }
    }

    /// The columns, left to right.
    public var columns: [Column]
    /// The rows; each has one cell per column.
    public var rows: [[String]] = []

    /// Creates an empty table.
    public init(columns: [Column]) { self.columns = columns }

    /// The table as lines: title, rule, rows. Cells longer than their column are shortened in the middle
    /// with `…` (left-aligned) or kept whole (right-aligned numbers).
    public func render() -> String {
        var lines = [line(columns.map(\.title), elide: false)]
        lines.append(columns.map { String(repeating: "-", count: $0.width) }.joined(separator: " "))
        lines += rows.map { line($0, elide: true) }
        return lines.joined(separator: "\n")
    }

    private func line(_ cells: [String], elide: Bool) -> String {
        zip(columns, cells).map { column, cell in
            let text = column.alignLeft && elide ? Self.elide(cell, to: column.width) : cell
            let padding = String(repeating: " ", count: max(0, column.width - text.count))
            return column.alignLeft ? text + padding : padding + text
        }.joined(separator: " ").trimmingTrailingSpaces()
    }

    /// Shortens `text` to `width` characters by replacing its middle with `…`. A dotted tensor name keeps its
    /// leading components up to the first number (the layer index) when that leaves room for its tail:
    /// `encoder.layer.3.attention.self.query.weight` → `encoder.layer.3.…self.query.weight`.
    public static func elide(_ text: String, to width: Int) -> String {
        guard text.count > width, width > 1 else { return text }
        let components = text.split(separator: ".", omittingEmptySubsequences: false)
        if let layer = components.firstIndex(where: { !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            let head = components[...layer].joined(separator: ".") + "."
            let tailWidth = width - head.count - 1
            if tailWidth >= 8 { return head + "…" + String(text.suffix(tailWidth)) }
        }
        let tail = (width - 1) * 3 / 5
        let head = width - 1 - tail
        return String(text.prefix(head)) + "…" + String(text.suffix(tail))
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}

/// Formatting of byte counts and numbers for humans.
public enum HumanFormat {
    /// `1536` → `1.5 KiB`; `exact` gives the plain integer.
    public static func bytes(_ count: Int, exact: Bool = false) -> String {
        if exact || count < 1024 { return exact ? String(count) : "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return fixed(value, digits: value < 10 ? 2 : 1) + " " + units[unit]
    }

    /// `value` with `digits` digits after the point.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int(rounded / scale)
        let fraction = Int(rounded - Double(whole) * scale)
        let sign = value < 0 && rounded != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        let fractionText = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }
}
