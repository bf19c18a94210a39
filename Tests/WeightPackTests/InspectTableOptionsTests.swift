import Foundation
import Testing
import WeightPack

struct InspectTableOptionsTests {
    /// Four tensors whose stored size, ratio and bits per weight each order them differently:
    ///
    /// | name | elements | original | stored | ratio | bpw |
    /// |---|---|---|---|---|---|
    /// | `b.1.weight` | 100 | 400 | 100 | 4.00 | 8.00 |
    /// | `a.0.weight` | 400 | 1600 | 800 | 2.00 | 16.00 |
    /// | `a.0.bias` | 10 | 40 | 40 | 1.00 | 32.00 |
    /// | `B.norm` | 1000 | 4000 | 500 | 8.00 | 4.00 |
    static let rows = [
        TensorGroupingTests.row("b.1.weight", elements: 100, stored: 100, stages: ["int8", "zstd"]),
        TensorGroupingTests.row("a.0.weight", elements: 400, stored: 800, stages: ["int8"]),
        TensorGroupingTests.row("a.0.bias", dtype: "f16", elements: 10, stored: 40),
        TensorGroupingTests.row("B.norm", elements: 1000, stored: 500, stages: ["int8", "zstd"]),
    ]

    static let inspection = Inspection(
        path: "m.wpk", format: "wpk", fileBytes: 2000, metadataCount: 1, tensors: rows)

    /// The first cell of each table row: the lines after the `---` rule, up to the `…` or `total:` line.
    static func firstColumn(_ table: String) -> [String] {
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let rule = lines.firstIndex(where: { $0.hasPrefix("---") }) else { return [] }
        return lines[(rule + 1)...].prefix { !$0.hasPrefix("…") && !$0.hasPrefix("total:") }.map {
            String($0.split(separator: " ").first ?? "")
        }
    }

    static func render(_ options: InspectionTableOptions) -> String { inspection.renderTable(options) }

    @Test func sortValuesAreTheDocumentedWords() {
        #expect(InspectionSort.allCases.map(\.rawValue) == ["size", "ratio", "bpw", "name"])
    }

    @Test func withoutSortRowsKeepFileOrder() {
        #expect(
            Self.firstColumn(Self.render(InspectionTableOptions())) == [
                "b.1.weight", "a.0.weight", "a.0.bias", "B.norm",
            ])
    }

    @Test(arguments: [
        (InspectionSort.size, ["a.0.weight", "B.norm", "b.1.weight", "a.0.bias"]),
        (.ratio, ["B.norm", "b.1.weight", "a.0.weight", "a.0.bias"]),
        (.bpw, ["a.0.bias", "a.0.weight", "b.1.weight", "B.norm"]),
        (.name, ["B.norm", "a.0.bias", "a.0.weight", "b.1.weight"]),
    ])
    func sortOrdersRowsLargestFirstOrByName(sort: InspectionSort, names: [String]) {
        #expect(Self.firstColumn(Self.render(InspectionTableOptions(sort: sort))) == names)
    }

    @Test func nameSortIsByteWiseNotNumericOrLocalised() {
        let rows = ["layer.2", "layer.10", "Zeta", "zeta", "émbed", "a"].map { TensorGroupingTests.row($0) }
        let table = Inspection(path: "m", format: "wpk", fileBytes: 0, metadataCount: 0, tensors: rows)
            .renderTable(InspectionTableOptions(sort: .name))
        #expect(Self.firstColumn(table) == ["Zeta", "a", "layer.10", "layer.2", "zeta", "émbed"])
    }

    @Test func topKeepsTheFirstRowsAfterSortingAndCountsTheRest() {
        let table = Self.render(InspectionTableOptions(exactBytes: true, sort: .size, top: 2))
        #expect(Self.firstColumn(table) == ["a.0.weight", "B.norm"])
        let lines = table.split(separator: "\n").map(String.init)
        let more = lines.firstIndex { $0.hasPrefix("…") }
        #expect(more.map { lines[$0] } == "… 2 more (--top 2 of 4)")
        #expect(more.map { lines[$0 + 1].hasPrefix("total: ") } == true, "the totals follow: \(table)")
    }

    @Test(arguments: [4, 5, 1000])
    func topOfAtLeastTheRowCountShowsEveryRowAndNoMoreLine(top: Int) {
        let table = Self.render(InspectionTableOptions(top: top))
        #expect(Self.firstColumn(table).count == 4)
        #expect(!table.contains("…"))
    }

    @Test func totalsDoNotDependOnSortOrTop() {
        let totals = { (table: String) in table.split(separator: "\n").drop { !$0.hasPrefix("total:") }.map(String.init)
        }
        let plain = totals(Self.render(InspectionTableOptions()))
        #expect(plain.count == 6, "3 lines, then one per stage chain: \(plain)")
        #expect(totals(Self.render(InspectionTableOptions(sort: .ratio, top: 1))) == plain)
        #expect(totals(Self.render(InspectionTableOptions(top: 1, grouping: .dtype))) == plain)
    }

    @Test func theDefaultOptionsAreThePlainTable() {
        #expect(Self.render(InspectionTableOptions()) == Self.inspection.renderTable())
        #expect(
            Self.render(InspectionTableOptions(exactBytes: true)) == Self.inspection.renderTable(exactBytes: true))
    }

    @Test func groupTableHasOneRowPerGroupWithCountsAndSizes() {
        let table = Self.render(InspectionTableOptions(exactBytes: true, grouping: .layer))
        let lines = table.split(separator: "\n").map(String.init)
        // Columns: group 29 (left), tensors 7, original 9, stored 9, ratio 5, bpw 5.
        #expect(
            Array(lines[2..<7]) == [
                "group                         tensors  original    stored ratio   bpw",
                "----------------------------- ------- --------- --------- ----- -----",
                "b.1                                 1     400 B     100 B  4.00  8.00",
                "a.0                                 2    1640 B     840 B  1.95 16.39",
                "B                                   1    4000 B     500 B  8.00  4.00",
            ])
        #expect(lines[7] == "total: 1510 elements, 10.596 bits per weight (whole file)")
        #expect(lines.allSatisfy { $0.count <= 80 && !$0.hasSuffix(" ") })
    }

    @Test func groupTableSortsAndCutsGroupsNotTensors() {
        let table = Self.render(InspectionTableOptions(sort: .size, top: 1, grouping: .stage))
        #expect(Self.firstColumn(table) == ["int8"], "int8: 800 B > int8 > zstd: 600 B > stored as is: 40 B")
        #expect(table.contains("\n… 2 more (--top 1 of 3)\n"), "\(table)")
        let byName = Self.render(InspectionTableOptions(sort: .name, grouping: .dtype))
        #expect(Self.firstColumn(byName) == ["f16", "f32"])
    }

    @Test func groupTableByPrefixUsesTheGroupNames() {
        let table = Self.render(InspectionTableOptions(grouping: .prefix(2)))
        #expect(Self.firstColumn(table) == ["b.1", "a.0", "B.norm"])
    }

    @Test(arguments: [nil, TensorGrouping.layer])
    func colourBoldsOnlyTheHeading(grouping: TensorGrouping?) throws {
        let plain = Self.render(InspectionTableOptions(grouping: grouping))
        let coloured = Self.render(InspectionTableOptions(grouping: grouping, colour: true))
        #expect(!plain.contains("\u{1B}"))
        let plainLines = plain.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let colouredLines = coloured.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(colouredLines.count == plainLines.count)
        #expect(colouredLines[2] == "\u{1B}[1m" + plainLines[2] + "\u{1B}[0m")
        #expect(colouredLines.enumerated().allSatisfy { $0.offset == 2 || $0.element == plainLines[$0.offset] })
        #expect(coloured.filter { $0 == "\u{1B}" }.count == 2)
    }

    @Test func layoutSplitsTheOverheadIntoHeaderMetadataAndPadding() throws {
        var inspection = Self.inspection
        #expect(inspection.renderTable(exactBytes: true).contains("\nheader, index and padding: 560 B\n"))
        // FileLayout has no public initializer; its JSON form makes one.
        inspection.layout = try JSONDecoder().decode(
            FileLayout.self,
            from: Data(#"{"header_bytes":400,"metadata_bytes":31,"tensor_data_bytes":1440,"padding_bytes":129}"#.utf8))
        let table = inspection.renderTable(exactBytes: true)
        #expect(table.contains("\nheader and index: 400 B, metadata: 31 B, padding: 129 B\n"), "\(table)")
        #expect(!table.contains("header, index and padding"))
    }
}
