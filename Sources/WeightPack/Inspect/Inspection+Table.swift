/// How `inspect` orders its rows.
public enum InspectionSort: String, Sendable, CaseIterable {
    /// Largest stored size first.
    case size
    /// Highest compression ratio first.
    case ratio
    /// Most bits per weight first.
    case bpw
    /// By name (byte order).
    case name
}

/// What the `inspect` table shows.
public struct InspectionTableOptions: Sendable {
    /// Exact byte counts (`1536 B`) instead of `1.50 KiB`.
    public var exactBytes = false
    /// Row order; `nil` keeps file order.
    public var sort: InspectionSort?
    /// Show only the first `top` rows (after sorting).
    public var top: Int?
    /// Show groups instead of tensors.
    public var grouping: TensorGrouping?
    /// Bold the heading (ANSI), for a terminal.
    public var colour = false

    /// Creates options; the defaults show every tensor in file order.
    public init(
        exactBytes: Bool = false, sort: InspectionSort? = nil, top: Int? = nil, grouping: TensorGrouping? = nil,
        colour: Bool = false
    ) {
        self.exactBytes = exactBytes
        self.sort = sort
        self.top = top
        self.grouping = grouping
        self.colour = colour
    }
}

extension Inspection {
    /// The inspection as an 80-column table plus totals; byte counts human-readable unless `exactBytes`.
    public func renderTable(exactBytes: Bool = false) -> String {
        renderTable(InspectionTableOptions(exactBytes: exactBytes))
    }

    /// The inspection as a table of tensors (or groups), sorted and cut as `options` say, then the totals:
    /// elements and bits per weight, tensor data against original, the file's other bytes split into header,
    /// metadata and padding where the format tells, and bytes per stage chain.
    public func renderTable(_ options: InspectionTableOptions) -> String {
        let bytes = { (count: Int) in HumanFormat.bytes(count, exact: options.exactBytes) }
        var lines = [
            "\(TextTable.escapingControlCharacters(path))",
            "\(format), \(bytes(fileBytes)), \(plural(tensors.count, "tensor")), "
                + "\(plural(metadataCount, "metadata entry").replacingOccurrences(of: "entrys", with: "entries"))",
        ]
        let (table, shown, total) =
            options.grouping.map { groupTable($0, options, bytes) } ?? tensorTable(options, bytes)
        var rendered = table.render()
        if options.colour, let end = rendered.firstIndex(of: "\n") {
            rendered = "\u{1B}[1m" + rendered[..<end] + "\u{1B}[0m" + rendered[end...]
        }
        lines.append(rendered)
        if shown < total { lines.append("… \(total - shown) more (--top \(shown) of \(total))") }
        lines += totalsLines(bytes)
        return lines.joined(separator: "\n")
    }

    private func tensorTable(_ options: InspectionTableOptions, _ bytes: (Int) -> String) -> (TextTable, Int, Int) {
        var table = TextTable(columns: [
            .init("tensor", width: 29, alignLeft: true), .init("dtype", width: 5, alignLeft: true),
            .init("shape", width: 10, alignLeft: true), .init("original", width: 9), .init("stored", width: 9),
            .init("ratio", width: 5), .init("bpw", width: 5),
            .init(
                "chain", width: max(5, tensors.map { TensorGrouping.stage.group(of: $0).count }.max() ?? 0),
                alignLeft: true),
        ])
        let rows = options.sort.map { tensors.sorted(by: $0) } ?? tensors
        let shown = rows.prefix(options.top ?? rows.count)
        for row in shown {
            table.rows.append([
                row.name, row.dtype, row.shape.map(String.init).joined(separator: "×"), bytes(row.originalBytes),
                bytes(row.storedBytes), HumanFormat.fixed(row.ratio, digits: 2),
                HumanFormat.fixed(row.bitsPerWeight, digits: 2), TensorGrouping.stage.group(of: row),
            ])
        }
        return (table, shown.count, rows.count)
    }

    private func groupTable(_ grouping: TensorGrouping, _ options: InspectionTableOptions, _ bytes: (Int) -> String)
        -> (TextTable, Int, Int)
    {
        var table = TextTable(columns: [
            .init("group", width: 29, alignLeft: true), .init("tensors", width: 7), .init("original", width: 9),
            .init("stored", width: 9), .init("ratio", width: 5), .init("bpw", width: 5),
        ])
        let all = groups(by: grouping)
        let rows = options.sort.map { all.sorted(by: $0) } ?? all
        let shown = rows.prefix(options.top ?? rows.count)
        for group in shown {
            table.rows.append([
                group.name, String(group.tensors), bytes(group.originalBytes), bytes(group.storedBytes),
                HumanFormat.fixed(group.ratio, digits: 2), HumanFormat.fixed(group.bitsPerWeight, digits: 2),
            ])
        }
        return (table, shown.count, rows.count)
    }

    private func totalsLines(_ bytes: (Int) -> String) -> [String] {
        let ratio = totalStoredBytes == 0 ? 1 : Double(totalOriginalBytes) / Double(totalStoredBytes)
        let bitsPerWeight = totalElements == 0 ? 0 : Double(fileBytes) * 8 / Double(totalElements)
        var lines = [
            "total: \(totalElements) elements, \(HumanFormat.fixed(bitsPerWeight, digits: 3)) bits per weight (whole file)",
            "tensor data: \(bytes(totalStoredBytes)) stored of \(bytes(totalOriginalBytes)), "
                + "ratio \(HumanFormat.fixed(ratio, digits: 2))",
        ]
        if let layout {
            lines.append(
                "header and index: \(bytes(layout.headerBytes)), metadata: \(bytes(layout.metadataBytes)), "
                    + "padding: \(bytes(layout.paddingBytes))")
        } else {
            lines.append("header, index and padding: \(bytes(overheadBytes))")
        }
        let stages = Dictionary(grouping: tensors, by: { TensorGrouping.stage.group(of: $0) })
        for (chain, rows) in stages.sorted(by: { $0.key < $1.key }) {
            lines.append(
                "  \(chain): \(plural(rows.count, "tensor")), \(bytes(rows.reduce(0) { $0 + $1.storedBytes }))")
        }
        return lines
    }
}

/// What ``InspectionSort`` orders by: tensor rows and groups alike.
protocol InspectionSortable {
    var name: String { get }
    var storedBytes: Int { get }
    var ratio: Double { get }
    var bitsPerWeight: Double { get }
}

extension InspectionRow: InspectionSortable {}
extension InspectionGroup: InspectionSortable {}

extension Array where Element: InspectionSortable {
    /// The elements in `sort` order (largest first for sizes and rates; names byte-wise, as the formats compare).
    func sorted(by sort: InspectionSort) -> [Element] {
        switch sort {
        case .size: sorted { $0.storedBytes > $1.storedBytes }
        case .ratio: sorted { $0.ratio > $1.ratio }
        case .bpw: sorted { $0.bitsPerWeight > $1.bitsPerWeight }
        case .name: sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }
    }
}
