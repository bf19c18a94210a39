extension ModelReport {
    /// The histogram section: one figure per histogram, two per row on a wide window.
    var histogramSection: String {
        let title = "<h2>Weight histograms of the largest tensors</h2>"
        guard !histograms.isEmpty else {
            return
                "<section id=\"histograms\">\(title)<p class=\"note\">No floating-point tensor to show.</p></section>"
        }
        let intro =
            verification == nil
            ? "No reference was given, so each histogram shows the values decoded from the file only "
                + "(<code>--reference ORIGINAL</code> adds the original values for comparison)."
            : "The reference's values (filled) and the values decoded from the file (line), over the same bins."
        let figures = histograms.map(figure).joined(separator: "\n")
        return """
            <section id="histograms">\(title)
            <p class="note">\(intro) Up to \(CountFormat.grouped(options.sampleLimit)) evenly spaced elements per \
            tensor, in \(options.binCount) bins spanning the smallest to the largest value.</p>
            <div class="histograms">
            \(figures)
            </div></section>
            """
    }

    private func figure(_ histogram: WeightHistogram) -> String {
        let chart = HistogramChart(histogram: histogram)
        let shape = "[" + histogram.shape.map(String.init).joined(separator: ", ") + "]"
        let chain = histogram.stages.isEmpty ? "stored as is" : histogram.stages.joined(separator: " > ")
        var lines = [
            "\(HTMLText.escaped(histogram.dtype)) \(shape), \(CountFormat.plural(histogram.elementCount, "element")), "
                + HTMLText.escaped(chain) + samplingText(histogram)
        ]
        if let grid = histogram.grid {
            lines.append(gridText(grid, stride: chart.gridStride(plotWidth: chart.plotWidth)))
        }
        if histogram.nonFiniteCount > 0 {
            lines.append("\(CountFormat.plural(histogram.nonFiniteCount, "NaN or infinite element")) not binned.")
        }
        lines += histogram.notes.map(HTMLText.escaped)
        return "<figure><h3><code>\(HTMLText.escaped(histogram.name))</code></h3>\n\(chart.render())\n"
            + "<figcaption>\(lines.joined(separator: "<br>"))</figcaption></figure>"
    }

    private func samplingText(_ histogram: WeightHistogram) -> String {
        histogram.sampledCount < histogram.elementCount
            ? "; \(CountFormat.grouped(histogram.sampledCount)) evenly spaced elements binned" : ""
    }

    private func gridText(_ grid: QuantizationGrid, stride: Int) -> String {
        let step = CountFormat.significant(grid.scale)
        let ticks =
            "Ticks above the plot mark "
            + (stride == 1 ? "each" : "every \(CountFormat.ordinal(stride))")
            + " of its \(grid.levelCount) levels; dashed lines its ends "
            + "±\(grid.maximumCode) × scale."
        guard let row = grid.row else {
            return "int8 per tensor: one grid, step \(step) (scale = max|w| / 127). " + ticks
        }
        return "int8 per channel: the grid of row \(CountFormat.grouped(row)), the largest of "
            + "\(CountFormat.grouped(grid.rows)) scales (step \(step)); the rows' scales run from "
            + "\(CountFormat.significant(grid.smallestScale)) (median \(CountFormat.significant(grid.medianScale))), "
            + "so their grids are finer. " + ticks
    }
}
