import Foundation

/// A per-tensor override: tensors whose names match `pattern` get `recipe` in full (`--rule GLOB=RECIPE`).
public struct RecipeRule: Sendable, CustomStringConvertible {
    /// A shell glob (`fnmatch(3)` without flags: `*` also matches `.`), e.g. `*.attention.*.weight`.
    public var pattern: String
    /// The recipe for matching tensors.
    public var recipe: Recipe

    /// Creates a rule.
    public init(pattern: String, recipe: Recipe) {
        self.pattern = pattern
        self.recipe = recipe
    }

    /// Parses `GLOB=RECIPE`, splitting at the first `=` (recipes may contain `=`, globs may not).
    /// - Throws: `WeightPackError.Code.invalidOption` when there is no `=`, the glob is empty, or the recipe is bad.
    public init(parsing text: String, registry: StageRegistry = .standard) throws(WeightPackError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw WeightPackError(
                .invalidOption, "rule '\(text)' is not GLOB=RECIPE, e.g. '*.embeddings.*=int8' or '*.query.*=int4'")
        }
        pattern = String(text[..<equals])
        recipe = try Recipe.parse(String(text[text.index(after: equals)...]), registry: registry)
    }

    /// True when `name` matches the pattern.
    public func matches(_ name: String) -> Bool { fnmatch(pattern, name, 0) == 0 }

    public var description: String { "\(pattern)=\(recipe)" }
}
