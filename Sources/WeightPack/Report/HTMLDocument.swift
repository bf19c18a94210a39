/// Text made safe for HTML and inline SVG.
public enum HTMLText {
    /// `text` safe in element content and in single- or double-quoted attribute values.
    ///
    /// `&`, `<`, `>`, `"` and `'` become character references; control characters (C0 but tab, DEL, C1) and the
    /// bidirectional controls (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069) become visible `\u{…}` escapes, so that a tensor
    /// name read from a file can neither open markup nor reorder or hide the text around it.
    /// - Complexity: O(n) in the length of `text`.
    public static func escaped(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in visible(text).unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// `text` with the characters ``escaped(_:)`` shows as `\u{…}` already written so (no markup escaped): the text
    /// as the reader will see it, for measuring and shortening before it is escaped.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if isHidden(scalar) {
                output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value < 0x20 && value != 0x09) || (0x7F...0x9F).contains(value) || value == 0x061C
            || (0x200E...0x200F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}

/// One self-contained HTML page: inline CSS, no scripts, nothing fetched.
///
/// The page's Content-Security-Policy forbids scripts and every network request, so even markup that escaped
/// ``HTMLText/escaped(_:)`` could not run or load anything.
struct HTMLDocument {
    /// The page title (plain text; escaped when rendered).
    var title: String
    /// The body's content, already HTML.
    var body: [String] = []

    /// The whole page.
    func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escaped(title))</title>
        <style>
        \(Self.styleSheet)
        </style>
        </head>
        <body>
        <main>
        \(body.joined(separator: "\n"))
        </main>
        </body>
        </html>

        """
    }

    /// The page's CSS: system fonts, one column up to 1200 px, charts that shrink with the window.
    static let styleSheet = """
        body { margin: 0; background: #f5f5f2; color: #1d1d1f;
          font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
        main { max-width: 1200px; margin: 0 auto; padding: 20px 20px 32px; }
        h1 { font-size: 22px; margin: 0 0 2px; }
        h2 { font-size: 17px; margin: 0 0 6px; }
        h3 { font-size: 13px; margin: 0 0 2px; }
        p { margin: 4px 0; }
        section { background: #fff; border: 1px solid #dcdcd6; border-radius: 6px; padding: 12px 16px 14px;
          margin-top: 14px; }
        code { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px;
          overflow-wrap: anywhere; }
        table { border-collapse: collapse; margin: 4px 0; }
        th, td { text-align: left; padding: 3px 14px 3px 0; border-bottom: 1px solid #ececea; vertical-align: top; }
        th { font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .note { color: #555; font-size: 13px; }
        figure { margin: 8px 0 0; }
        figcaption { font-size: 12.5px; color: #444; margin-top: 2px; }
        details { margin-top: 8px; }
        summary { cursor: pointer; color: #333; }
        .histograms { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px 18px; }
        svg.chart { display: block; max-width: 100%; height: auto; }
        svg.chart text { font-family: system-ui, "DejaVu Sans", Helvetica, Arial, sans-serif; font-size: 12px;
          fill: #222; }
        svg.chart text.name { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace;
          font-size: 11px; }
        svg.chart text.axis-title { font-weight: 600; }
        svg.chart text.faint { fill: #666; }
        svg.chart .axis { stroke: #444; stroke-width: 1; }
        svg.chart .gridline { stroke: #e4e4e0; stroke-width: 1; }
        svg.chart .band { fill: #f3f3ef; }
        """
}
