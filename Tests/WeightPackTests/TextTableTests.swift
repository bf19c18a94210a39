import Testing
import WeightPack

struct TextTableTests {
    @Test func elideCapsTheWordsOfADottedNameAndKeepsNumbersAndTheLastWhole() {
        // Caps 8…4 give 42…33 characters; cap 3 gives 28, the first that fits in 30.
        let elided = TextTable.elide("encoder.layer.3.attention.self.query.weight", to: 30)
        #expect(elided == "enc.lay.3.att.sel.que.weight")
        #expect(elided.count == 28, "the result may be shorter than the width")
    }

    @Test(arguments: [
        ("encoder.layer.11.attention.output.dense.weight", 34, "enco.laye.11.atte.outp.dens.weight"),
        ("encoder.layer.11.attention.output.dense.weight", 30, "enc.lay.11.att.out.den.weight"),
        ("encoder.layer.11.attention.output.dense.weight", 29, "enc.lay.11.att.out.den.weight"),
        ("model.embeddings.word_embeddings.weight", 20, "mod.emb.wor.weight"),
        ("transformer.h.11.mlp.c_proj.weight", 24, "tra.h.11.mlp.c_p.weight"),
        ("longer.name", 6, "l.name"),
    ])
    func elideUsesTheLargestCapThatFits(name: String, width: Int, expected: String) {
        let elided = TextTable.elide(name, to: width)
        #expect(elided == expected)
        #expect(elided.count <= width)
    }

    @Test func namesThatDifferInTheirLastWordsStayDistinct() {
        let names = ["attention.output.dense.weight", "output.dense.weight", "intermediate.dense.weight"].map {
            TextTable.elide("encoder.layer.0." + $0, to: 29)
        }
        #expect(
            names == ["enc.lay.0.att.out.den.weight", "enco.laye.0.outp.dens.weight", "enco.laye.0.inte.dens.weight"])
        #expect(Set(names).count == 3)
        #expect(names.allSatisfy { $0.count <= 29 })
    }

    @Test(arguments: [
        // The last component is kept whole and alone is too long: no cap fits.
        ("a.b.c.very_long_last_component_name", 12, "a.b.c…t_name"),
        // No dots: nothing to cap.
        ("no_dots_in_this_long_name", 12, "no_do…g_name"),
    ])
    func elideCutsTheMiddleWhenNoCapFitsOrThereAreNoDots(text: String, width: Int, expected: String) {
        let elided = TextTable.elide(text, to: width)
        #expect(elided == expected)
        #expect(elided.count == width)
    }

    @Test(arguments: [("short", 30), ("exactly.ten", 11), ("anything", 1), ("anything", 0)])
    func elideLeavesTextThatFitsOrATooNarrowColumn(text: String, width: Int) {
        #expect(TextTable.elide(text, to: width) == text)
    }

    @Test func renderAlignsColumnsAndTrimsTrailingSpaces() {
        var table = TextTable(columns: [.init("name", width: 6, alignLeft: true), .init("bytes", width: 6)])
        table.rows = [["a", "12"], ["longer.name", "3"], ["longername", "45"]]
        #expect(
            table.render() == """
                name    bytes
                ------ ------
                a          12
                l.name      3
                lo…ame     45
                """)
    }

    /// Left-aligned titles overflow their column unshortened; right-aligned (number) columns widen to fit
    /// their title and their longest cell.
    @Test func headerTitlesAreNeverElided() {
        var table = TextTable(columns: [
            .init("tensor name", width: 4, alignLeft: true), .init("original", width: 3),
        ])
        table.rows = [["a.bc", "1"]]
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(lines[0] == "tensor name original")
        #expect(lines[1] == "---- --------")
        #expect(lines[2] == "a.bc        1")
    }

    @Test(arguments: [
        (0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1536, "1.50 KiB"), (10 * 1024, "10.0 KiB"),
        (5 * 1024 * 1024 + 512 * 1024, "5.50 MiB"), (3 << 30, "3.00 GiB"), (1 << 50, "1.00 PiB"),
    ])
    func humanFormatBytesUsesBinaryUnits(count: Int, expected: String) {
        #expect(HumanFormat.bytes(count) == expected)
    }

    @Test func humanFormatBytesExactIsTheIntegerWithItsUnit() {
        #expect(HumanFormat.bytes(1536, exact: true) == "1536 B")
        #expect(HumanFormat.bytes(12, exact: true) == "12 B")
        #expect(HumanFormat.bytes(0, exact: true) == "0 B")
        #expect(HumanFormat.bytes(3 << 30, exact: true) == "3221225472 B")
    }

    @Test(arguments: [
        (40.0, 2, "40.00"), (-1.25, 1, "-1.3"), (-0.001, 2, "0.00"), (0.999_6, 3, "1.000"), (7.0, 0, "7"),
        (Double.infinity, 2, "inf"), (-Double.infinity, 2, "-inf"), (Double.nan, 2, "nan"), (0.05, 2, "0.05"),
    ])
    func humanFormatFixedRoundsToTheDigits(value: Double, digits: Int, expected: String) {
        #expect(HumanFormat.fixed(value, digits: digits) == expected)
    }
}
