import Foundation
import TensorCore
import Transforms

/// The stages one tensor goes through, in encode order: value transforms, then an optional byte shuffle, then an
/// optional entropy stage.
///
/// Text form (the `--recipe` option): stages separated by `|`, each a name followed by `:`-separated arguments,
/// e.g. `prune:0.5|cluster:4bit|huffman` or `quant:int4:group=32|zstd:19`; or a preset name (``RecipePresets``).
public struct Recipe: Sendable, CustomStringConvertible {
    /// One stage of a recipe.
    public enum Step: Sendable {
        /// A value transform (quantization, clustering, pruning, low-rank split).
        case value(any ValueTransform)
        /// Byte planes of the tensor's elements (`ByteShuffle`), for lossless floats.
        case shuffle
        /// Entropy coding of every section; must be last.
        case entropy(EntropyChoice)
        /// Magnitude pruning with one threshold across every tensor whose recipe says `global`; the threshold is
        /// computed before packing and the step becomes a `.value` prune with `threshold=T`.
        case globalPrune(sparsity: Double, arguments: [String])
    }

    /// The stages, in encode order.
    public var steps: [Step]

    /// Creates a recipe from steps already checked by ``parse(_:registry:)``.
    init(steps: [Step]) { self.steps = steps }

    /// The canonical text, e.g. `quant:int8|zstd:3`; `none` when there are no stages.
    public var description: String {
        guard !steps.isEmpty else { return "none" }
        return steps.map { step in
            switch step {
            case .value(let transform): transform.recipeText
            case .shuffle: "shuffle"
            case .entropy(let choice): choice.description
            case .globalPrune(let sparsity, let arguments):
                (["prune", String(sparsity)] + arguments + ["global"])
                    .joined(separator: ":")
            }
        }.joined(separator: "|")
    }

    /// True when the recipe has a value transform (and so changes values).
    public var isLossy: Bool {
        steps.contains { step in
            switch step {
            case .value, .globalPrune: true
            case .shuffle, .entropy: false
            }
        }
    }

    /// The recipe without its value transforms: what applies to tensors that stay float (biases, norms,
    /// integer tensors).
    public var losslessPart: Recipe {
        Recipe(
            steps: steps.filter { step in
                switch step {
                case .value, .globalPrune: false
                case .shuffle, .entropy: true
                }
            })
    }

    /// The entropy stage, if any.
    public var entropy: EntropyChoice? {
        for case .entropy(let choice) in steps { return choice }
        return nil
    }

    /// Parses a preset name or a chain.
    /// - Throws: `WeightPackError.Code.invalidOption` naming the stage and what is accepted: an unknown stage, bad
    ///   arguments, an entropy stage that is not last, two shuffles or two entropy stages, or an empty stage.
    public static func parse(_ text: String, registry: StageRegistry = .standard) throws(WeightPackError) -> Recipe {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let preset = try RecipePresets.expansion(of: trimmed) {
            return try parseChain(preset, registry: registry, shownAs: trimmed)
        }
        return try parseChain(trimmed, registry: registry, shownAs: trimmed)
    }

    private static func parseChain(_ text: String, registry: StageRegistry, shownAs: String) throws(WeightPackError)
        -> Recipe
    {
        if text == "none" || text.isEmpty { return Recipe(steps: []) }
        let stageTexts = text.split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let entropyFollows = stageTexts.last.flatMap { last -> EntropyChoice? in
            let words = last.split(separator: ":").map(String.init)
            return try? EntropyChoice.parse(name: words.first ?? "", arguments: Array(words.dropFirst()))
        }
        var steps: [Step] = []
        for (position, stageText) in stageTexts.enumerated() {
            let words = stageText.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let name = words.first?.lowercased(), !name.isEmpty else {
                throw WeightPackError(.invalidOption, "recipe '\(shownAs)': stage \(position + 1) is empty")
            }
            var arguments = Array(words.dropFirst())
            let entropyChoice: EntropyChoice?
            do { entropyChoice = try EntropyChoice.parse(name: name, arguments: arguments) } catch {
                throw WeightPackError(.invalidOption, "recipe '\(shownAs)': \(error.message)")
            }
            if let choice = entropyChoice {
                guard position == stageTexts.count - 1 else {
                    throw WeightPackError(
                        .invalidOption,
                        "recipe '\(shownAs)': the entropy stage '\(name)' must be the last stage")
                }
                steps.append(.entropy(choice))
            } else if name == "shuffle" {
                guard arguments.isEmpty, !steps.contains(where: { if case .shuffle = $0 { true } else { false } })
                else {
                    throw WeightPackError(
                        .invalidOption, "recipe '\(shownAs)': 'shuffle' takes no arguments and appears at most once")
                }
                steps.append(.shuffle)
            } else if let type = registry.transform(named: name) {
                if steps.contains(where: { if case .shuffle = $0 { true } else { false } }) {
                    throw WeightPackError(
                        .invalidOption, "recipe '\(shownAs)': stage '\(name)' cannot follow 'shuffle'")
                }
                let subByteCodes = name == "cluster" || (name == "quant" && !arguments.contains("int8"))
                if entropyFollows?.prefersWholeSymbols == true, subByteCodes,
                    !arguments.contains(where: { $0.hasPrefix("packing=") })
                {
                    arguments.append("packing=bytes")
                }
                if name == "prune", arguments.contains("global") {
                    let rest = arguments.filter { $0 != "global" }
                    guard let sparsity = rest.first.flatMap(Double.init), (0..<1).contains(sparsity) else {
                        throw WeightPackError(
                            .invalidOption,
                            "recipe '\(shownAs)': 'prune:…:global' needs a sparsity in [0, 1) as its first argument")
                    }
                    // Check the other arguments now, with a placeholder threshold.
                    _ = try makeTransform(type, arguments: rest, shownAs: shownAs)
                    steps.append(.globalPrune(sparsity: sparsity, arguments: Array(rest.dropFirst())))
                } else {
                    steps.append(.value(try makeTransform(type, arguments: arguments, shownAs: shownAs)))
                }
            } else {
                throw WeightPackError(
                    .invalidOption,
                    "recipe '\(shownAs)': stage '\(name)' is not known; stages are \(knownStageNames(registry)), and presets are \(RecipePresets.names.joined(separator: ", "))"
                )
            }
        }
        return Recipe(steps: steps)
    }

    static func makeTransform(_ type: any ValueTransform.Type, arguments: [String], shownAs: String)
        throws(WeightPackError) -> any ValueTransform
    {
        do { return try type.init(recipeArguments: arguments) } catch {
            let message =
                error.message.hasPrefix("stage '") ? error.message : "stage '\(type.stageName)': \(error.message)"
            throw WeightPackError(.invalidOption, "recipe '\(shownAs)': \(message)")
        }
    }

    static func knownStageNames(_ registry: StageRegistry) -> String {
        (registry.transforms.keys.sorted() + ["shuffle"] + EntropyChoice.stageNames.sorted()).joined(separator: ", ")
    }
}
