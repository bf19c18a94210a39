extension Inspection {
    /// The inspection as an 80-column table plus totals; byte counts human-readable unless `exactBytes`.
    public func renderTable(exactBytes: Bool = false) -> String {
        var table = TextTable(columns: [
            .init("tensor", width: 29, alignLeft: true), .init("dtype", width: 5, alignLeft: true),
            .init("shape", width: 10, alignLeft: true), .init("original", width: 9), .init("stored", width: 9),
            .init("ratio", width: 5), .init("bpw", width: 5),
        ])
        let bytes = { (count: Int) in HumanFormat.bytes(count, exact: exactBytes) }
        for row in tensors {
            table.rows.append([
                row.name, row.dtype, row.shape.map(String.init).joined(separator: "×"), bytes(row.originalBytes),
                bytes(row.storedBytes), HumanFormat.fixed(row.ratio, digits: 2),
                HumanFormat.fixed(row.bitsPerWeight, digits: 2),
            ])
        }
        let ratio = totalStoredBytes == 0 ? 1 : Double(totalOriginalBytes) / Double(totalStoredBytes)
        let bitsPerWeight = totalElements == 0 ? 0 : Double(fileBytes) * 8 / Double(totalElements)
        var lines = [
            "\(path)",
            "\(format), \(bytes(fileBytes)), \(plural(tensors.count, "tensor")), "
                + "\(plural(metadataCount, "metadata entry").replacingOccurrences(of: "entrys", with: "entries"))",
        ]
        lines.append(table.render())
        lines.append(
            "total: \(totalElements) elements, \(HumanFormat.fixed(bitsPerWeight, digits: 3)) bits per weight (whole file)"
        )
        lines.append(
            "tensor data: \(bytes(totalStoredBytes)) stored of \(bytes(totalOriginalBytes)), ratio \(HumanFormat.fixed(ratio, digits: 2))"
        )
        lines.append("header, index and padding: \(bytes(overheadBytes))")
        let stages = Dictionary(
            grouping: tensors, by: { $0.stages.isEmpty ? "stored as is" : $0.stages.joined(separator: " > ") })
        for (chain, rows) in stages.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  \(chain): \(plural(rows.count, "tensor")), \(bytes(rows.reduce(0) { $0 + $1.storedBytes }))")
        }
        return lines.joined(separator: "\n")
    }
}
