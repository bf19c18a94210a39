import Foundation
import TensorCore

extension ModelReport {
    /// The report as one self-contained HTML page: a summary table, then inline SVG charts of the stored bytes
    /// per layer group, the bits per weight per tensor, the SNR per tensor (with a reference) and the histograms.
    ///
    /// No scripts and no external resources; every name read from a file is escaped (``HTMLText/escaped(_:)``).
    public func html() -> String {
        let fileName = URL(fileURLWithPath: inspection.path).lastPathComponent
        var document = HTMLDocument(title: "WeightPack report: \(fileName)")
        document.body.append(
            "<header><h1>WeightPack report</h1><p><code>\(HTMLText.escaped(inspection.path))</code></p></header>")
        document.body.append(summarySection)
        document.body.append(bytesSection)
        document.body.append(bitsSection)
        if let verification { document.body.append(snrSection(verification)) }
        document.body.append(histogramSection)
        if let curves = options.rateDistortion {
            document.body.append(
                """
                <section id="rate-distortion"><h2>Rate and distortion</h2>
                <figure>\(curves.chart())
                <figcaption>Bits per weight of the 2-D float tensors against their median SNR, on \
                \(HTMLText.escaped(curves.model)): each uniform preset, and the file tune chooses at several budgets. \
                Up and to the left is better. Hover over a dot for what produced it.</figcaption></figure></section>
                """)
        }
        document.body.append(
            "<p class=\"note\">Written by <code>weightpack report</code>. One file: no scripts, nothing loaded "
                + "from the network. Hover over a bar or dot for its tensor and value.</p>")
        return document.render()
    }

    /// The palette of the file's stage chains, shared by the charts.
    var palette: ChainPalette { ChainPalette(inspection.tensors.map(TensorGrouping.stage.group(of:))) }

    private var summarySection: String {
        let ratio = Double(inspection.totalOriginalBytes) / Double(max(1, inspection.totalStoredBytes))
        let bitsPerWeight = Double(inspection.fileBytes) * 8 / Double(max(1, inspection.totalElements))
        var rows: [(String, String)] = [
            ("File", "<code>\(HTMLText.escaped(inspection.path))</code>"),
            ("Format", HTMLText.escaped(inspection.format)),
            ("Size", "\(HumanFormat.bytes(inspection.fileBytes)) (\(CountFormat.grouped(inspection.fileBytes)) bytes)"),
            ("Tensors", CountFormat.grouped(inspection.tensors.count)),
            ("Elements", CountFormat.grouped(inspection.totalElements)),
            (
                "Ratio",
                "\(HumanFormat.fixed(ratio, digits: 2)) (tensor data: \(HumanFormat.bytes(inspection.totalOriginalBytes))"
                    + " at the source dtypes, \(HumanFormat.bytes(inspection.totalStoredBytes)) stored)"
            ),
            ("Bits per weight", "\(HumanFormat.fixed(bitsPerWeight, digits: 3)) overall (8 × file bytes / elements)"),
            ("Stage chains", chainLines.joined(separator: "<br>")),
            ("Header, index, padding", HumanFormat.bytes(inspection.overheadBytes)),
        ]
        if let verification, let referencePath {
            rows += verificationRows(verification, referencePath: referencePath)
        }
        let body = rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined(separator: "\n")
        return "<section id=\"summary\"><h2>Summary</h2>\n<table>\n\(body)\n</table></section>"
    }

    private var chainLines: [String] {
        let rows = Dictionary(grouping: inspection.tensors, by: TensorGrouping.stage.group(of:))
        return palette.chains.map { chain in
            let members = rows[chain] ?? []
            return "\(HTMLText.escaped(chain)): \(CountFormat.plural(members.count, "tensor")), "
                + HumanFormat.bytes(members.reduce(0) { $0 + $1.storedBytes })
        }
    }

    private func verificationRows(_ verification: VerificationReport, referencePath: String) -> [(String, String)] {
        let summary = VerificationSummary(verification, minimumSNR: nil)
        var reference = "<code>\(HTMLText.escaped(referencePath))</code>"
        if let referenceFileBytes {
            let ratio = Double(referenceFileBytes) / Double(max(1, inspection.fileBytes))
            reference +=
                ", \(HumanFormat.bytes(referenceFileBytes)) (\(HumanFormat.fixed(ratio, digits: 2)) × this file)"
        }
        var rows: [(String, String)] = [
            ("Reference", reference),
            (
                "Compared",
                "\(CountFormat.plural(summary.tensors, "tensor")): \(summary.bitExact) bit-exact, \(summary.exactValues) exact "
                    + "in value, \(summary.lossy) lossy"
            ),
        ]
        if let median = summary.snrMedianDecibels, let minimum = summary.snrMinimumDecibels {
            rows.append(
                (
                    "SNR median / min",
                    "\(HumanFormat.fixed(median, digits: 2)) dB / \(HumanFormat.fixed(minimum, digits: 2)) dB "
                        + "(lossy tensors)"
                ))
        } else {
            rows.append(("SNR median / min", "no lossy tensor: every tensor is exact"))
        }
        if let worst = summary.snrMinimumTensor {
            rows.append(("Worst tensor", "<code>\(HTMLText.escaped(worst))</code>"))
        }
        let mismatches =
            verification.missingFromCandidate.map { "in the reference only: \($0)" }
            + verification.missingFromReference.map { "not in the reference: \($0)" }
            + verification.shapeMismatches.map { "shapes differ: \($0)" }
        if !mismatches.isEmpty {
            let shown = mismatches.prefix(20).map { "<code>\(HTMLText.escaped($0))</code>" }
            let more = mismatches.count > 20 ? "<br>… and \(mismatches.count - 20) more" : ""
            rows.append(("Not compared", shown.joined(separator: "<br>") + more))
        }
        return rows
    }

    private var bytesSection: String {
        let groups = inspection.groups(by: .layer)
        let chart = StackedBarChart(groups: groups, palette: palette).render()
        var table = "<table><tr><th>layer group</th><th class=\"num\">tensors</th><th class=\"num\">original</th>"
        table += "<th class=\"num\">stored</th><th class=\"num\">ratio</th><th class=\"num\">bits per weight</th></tr>"
        for group in groups {
            table +=
                "\n<tr><td><code>\(HTMLText.escaped(group.name))</code></td><td class=\"num\">\(group.tensors)</td>"
                + "<td class=\"num\">\(HumanFormat.bytes(group.originalBytes))</td>"
                + "<td class=\"num\">\(HumanFormat.bytes(group.storedBytes))</td>"
                + "<td class=\"num\">\(HumanFormat.fixed(group.ratio, digits: 2))</td>"
                + "<td class=\"num\">\(HumanFormat.fixed(group.bitsPerWeight, digits: 2))</td></tr>"
        }
        table += "</table>"
        return """
            <section id="bytes"><h2>Stored bytes per layer group</h2>
            <figure>\(chart)
            <figcaption>Bytes each layer group takes in the file, stacked by the stage chain that stored them. \
            A layer group is the tensor name up to its first number (<code>encoder.layer.3</code>), \
            else its first component.</figcaption></figure>
            <details><summary>The numbers</summary>\(table)</details></section>
            """
    }

    private var bitsSection: String {
        let points = inspection.tensors.map { row in
            TensorPoint(
                name: row.name, group: TensorGrouping.layerGroup(of: row.name),
                chain: TensorGrouping.stage.group(of: row), value: .number(row.bitsPerWeight))
        }
        let chart = BarChart(points: points, axisTitle: "bits per weight", unit: " bits per weight", palette: palette)
        return """
            <section id="bits"><h2>Bits per weight per tensor</h2>
            <figure>\(chart.render())
            <figcaption>8 × stored bytes / elements: what each weight costs in the file, scales and codec \
            framing included. Colour: the stage chain.\(compactNote(points.count))</figcaption></figure></section>
            """
    }

    private func snrSection(_ verification: VerificationReport) -> String {
        let comparisons = Dictionary(
            verification.tensors.map { (TensorNameKey($0.name), $0) }, uniquingKeysWith: { first, _ in first })
        let points = inspection.tensors.map { row -> TensorPoint in
            let value: TensorPoint.Value
            if let comparison = comparisons[TensorNameKey(row.name)] {
                let snr = comparison.snrDecibels
                value =
                    comparison.bitExact
                    ? .exact("bit-exact")
                    : snr.isNaN ? .notANumber : snr.isFinite ? .number(snr) : .exact("exact in value")
            } else {
                value = .missing("not compared")
            }
            return TensorPoint(
                name: row.name, group: TensorGrouping.layerGroup(of: row.name),
                chain: TensorGrouping.stage.group(of: row), value: value)
        }
        var chart = BarChart(points: points, axisTitle: "SNR (dB)", unit: " dB", palette: palette)
        chart.emptyMessage = "every compared tensor is exact: no finite SNR to plot"
        return """
            <section id="snr"><h2>SNR per tensor</h2>
            <figure>\(chart.render())
            <figcaption>Signal-to-noise ratio of the decoded tensor against the reference, \
            10·log10(Σref² / Σ(decoded − ref)²) in dB; higher is closer. Exact tensors have no error (infinite \
            SNR) and are marked with a diamond.\(compactNote(points.count))</figcaption></figure></section>
            """
    }

    private func compactNote(_ count: Int) -> String {
        count > BarChart.barLimit
            ? " More than \(BarChart.barLimit) tensors: one dot per tensor, grouped by layer group; "
                + "hover for the tensor's name." : ""
    }
}
