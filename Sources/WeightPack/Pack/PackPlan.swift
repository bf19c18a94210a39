import Foundation
import TensorCore
import Transforms

/// Each tensor's recipe, chosen and checked before any output is written.
///
/// A tensor gets its recipe from `tensorRecipes` (a tune plan) or the last ``RecipeRule`` whose pattern matches
/// its name, in full; otherwise the options' recipe
/// when it is a non-empty float tensor with at least `minimumQuantizedDimensions` dimensions, else the recipe's
/// lossless part. A global prune (`prune:S:global`) is resolved here to one magnitude threshold over every tensor
/// that asks for it.
struct PackPlan: Sendable {
    /// Recipes by tensor name.
    private(set) var recipes: [String: Recipe]

    /// The recipe for `name`; an empty recipe for a name the plan does not know.
    func recipe(for name: String) -> Recipe { recipes[name] ?? Recipe(steps: []) }

    /// The recipe `options` give a tensor, before global thresholds are resolved.
    /// - Returns: the recipe and whether a rule chose it.
    static func recipe(for info: TensorInfo, options: PackOptions) -> (recipe: Recipe, fromRule: Bool) {
        if let recipe = options.tensorRecipes[info.name] { return (recipe, true) }
        if let rule = options.rules.last(where: { $0.matches(info.name) }) { return (rule.recipe, true) }
        let eligible =
            info.dtype.isFloatingPoint && info.shape.count >= options.minimumQuantizedDimensions
            && info.originalByteCount > 0
        return (eligible ? options.recipe : options.recipe.losslessPart, false)
    }

    /// Chooses and checks every tensor's recipe.
    /// - Throws: `WeightPackError.Code.invalidOption` naming the tensor and the stage when a chain cannot apply
    ///   (a value transform on an integer tensor, a group that does not divide a row, ...); a read error while
    ///   computing a global threshold.
    init(source: any TensorSource, options: PackOptions) throws(WeightPackError) {
        if options.planIsComplete { try Self.checkPlanNames(options.tensorRecipes, source: source) }
        var recipes: [String: Recipe] = [:]
        var globalPrunes: [String: [TensorInfo]] = [:]
        var refusals: [WeightPackError] = []
        for info in source.tensorInfos {
            var (recipe, fromRule) = Self.recipe(for: info, options: options)
            if recipe.isLossy {
                guard info.dtype.isFloatingPoint else {
                    refusals.append(
                        WeightPackError(
                            .invalidOption,
                            "rule recipe '\(recipe)' changes values, but the tensor is \(info.dtype.name); value stages apply to float tensors only",
                            tensorName: info.name))
                    continue
                }
                do { recipe = try Self.validateFirstStage(recipe, info: info, fromRule: fromRule) } catch {
                    refusals.append(error)
                    continue
                }
            }
            if case .globalPrune(let sparsity, let arguments) = recipe.steps.first {
                globalPrunes[Self.globalKey(sparsity, arguments), default: []].append(info)
            } else if recipe.steps.contains(where: { if case .globalPrune = $0 { true } else { false } }) {
                throw WeightPackError(
                    .invalidOption, "recipe '\(recipe)': a global prune must be the first stage", tensorName: info.name)
            }
            recipes[info.name] = recipe
        }
        if var first = refusals.first {
            if refusals.count > 1 {
                let others = refusals.dropFirst().compactMap(\.tensorName)
                first.message +=
                    "; \(others.count) more tensor\(others.count == 1 ? "" : "s") cannot take \(others.count == 1 ? "its" : "their") recipe either: "
                    + others.prefix(8).map { "'\($0)'" }.joined(separator: ", ") + (others.count > 8 ? ", …" : "")
                    + ". Give them another recipe with --rule 'NAME=int8' (or any recipe that applies)"
            }
            throw first
        }
        for (_, infos) in globalPrunes {
            guard case .globalPrune(let sparsity, let arguments) = recipes[infos[0].name]?.steps.first else { continue }
            let threshold = try Self.globalThreshold(sparsity: sparsity, infos: infos, source: source)
            let prune = try Recipe.makeTransform(
                MagnitudePruning.self, arguments: [String(sparsity), "threshold=\(threshold)"] + arguments,
                shownAs: "prune:\(sparsity):global")
            for info in infos {
                guard var recipe = recipes[info.name] else { continue }
                recipe.steps[0] = .value(prune)
                recipes[info.name] = recipe
            }
        }
        self.recipes = recipes
    }

    /// A plan must name every tensor of the source, and nothing else.
    private static func checkPlanNames(_ recipes: [String: Recipe], source: any TensorSource) throws(WeightPackError) {
        let names = Set(source.tensorInfos.map(\.name))
        let missing = source.tensorInfos.map(\.name).filter { recipes[$0] == nil }
        let unknown = recipes.keys.filter { !names.contains($0) }.sorted()
        guard missing.isEmpty, unknown.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty {
                parts.append(
                    "it gives no recipe for \(missing.count) of the model's tensors ("
                        + missing.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
                        + ")")
            }
            if !unknown.isEmpty {
                parts.append(
                    "it names \(unknown.count) tensors the model does not have ("
                        + unknown.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (unknown.count > 5 ? ", …" : "")
                        + ")")
            }
            throw WeightPackError(
                .invalidOption,
                "the plan does not fit this model: \(parts.joined(separator: " and ")); make a plan for it with `weightpack tune --plan`",
                path: source.path)
        }
    }

    private static func globalKey(_ sparsity: Double, _ arguments: [String]) -> String {
        ([String(sparsity)] + arguments).joined(separator: ":")
    }

    /// Checks the first value transform against the tensor's shape (later stages see shapes only known after
    /// encoding, and are checked then). A stage that would not save bytes here (a low-rank split) is dropped
    /// from this tensor's recipe.
    /// - Returns: the recipe to use.
    private static func validateFirstStage(_ recipe: Recipe, info: TensorInfo, fromRule: Bool) throws(WeightPackError)
        -> Recipe
    {
        guard case .value(let transform) = recipe.steps.first else { return recipe }
        do {
            try transform.validate(shape: info.shape, tensorName: info.name)
            return recipe
        } catch {
            if error.code == .notBeneficial { return Recipe(steps: Array(recipe.steps.dropFirst())) }
            throw WeightPackError(
                .invalidOption,
                "stage '\(type(of: transform).stageName)' of \(fromRule ? "rule " : "")recipe '\(recipe)' cannot apply: \(error.message)",
                tensorName: info.name)
        }
    }

    /// One magnitude threshold over all `infos` such that `sparsity` of their elements fall below it: an exact
    /// histogram of magnitudes in a first pass, then, when the cut falls inside a bucket, a second pass over it.
    private static func globalThreshold(sparsity: Double, infos: [TensorInfo], source: any TensorSource)
        throws(WeightPackError) -> Float
    {
        func values(_ info: TensorInfo) throws(WeightPackError) -> [Float] {
            do { return try source.decodedTensor(info).float32Values() } catch {
                throw WeightPackError(wrapping: error, path: source.path, tensorName: info.name)
            }
        }
        var histogram = MagnitudeHistogram()
        for info in infos { histogram.add(try values(info)) }
        var refinement = histogram.refinement(forSparsity: sparsity)
        if refinement.needsSecondPass { for info in infos { refinement.add(try values(info)) } }
        return refinement.threshold
    }
}
