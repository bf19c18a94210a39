import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Recipes that cannot apply are refused while planning, before any tensor is encoded or any byte written.
struct PackPlanTests {
    /// Writes ``TestTensors/smallModel(seed:)`` (a `[16, 24]` weight, a bias, an int64 and a bool tensor).
    private func writeModel(in folder: TemporaryDirectory) throws -> String {
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(try TestTensors.smallModel(), to: input)
        return input
    }

    /// Packs with `options` expecting a refusal; checks that no tensor was encoded, no file was left, and that a
    /// dry run refuses the same way.
    private func expectRefusal(_ options: PackOptions, in folder: TemporaryDirectory) throws -> WeightPackError? {
        let input = try writeModel(in: folder)
        let updates = ProgressTests.Recorder()
        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(
                inputPath: input, outputPath: folder.path("model.wpk"), options: options, progress: updates.handler)
        }
        #expect(updates.updates.isEmpty, "no tensor was encoded")
        #expect(try folder.contents() == ["model.safetensors"], "neither the output nor a temporary file exists")
        #expect(!FileManager.default.fileExists(atPath: folder.path("model.wpk")))
        let dryRun = #expect(throws: WeightPackError.self) { try Packer.dryRun(inputPath: input, options: options) }
        #expect(dryRun?.message == error?.message)
        #expect(dryRun?.tensorName == error?.tensorName)
        return error
    }

    @Test(arguments: ["int8", "quant:int4:group=8|zstd", "prune:0.5|lz4", "cluster4"])
    func aLossyRuleOnAnIntegerTensorIsRefused(recipe: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let rule = try RecipeRule(parsing: "embeddings.*=\(recipe)")
        let error = try expectRefusal(PackOptions(recipe: try Recipe.parse("int8"), rules: [rule]), in: folder)
        #expect(error?.code == .invalidOption)
        #expect(error?.tensorName == "embeddings.position_ids")
        let expected =
            "rule recipe '\(rule.recipe)' changes values, but the tensor is i64; "
            + "value stages apply to float tensors only"
        #expect(error?.message == expected, "\(error?.message ?? "")")
    }

    @Test func aLosslessRuleOnAnIntegerTensorIsAccepted() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let input = try writeModel(in: folder)
        let rules = [try RecipeRule(parsing: "*=shuffle|lz4")]
        try Packer.pack(
            inputPath: input, outputPath: folder.path("model.wpk"),
            options: PackOptions(recipe: try Recipe.parse("int8"), rules: rules))
        let source = try WPKSource(path: folder.path("model.wpk"))
        let ids = try #require(source.tensorInfos.first { $0.name == "embeddings.position_ids" })
        #expect(try source.decodedTensor(ids) == (try TestTensors.smallModel()[2]))
    }

    @Test(arguments: [false, true])
    func aGroupThatDoesNotDivideTheRowsIsRefusedNamingTensorAndStage(asRule: Bool) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let recipe = try Recipe.parse("quant:int4:group=7|zstd")
        let options =
            asRule
            ? PackOptions(recipe: try Recipe.parse("int8"), rules: [RecipeRule(pattern: "*.weight", recipe: recipe)])
            : PackOptions(recipe: recipe)
        let error = try expectRefusal(options, in: folder)
        #expect(error?.code == .invalidOption)
        #expect(error?.tensorName == "encoder.layer.0.attention.query.weight")
        let message = error?.message ?? ""
        #expect(
            message.hasPrefix(
                "stage 'quant' of \(asRule ? "rule " : "")recipe 'quant:int4:group=7|zstd:3' cannot apply: "),
            "\(message)")
        #expect(message.contains("group size 7 does not divide the row length 24"), "\(message)")
        #expect(error?.description.contains("tensor 'encoder.layer.0.attention.query.weight'") == true)
    }

    @Test func aGGMLBlockThatDoesNotFitTheRowsIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let error = try expectRefusal(PackOptions(recipe: try Recipe.parse("q4_0")), in: folder)
        #expect(error?.tensorName == "encoder.layer.0.attention.query.weight")
        #expect(error?.message.hasPrefix("stage 'ggml' of recipe 'ggml:q4_0|zstd:3' cannot apply: ") == true)
    }
}
