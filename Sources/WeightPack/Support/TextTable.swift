/// A plain-text table with right- or left-aligned columns, for terminal output.
public struct TextTable: Sendable {
    /// A column: its title, width in characters, and alignment.
    public struct Column: Sendable {
        /// The heading, never shortened.
        public var title: String
        /// Width in characters (a minimum for right-aligned columns, which widen to fit).
        public var width: Int
        /// Left-aligned text (shortened to fit) rather than right-aligned numbers.
        public var alignLeft: Bool
        /// Creates a column.
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

    /// The table as lines: title, rule, rows. Left-aligned cells longer than their column are shortened
    /// (see ``elide(_:to:)``); right-aligned columns (numbers) widen to fit their longest cell.
    public func render() -> String {
        var widened = self
        for (index, column) in columns.enumerated() where !column.alignLeft {
            let longest = rows.map { index < $0.count ? $0[index].count : 0 }.max() ?? 0
            widened.columns[index].width = max(column.width, longest, column.title.count)
        }
        return widened.renderFixed()
    }

    private func renderFixed() -> String {
        var lines = [line(columns.map(\.title), elide: false)]
        lines.append(columns.map { String(repeating: "-", count: $0.width) }.joined(separator: " "))
        lines += rows.map { line($0, elide: true) }
        return lines.joined(separator: "\n")
    }

    private func line(_ cells: [String], elide: Bool) -> String {
        zip(columns, cells).map { column, cell in
            let printable = Self.escapingControlCharacters(cell)
            let text = column.alignLeft && elide ? Self.elide(printable, to: column.width) : printable
            let padding = String(repeating: " ", count: max(0, column.width - text.count))
            return column.alignLeft ? text + padding : padding + text
        }.joined(separator: " ").trimmingTrailingSpaces()
    }

    /// `text` with control characters (C0, DEL, C1) written as `\u{1B}`, so that a name read from a file cannot
    /// move the cursor or clear the terminal.
    public static func escapingControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return text.unicodeScalars.map { scalar in
            isControl(scalar) ? "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" : String(scalar)
        }.joined()
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Shortens `text` to `width` characters. A dotted tensor name is shortened by capping the length of its
    /// word components (numbers and the last component are kept whole), with the largest cap that fits, so
    /// names stay distinct: `encoder.layer.3.attention.output.dense.weight` → `enc.lay.3.att.out.den.weight`.
    /// Otherwise the middle is replaced with `…`.
    public static func elide(_ text: String, to width: Int) -> String {
        guard text.count > width, width > 1 else { return text }
        let components = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1 {
            let longest = components.map(\.count).max() ?? 0
            for cap in stride(from: longest - 1, through: 1, by: -1) {
                let capped = components.enumerated().map { index, component in
                    index == components.count - 1 || component.allSatisfy(\.isNumber)
                        ? component : String(component.prefix(cap))
                }.joined(separator: ".")
                if capped.count <= width { return capped }
            }
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
    /// `1536` → `1.50 KiB`, `12_900_000` → `12.3 MiB`; `exact` gives the integer count, `1536 B`.
    public static func bytes(_ count: Int, exact: Bool = false) -> String {
        if exact || count < 1024 { return "\(count) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return fixed(value, digits: value < 10 ? 2 : 1) + " " + units[unit]
    }

    /// `value` as written by a person: `300` → `300`, `12.5` → `12.5` (no trailing zeros, no exponent for
    /// ordinary magnitudes).
    public static func compact(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// `value` with `digits` digits after the point.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        guard abs(value) < 1e15 else { return "\(value)" }
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
