/// An inline SVG image built element by element; every text and tooltip is escaped with ``HTMLText``.
///
/// Coordinates are in CSS pixels of the `viewBox`; the page lets the image shrink with the window.
struct SVGCanvas {
    /// Where a text's x coordinate sits on the text.
    enum Anchor: String {
        case start, middle, end
    }

    /// Width and height of the `viewBox`.
    var width: Double
    var height: Double
    /// The elements so far, as markup.
    private(set) var elements: [String] = []

    /// Creates an empty canvas.
    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A coordinate or length with at most one decimal (`12`, `12.5`); non-finite values become 0.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let text = HumanFormat.fixed(value, digits: 1)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text == "-0" ? "0" : text
    }

    private static func tooltip(_ title: String?) -> String {
        title.map { "<title>\(HTMLText.escaped($0))</title>" } ?? ""
    }

    /// A rectangle; `title` becomes its tooltip.
    mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, cssClass: String? = nil,
        title: String? = nil, opacity: Double? = nil
    ) {
        let n = Self.number
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, width)))\" height=\"\(n(max(0, height)))\""
        attributes += " fill=\"\(fill)\""
        if let opacity { attributes += " fill-opacity=\"\(HumanFormat.fixed(opacity, digits: 2))\"" }
        if let cssClass { attributes += " class=\"\(cssClass)\"" }
        elements.append(title == nil ? "<rect \(attributes)/>" : "<rect \(attributes)>\(Self.tooltip(title))</rect>")
    }

    /// A straight line with a CSS class (see the page's style sheet) or an explicit stroke.
    mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, cssClass: String? = nil, stroke: String? = nil,
        strokeWidth: Double? = nil, dashed: Bool = false
    ) {
        let n = Self.number
        var attributes = "x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\""
        if let cssClass { attributes += " class=\"\(cssClass)\"" }
        if let stroke { attributes += " stroke=\"\(stroke)\"" }
        if let strokeWidth { attributes += " stroke-width=\"\(n(strokeWidth))\"" }
        if dashed { attributes += " stroke-dasharray=\"4 3\"" }
        elements.append("<line \(attributes)/>")
    }

    /// A text; `rotation` in degrees turns it about its anchor point (negative: counter-clockwise).
    mutating func text(
        _ content: String, x: Double, y: Double, anchor: Anchor = .start, rotation: Double = 0,
        cssClass: String? = nil, fill: String? = nil, title: String? = nil
    ) {
        let n = Self.number
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if rotation != 0 { attributes += " transform=\"rotate(\(n(rotation)) \(n(x)) \(n(y)))\"" }
        if let cssClass { attributes += " class=\"\(cssClass)\"" }
        if let fill { attributes += " style=\"fill:\(fill)\"" }
        elements.append("<text \(attributes)>\(Self.tooltip(title))\(HTMLText.escaped(content))</text>")
    }

    /// A dot of radius `radius`; hollow when `fill` is `nil`.
    mutating func circle(x: Double, y: Double, radius: Double, fill: String?, stroke: String? = nil, title: String?) {
        let n = Self.number
        var attributes = "cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(radius))\" fill=\"\(fill ?? "none")\""
        if let stroke { attributes += " stroke=\"\(stroke)\" stroke-width=\"1.5\"" }
        elements.append(
            title == nil ? "<circle \(attributes)/>" : "<circle \(attributes)>\(Self.tooltip(title))</circle>")
    }

    /// A path from SVG path data built with ``number(_:)``; `fill` `nil` draws the outline only.
    mutating func path(
        _ data: String, fill: String?, stroke: String? = nil, strokeWidth: Double = 1, fillOpacity: Double? = nil,
        title: String? = nil
    ) {
        var attributes = "d=\"\(data)\" fill=\"\(fill ?? "none")\""
        if let fillOpacity { attributes += " fill-opacity=\"\(HumanFormat.fixed(fillOpacity, digits: 2))\"" }
        if let stroke {
            attributes += " stroke=\"\(stroke)\" stroke-width=\"\(Self.number(strokeWidth))\" stroke-linejoin=\"round\""
        }
        elements.append(title == nil ? "<path \(attributes)/>" : "<path \(attributes)>\(Self.tooltip(title))</path>")
    }

    /// The image, with `label` (escaped) as its accessible name.
    func render(label: String) -> String {
        let size = "\(Self.number(width)) \(Self.number(height))"
        return "<svg class=\"chart\" viewBox=\"0 0 \(size)\" width=\"\(Self.number(width))\" "
            + "height=\"\(Self.number(height))\" role=\"img\" aria-label=\"\(HTMLText.escaped(label))\">\n"
            + elements.joined(separator: "\n") + "\n</svg>"
    }
}
