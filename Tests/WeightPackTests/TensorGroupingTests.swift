import Foundation
import TestSupport
import Testing
import WeightPack

struct TensorGroupingTests {
    /// A row whose byte counts follow from `elements` and `stored`; f32 unless `dtype` says otherwise.
    static func row(
        _ name: String, dtype: String = "f32", elements: Int = 8, stored: Int? = nil, stages: [String] = []
    ) -> InspectionRow {
        let storedBytes = stored ?? elements * 4
        return InspectionRow(
            name: name, dtype: dtype, shape: [elements], elementCount: elements, originalBytes: elements * 4,
            storedBytes: storedBytes, stages: stages,
            bytesAfterStage: stages.isEmpty ? [] : Array(repeating: storedBytes, count: stages.count))
    }

    static func inspection(_ rows: [InspectionRow]) -> Inspection {
        Inspection(path: "m.wpk", format: "wpk", fileBytes: 4096, metadataCount: 0, tensors: rows)
    }

    // MARK: Parsing

    @Test(arguments: [
        ("layer", TensorGrouping.layer), ("dtype", .dtype), ("stage", .stage), ("LAYER", .layer), ("Stage", .stage),
        ("prefix:1", .prefix(1)), ("prefix:3", .prefix(3)), ("PREFIX:12", .prefix(12)),
    ])
    func parsingAcceptsTheFourKindsInAnyCase(text: String, expected: TensorGrouping) {
        #expect(TensorGrouping(parsing: text) == expected)
    }

    @Test(arguments: [
        "", "layers", "size", "prefix", "prefix:", "prefix:0", "prefix:-1", "prefix:x", "prefix:1.5", "prefix:1:2",
        "prefix 2", "prefix=2",
    ])
    func parsingRefusesAnythingElse(text: String) {
        #expect(TensorGrouping(parsing: text) == nil, "'\(text)'")
    }

    @Test(arguments: ["prefix::2", ":prefix:2", "prefix:2:"])
    func parsingRefusesEmptyFieldsAroundTheColon(text: String) {
        #expect(TensorGrouping(parsing: text) == nil, "'\(text)'")

    }

    // MARK: Group of one row

    @Test(arguments: [
        ("encoder.layer.3.attention.self.query.weight", "encoder.layer.3"),
        ("encoder.layer.11.output.dense.bias", "encoder.layer.11"),
        ("model.layers.12.mlp.up_proj.weight", "model.layers.12"),
        ("blk.3.attn_q.weight", "blk.3"),
        ("h.0.attn.c_attn.weight", "h.0"),
        ("layers.0", "layers.0"),
        ("0.weight", "0"),
        ("embeddings.word_embeddings.weight", "embeddings"),
        ("pooler.dense.bias", "pooler"),
        ("encoder.layer3.weight", "encoder"),
        ("token_embd.weight", "token_embd"),
        ("lm_head", "lm_head"),
        ("a..b", "a"),
        (".3.x", ".3"),
        ("", ""),
    ])
    func layerGroupEndsAtTheFirstAllDigitComponent(name: String, group: String) {
        #expect(TensorGrouping.layerGroup(of: name) == group)
        #expect(TensorGrouping.layer.group(of: Self.row(name)) == group)
    }

    @Test(arguments: [
        (1, "encoder"), (2, "encoder.layer"), (3, "encoder.layer.0"), (6, "encoder.layer.0.attention.query.weight"),
        (9, "encoder.layer.0.attention.query.weight"),
    ])
    func prefixGroupKeepsTheFirstNComponents(count: Int, group: String) {
        let row = Self.row("encoder.layer.0.attention.query.weight")
        #expect(TensorGrouping.prefix(count).group(of: row) == group)
    }

    @Test func prefixGroupKeepsEmptyComponents() {
        #expect(TensorGrouping.prefix(2).group(of: Self.row("a..b")) == "a.")
        #expect(TensorGrouping.prefix(1).group(of: Self.row(".x")) == "")
    }

    @Test func dtypeGroupIsTheRowsDType() {
        #expect(TensorGrouping.dtype.group(of: Self.row("w", dtype: "bf16")) == "bf16")
        #expect(TensorGrouping.dtype.group(of: Self.row("w", dtype: "q8_0")) == "q8_0")
    }

    @Test func stageGroupJoinsTheChainOrSaysStoredAsIs() {
        #expect(TensorGrouping.stage.group(of: Self.row("w")) == "stored as is")
        #expect(TensorGrouping.stage.group(of: Self.row("w", stages: ["zstd"])) == "zstd")
        #expect(TensorGrouping.stage.group(of: Self.row("w", stages: ["int8", "zstd"])) == "int8 > zstd")
    }

    // MARK: Groups of an inspection

    @Test func groupsAreInOrderOfFirstAppearanceWithSummedTotals() throws {
        let rows = [
            Self.row("encoder.layer.1.q.weight", elements: 64, stored: 80, stages: ["int8", "zstd"]),
            Self.row("embeddings.word.weight", elements: 100, stored: 120, stages: ["int8", "zstd"]),
            Self.row("encoder.layer.1.q.bias", elements: 8, stored: 32),
            Self.row("encoder.layer.0.q.weight", elements: 64, stored: 70, stages: ["int8"]),
            Self.row("embeddings.LayerNorm.bias", elements: 8, stored: 30, stages: ["zstd"]),
        ]
        let groups = Self.inspection(rows).groups(by: .layer)
        #expect(groups.map(\.name) == ["encoder.layer.1", "embeddings", "encoder.layer.0"])
        let first = try #require(groups.first)
        #expect(first.tensors == 2)
        #expect(first.elements == 72)
        #expect(first.originalBytes == 72 * 4)
        #expect(first.storedBytes == 112)
        #expect(first.storedBytesByChain == ["int8 > zstd": 80, "stored as is": 32])
        #expect(groups[1].storedBytesByChain == ["int8 > zstd": 120, "zstd": 30])
        #expect(groups[2].storedBytesByChain == ["int8": 70])
        #expect(first.ratio == Double(72 * 4) / 112)
        #expect(first.bitsPerWeight == 112.0 * 8 / 72)
    }

    @Test func groupsOfAnEmptyInspectionAreEmpty() {
        for grouping in [TensorGrouping.layer, .dtype, .stage, .prefix(2)] {
            #expect(Self.inspection([]).groups(by: grouping).isEmpty)
        }
    }

    @Test func anEmptyGroupHasRatioOneAndZeroBitsPerWeight() throws {
        let group = try #require(Self.inspection([Self.row("empty", elements: 0)]).groups(by: .layer).first)
        #expect(group.elements == 0 && group.storedBytes == 0)
        #expect(group.ratio == 1)
        #expect(group.bitsPerWeight == 0)
    }

    /// Seeded rows over a few layers, dtypes and chains: every grouping partitions the rows, so the groups' sums
    /// are the inspection's totals, each row lands in the group its key names, and no key repeats.
    @Test(
        arguments: [TensorGrouping.layer, .dtype, .stage, .prefix(1), .prefix(2), .prefix(4)], [1, 2, 3] as [UInt64])
    func everyGroupingPartitionsTheRows(grouping: TensorGrouping, seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let chains = [[], ["zstd"], ["int8"], ["int8", "zstd"], ["lz4"]]
        let dtypes = ["f32", "f16", "i64", "bool"]
        let parts = ["encoder", "layer", "attention", "weight", "bias"]
        let rows = (0..<40).map { index in
            let layer = generator.int(below: 4)
            let name =
                generator.int(below: 3) == 0
                ? "embeddings.\(parts[generator.int(below: parts.count)]).\(index)"
                : "encoder.layer.\(layer).\(parts[generator.int(below: parts.count)]).\(index)"
            let elements = generator.int(below: 1000)
            return Self.row(
                name, dtype: dtypes[generator.int(below: dtypes.count)], elements: elements,
                stored: generator.int(below: 4000), stages: chains[generator.int(below: chains.count)])
        }
        let inspection = Self.inspection(rows)
        let groups = inspection.groups(by: grouping)
        #expect(Set(groups.map(\.name)).count == groups.count, "group names are distinct")
        #expect(groups.reduce(0) { $0 + $1.tensors } == rows.count)
        #expect(groups.reduce(0) { $0 + $1.elements } == inspection.totalElements)
        #expect(groups.reduce(0) { $0 + $1.originalBytes } == inspection.totalOriginalBytes)
        #expect(groups.reduce(0) { $0 + $1.storedBytes } == inspection.totalStoredBytes)
        for group in groups {
            let members = rows.filter { grouping.group(of: $0) == group.name }
            #expect(group.tensors == members.count)
            #expect(group.storedBytes == members.reduce(0) { $0 + $1.storedBytes })
            #expect(group.storedBytesByChain.values.reduce(0, +) == group.storedBytes)
        }
        let firstAppearance = rows.map { grouping.group(of: $0) }.reduce(into: [String]()) { order, key in
            if !order.contains(key) { order.append(key) }
        }
        #expect(groups.map(\.name) == firstAppearance)
    }

    @Test func groupJSONUsesSnakeCaseKeys() throws {
        let group = try #require(
            Self.inspection([Self.row("a.0.w", elements: 4, stored: 6, stages: ["int8"])]).groups(by: .layer).first)
        let data = try JSONEncoder().encode(group)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "name", "tensors", "elements", "original_bytes", "stored_bytes", "stored_bytes_by_chain",
            ])
        #expect(json["name"] as? String == "a.0")
        #expect(json["stored_bytes_by_chain"] as? [String: Int] == ["int8": 6])
        #expect(try JSONDecoder().decode(InspectionGroup.self, from: data) == group)
    }
}
