import Testing
import WeightPack

struct TextTableTests {
    @Test func elideKeepsTheLayerIndex() {
        let name = "encoder.layer.3.attention.self.query.weight"
        let elided = TextTable.elide(name, to: 30)
        #expect(elided.count == 30)
        #expect(elided.hasPrefix("encoder.layer.3."))
        #expect(elided == "encoder.layer.3.….query.weight")
    }

    @Test func elideCutsTheMiddleOfANameWithoutALayerIndex() {
        let elided = TextTable.elide("model.embeddings.word_embeddings.weight", to: 20)
        #expect(elided.count == 20)
        #expect(elided == "model.em…ings.weight")
    }

    @Test func elideFallsBackWhenTheLayerPrefixLeavesNoRoom() {
        // The head "transformer.h.11." leaves fewer than 8 characters of tail at width 24.
        let elided = TextTable.elide("transformer.h.11.mlp.c_proj.weight", to: 24)
        #expect(elided.count == 24)
        #expect(elided.contains("…"))
        #expect(!elided.hasPrefix("transformer.h.11.…"))
    }

    @Test(arguments: [("short", 30), ("exactly.ten", 11), ("anything", 1), ("anything", 0)])
    func elideLeavesTextThatFitsOrATooNarrowColumn(text: String, width: Int) {
        #expect(TextTable.elide(text, to: width) == text)
    }

    @Test func renderAlignsColumnsAndTrimsTrailingSpaces() {
        var table = TextTable(columns: [.init("name", width: 6, alignLeft: true), .init("bytes", width: 6)])
        table.rows = [["a", "12"], ["longer.name", "3"]]
        #expect(
            table.render() == """
                name    bytes
                ------ ------
                a          12
                lo…ame      3
                """)
    }

    @Test(arguments: [
        (0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1536, "1.50 KiB"), (10 * 1024, "10.0 KiB"),
        (5 * 1024 * 1024 + 512 * 1024, "5.50 MiB"), (3 << 30, "3.00 GiB"), (1 << 50, "1.00 PiB"),
    ])
    func humanFormatBytesUsesBinaryUnits(count: Int, expected: String) {
        #expect(HumanFormat.bytes(count) == expected)
    }

    @Test func humanFormatBytesExactIsThePlainInteger() {
        #expect(HumanFormat.bytes(1536, exact: true) == "1536")
        #expect(HumanFormat.bytes(12, exact: true) == "12")
    }

    @Test(arguments: [
        (40.0, 2, "40.00"), (-1.25, 1, "-1.3"), (-0.001, 2, "0.00"), (0.999_6, 3, "1.000"), (7.0, 0, "7"),
        (Double.infinity, 2, "inf"), (-Double.infinity, 2, "-inf"), (Double.nan, 2, "nan"), (0.05, 2, "0.05"),
    ])
    func humanFormatFixedRoundsToTheDigits(value: Double, digits: Int, expected: String) {
        #expect(HumanFormat.fixed(value, digits: digits) == expected)
    }
}
