import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Parsing `--recipe` and `--rule` text (README, "Recipes"; docs/FORMAT.md §4–5).
struct RecipeTests {
    /// Every preset, and the canonical text of the chain it stands for: `packing=bytes` is added to `quant` and
    /// `cluster` ahead of `huffman` or `auto`, and `zstd` shows its level.
    static let presets: [(String, String)] = [
        ("lossless", "shuffle|auto"),
        ("int8", "quant:int8|zstd:3"),
        ("int4", "quant:int4:group=32:packing=bytes|auto"),
        ("q8_0", "ggml:q8_0|zstd:3"),
        ("q4_0", "ggml:q4_0|zstd:3"),
        ("cluster4", "cluster:4bit:packing=bytes|huffman"),
        ("deep", "prune:0.5|cluster:4bit:packing=bytes|huffman"),
        ("ec:30", "ecsq:snr=30|huffman"),
        ("ec:12.5", "ecsq:snr=12.5|huffman"),
    ]

    @Test(arguments: presets)
    func presetExpandsToItsCanonicalChain(preset: String, canonical: String) throws {
        let recipe = try Recipe.parse(preset)
        #expect(recipe.description == canonical)
        #expect(try Recipe.parse(recipe.description).description == canonical, "the canonical text parses to itself")
        #expect(try Recipe.parse(preset.uppercased()).description == canonical, "preset names ignore case")
        #expect(recipe.isLossy == (preset != "lossless"))
        #expect(recipe.entropy?.description == canonical.split(separator: "|").last.map(String.init))
    }

    @Test func presetListNamesEveryPreset() {
        #expect(RecipePresets.names == ["lossless", "int8", "int4", "q8_0", "q4_0", "cluster4", "deep", "ec:DB"])
    }

    /// Chains, and their canonical text: defaults dropped, arguments in a fixed order, `zstd` with its level.
    static let chains: [(String, String)] = [
        ("none", "none"),
        ("", "none"),
        ("zstd", "zstd:3"),
        ("zstd:19", "zstd:19"),
        ("zstd:-5", "zstd:-5"),
        ("lz4", "lz4"),
        ("shuffle|lz4", "shuffle|lz4"),
        (" quant:int8 | zstd ", "quant:int8|zstd:3"),
        ("quant:per_channel:int8:sym:scale=f32", "quant:int8"),
        ("quant:asym:group=32:int4|lz4", "quant:int4:asym:group=32|lz4"),
        ("quant:int4:group=32|zstd", "quant:int4:group=32|zstd:3"),
        ("quant:int2:per_tensor", "quant:int2:per_tensor"),
        ("prune:0.5|cluster:4bit|huffman", "prune:0.5|cluster:4bit:packing=bytes|huffman"),
        ("prune:0.5:global|zstd", "prune:0.5:global|zstd:3"),
        ("lowrank:rank=4|quant:int8|zstd", "lowrank:rank=4|quant:int8|zstd:3"),
        ("ecsq:rel=0.1|zstd", "ecsq:rel=0.1|zstd:3"),
        ("ggml:q4_0", "ggml:q4_0"),
    ]

    @Test(arguments: chains)
    func chainParsesToItsCanonicalText(text: String, canonical: String) throws {
        let recipe = try Recipe.parse(text)
        #expect(recipe.description == canonical)
        #expect(try Recipe.parse(canonical).description == canonical)
    }

    @Test func stepsKeepEncodeOrder() throws {
        let steps = try Recipe.parse("prune:0.5|quant:int8|shuffle|zstd:7").steps
        #expect(steps.count == 4)
        guard steps.count == 4 else { return }
        if case .value(let transform) = steps[0] {
            #expect(transform.recipeText == "prune:0.5")
        } else {
            Issue.record("step 1 is \(steps[0])")
        }
        if case .value(let transform) = steps[1] {
            #expect(transform.recipeText == "quant:int8")
        } else {
            Issue.record("step 2 is \(steps[1])")
        }
        if case .shuffle = steps[2] {} else { Issue.record("step 3 is \(steps[2])") }
        if case .entropy(let choice) = steps[3] {
            #expect(choice == .zstd(level: 7))
        } else {
            Issue.record("step 4 is \(steps[3])")
        }
    }

    @Test func losslessPartKeepsOnlyShuffleAndTheEntropyStage() throws {
        let recipe = try Recipe.parse("prune:0.5:global|quant:int8|zstd:5")
        #expect(recipe.isLossy)
        #expect(recipe.losslessPart.description == "zstd:5")
        #expect(!recipe.losslessPart.isLossy)
        #expect(try Recipe.parse("int8").losslessPart.description == "zstd:3")
        #expect(try Recipe.parse("lossless").losslessPart.description == "shuffle|auto")
        #expect(try Recipe.parse("quant:int8").losslessPart.description == "none")
        #expect(try Recipe.parse("quant:int8").entropy == nil)
    }

    /// `packing=bytes` goes to sub-byte codes only when Huffman or `auto` codes them, and never over a packing the
    /// recipe gives.
    static let packingCases: [(String, String)] = [
        ("quant:int4|huffman", "quant:int4:packing=bytes|huffman"),
        ("quant:int4|auto", "quant:int4:packing=bytes|auto"),
        ("quant:int4|zstd", "quant:int4|zstd:3"),
        ("quant:int4|lz4", "quant:int4|lz4"),
        ("quant:int4", "quant:int4"),
        ("quant:int4:packing=bits|huffman", "quant:int4|huffman"),
        ("cluster:3bit|huffman", "cluster:3bit:packing=bytes|huffman"),
        ("cluster:3bit|auto", "cluster:3bit:packing=bytes|auto"),
        ("cluster:3bit|zstd", "cluster:3bit|zstd:3"),
        ("cluster:3bit:packing=bits|auto", "cluster:3bit|auto"),
        ("ecsq:rel=0.1|huffman", "ecsq:rel=0.1|huffman"),
        ("ggml:q4_0|huffman", "ggml:q4_0|huffman"),
    ]

    @Test(arguments: packingCases)
    func bytePackingIsAddedAheadOfHuffmanAndAuto(text: String, canonical: String) throws {
        #expect(try Recipe.parse(text).description == canonical)
    }

    @Test func anUnknownStageIsRefusedNamingTheKnownStagesAndPresets() {
        let error = #expect(throws: WeightPackError.self) { try Recipe.parse("int8|brotli") }
        #expect(error?.code == .invalidOption)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("recipe 'int8|brotli': stage 'int8' is not known"), "\(message)")
        for name in [
            "quant", "ggml", "ecsq", "cluster", "prune", "lowrank", "shuffle", "huffman", "zstd", "lz4", "auto",
        ] {
            #expect(message.contains(name), "\(name) is listed: \(message)")
        }
        for preset in RecipePresets.names { #expect(message.contains(preset), "\(preset) is listed: \(message)") }

        let brotli = #expect(throws: WeightPackError.self) { try Recipe.parse("quant:int8|brotli") }
        #expect(brotli?.message.hasPrefix("recipe 'quant:int8|brotli': stage 'brotli' is not known") == true)
    }

    @Test(arguments: [
        ("zstd|quant:int8", "zstd"), ("huffman|zstd", "huffman"), ("quant:int8|lz4|shuffle", "lz4"),
        ("auto|auto", "auto"),
    ])
    func anEntropyStageThatIsNotLastIsRefused(text: String, stage: String) {
        let error = #expect(throws: WeightPackError.self) { try Recipe.parse(text) }
        #expect(error?.code == .invalidOption)
        #expect(
            error?.message == "recipe '\(text)': the entropy stage '\(stage)' must be the last stage",
            "\(error?.message ?? "")")
    }

    @Test(arguments: [("quant:int8||zstd", 2), ("|zstd", 1), ("quant:int8|", 2), ("quant:int8| |zstd", 2)])
    func anEmptyStageIsRefusedNamingItsPosition(text: String, position: Int) {
        let error = #expect(throws: WeightPackError.self) { try Recipe.parse(text) }
        #expect(error?.code == .invalidOption)
        #expect(error?.message == "recipe '\(text.trimmingCharacters(in: .whitespaces))': stage \(position) is empty")
    }

    @Test(arguments: ["zstd:0", "zstd:23", "zstd:fast", "zstd:", "quant:int8|zstd:99", "zstd:3:4"])
    func aBadZstdLevelIsRefused(text: String) {
        let error = #expect(throws: WeightPackError.self) { try Recipe.parse(text) }
        #expect(error?.code == .invalidOption)
        let message = error?.message ?? ""
        #expect(message.contains("zstd"), "\(message)")
        #expect(message.contains("level"), "\(message)")
    }

    @Test(arguments: ["ec:", "ec:0", "ec:-3", "ec:abc", "ec:inf", "ec:nan"])
    func aBadECPresetIsRefused(text: String) {
        let error = #expect(throws: WeightPackError.self) { try Recipe.parse(text) }
        #expect(error?.code == .invalidOption)
        #expect(
            error?.message == "preset '\(text)': ec: takes a target SNR in dB greater than 0, e.g. ec:30",
            "\(error?.message ?? "")")
    }

    @Test(arguments: [
        ("huffman:4", "stage 'huffman' takes no arguments"),
        ("shuffle:2", "'shuffle' takes no arguments and appears at most once"),
        ("shuffle|shuffle", "'shuffle' takes no arguments and appears at most once"),
        ("shuffle|quant:int8", "stage 'quant' cannot follow 'shuffle'"),
        ("quant:int3", "stage 'quant'"),
        ("quant", "stage 'quant'"),
        ("cluster:9bit", "stage 'cluster'"),
        ("prune:1.5", "stage 'prune'"),
        ("prune:global", "'prune:…:global' needs a sparsity in [0, 1)"),
        ("prune:1.5:global", "'prune:…:global' needs a sparsity in [0, 1)"),
        ("ggml:q3_k", "stage 'ggml'"),
        ("lowrank", "stage 'lowrank'"),
        ("ecsq", "stage 'ecsq'"),
    ])
    func badStageArgumentsAreRefusedNamingTheStage(text: String, fragment: String) {
        let error = #expect(throws: WeightPackError.self) { try Recipe.parse(text) }
        #expect(error?.code == .invalidOption)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }

    // MARK: Rules

    @Test func ruleSplitsAtTheFirstEqualsSign() throws {
        let rule = try RecipeRule(parsing: "*.query.*=quant:int4:group=32|zstd")
        #expect(rule.pattern == "*.query.*")
        #expect(rule.recipe.description == "quant:int4:group=32|zstd:3")
        #expect(rule.description == "*.query.*=quant:int4:group=32|zstd:3")
        #expect(try RecipeRule(parsing: "*.embeddings.*=int8").recipe.description == "quant:int8|zstd:3")
        #expect(try RecipeRule(parsing: "bias=none").recipe.description == "none")
    }

    @Test func ruleGlobsMatchWholeNamesAndStarCrossesDots() throws {
        let rule = try RecipeRule(parsing: "*.attention.*.weight=int8")
        #expect(rule.matches("encoder.layer.0.attention.query.weight"))
        #expect(rule.matches("x.attention.self.query.weight"))
        #expect(!rule.matches("encoder.layer.0.attention.query.bias"))
        #expect(!rule.matches("attention.query.weight"), "the leading '*.' needs a dot before 'attention'")
        let exact = try RecipeRule(parsing: "lm_head.weight=lossless")
        #expect(exact.matches("lm_head.weight") && !exact.matches("model.lm_head.weight"))
        #expect(try RecipeRule(parsing: "layer.[0-3].*=int8").matches("layer.2.w"))
        #expect(try RecipeRule(parsing: "layer.?.w=int8").matches("layer.7.w"))
    }

    @Test(arguments: ["int8", "=int8", "*.weight=brotli", "*.weight=zstd|int8"])
    func aBadRuleIsRefused(text: String) {
        let error = #expect(throws: WeightPackError.self) { try RecipeRule(parsing: text) }
        #expect(error?.code == .invalidOption)
        #expect(!(error?.message.isEmpty ?? true))
    }

    @Test func aRuleWithoutAGlobNamesTheExpectedForm() {
        let error = #expect(throws: WeightPackError.self) { try RecipeRule(parsing: "int8") }
        #expect(error?.message.contains("is not GLOB=RECIPE") == true, "\(error?.message ?? "")")
    }

    /// Two weights both matched by two rules: the last matching rule decides each tensor's whole recipe.
    @Test(arguments: [false, true])
    func theLastMatchingRuleWins(reversed: Bool) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(
            [
                try TestTensors.random("layer.0.query.weight", [8, 32], seed: 1),
                try TestTensors.random("layer.0.value.weight", [8, 32], seed: 2),
                try TestTensors.random("layer.0.value.bias", [32], seed: 3),
            ], to: input)
        var rules = [
            try RecipeRule(parsing: "*.weight=quant:int8|zstd"),
            try RecipeRule(parsing: "*.query.*=cluster:2bit|zstd"),
        ]
        if reversed { rules.reverse() }
        let options = PackOptions(recipe: try Recipe.parse("ggml:q8_0|zstd"), rules: rules)
        try Packer.pack(inputPath: input, outputPath: folder.path("m.wpk"), options: options)
        let stages = Dictionary(
            uniqueKeysWithValues: try Inspector.inspect(path: folder.path("m.wpk")).tensors.map {
                ($0.name, $0.stages)
            })
        #expect(stages["layer.0.query.weight"]?.first == (reversed ? "quant" : "cluster"))
        #expect(stages["layer.0.value.weight"]?.first == "quant", "only the first rule matches it")
        #expect(stages["layer.0.value.bias"]?.contains("ggml") == false, "no rule: a bias keeps its values")
        #expect(stages["layer.0.value.bias"]?.contains("quant") == false)
    }
}
