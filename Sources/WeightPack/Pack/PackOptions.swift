import Codecs

/// What `pack` does to each tensor.
public struct PackOptions: Sendable {
    /// The quantization applied to float tensors with at least ``minimumQuantizedDimensions`` dimensions.
    public enum Quantization: String, Sendable, CaseIterable {
        /// Symmetric int8, one scale per output channel (see `Int8Quantizer`).
        case int8
        /// Keep every tensor's elements as they are (lossless).
        case none
    }

    /// The lossless codec applied last, when it makes the tensor's bytes smaller.
    public enum Codec: Sendable, Equatable {
        /// zstd at `level` (1…22; negative levels are faster).
        case zstd(level: Int)
        /// LZ4 frame format.
        case lz4
        /// No codec.
        case none

        /// Parses `zstd`, `zstd:LEVEL`, `lz4` or `none`.
        /// - Throws: `WeightPackError.Code.invalidOption` naming the accepted spellings.
        public init(parsing text: String) throws(WeightPackError) {
            let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
            switch (parts.first.map(String.init), parts.count) {
            case ("zstd", 1): self = .zstd(level: 3)
            case ("zstd", 2):
                guard let level = Int(parts[1]) else {
                    throw WeightPackError(
                        .invalidOption, "codec '\(text)': the zstd level must be an integer, e.g. zstd:19")
                }
                self = .zstd(level: level)
            case ("lz4", 1): self = .lz4
            case ("none", 1): self = .none
            default:
                throw WeightPackError(.invalidOption, "codec '\(text)' is not known; use zstd, zstd:LEVEL, lz4 or none")
            }
        }

        /// The codec object, or `nil` for `.none`.
        /// - Throws: `WeightPackError.Code.invalidOption` when the zstd level is out of range.
        public func makeCodec() throws(WeightPackError) -> (any ByteCodec)? {
            do {
                switch self {
                case .zstd(let level): return try ZstdCodec(level: level)
                case .lz4: return LZ4Codec()
                case .none: return nil
                }
            } catch { throw WeightPackError(.invalidOption, error.message) }
        }
    }

    /// The recipe for float tensors with at least ``minimumQuantizedDimensions`` dimensions; other tensors get its
    /// lossless part (``Recipe/losslessPart``) unless a rule names them. Default: the `int8` preset.
    public var recipe: Recipe
    /// Per-tensor overrides; the last rule whose pattern matches a tensor's name applies, in full.
    public var rules: [RecipeRule]
    /// Float tensors with fewer dimensions than this (biases, LayerNorm weights) keep their values unless a rule
    /// names them; default 2.
    public var minimumQuantizedDimensions: Int
    /// Recipes for tensors by exact name (from a tune plan, `--plan`); they take precedence over rules.
    public var tensorRecipes: [String: Recipe] = [:]
    /// True when ``tensorRecipes`` comes from a plan that must name every tensor of the input and nothing else.
    public var planIsComplete = false
    /// What lossy stages do with NaN and infinite elements (`--nan`); default `.error`.
    public var nonFinite: NonFinitePolicy = .error

    /// What lossy stages do with NaN and infinite elements. Lossless stages always keep them bit for bit.
    public enum NonFinitePolicy: String, Sendable, CaseIterable {
        /// Refuse, naming the tensor and the count (the default).
        case error
        /// Replace them by 0 and go on with the recipe.
        case zero
        /// Store that tensor with the recipe's lossless stages only.
        case keepFloat = "keep-float"
    }

    /// Creates options from a recipe and rules.
    public init(recipe: Recipe, rules: [RecipeRule] = [], minimumQuantizedDimensions: Int = 2) {
        self.recipe = recipe
        self.rules = rules
        self.minimumQuantizedDimensions = minimumQuantizedDimensions
    }

    /// Creates options from the `--quant` and `--codec` shorthand: `int8` + `zstd` is the recipe `quant:int8|zstd:3`,
    /// `none` + `zstd` is `zstd:3`, and a codec of `none` leaves the entropy stage out.
    /// - Throws: `WeightPackError.Code.invalidOption` when the zstd level is out of range.
    public init(quantization: Quantization = .int8, codec: Codec = .zstd(level: 3), minimumQuantizedDimensions: Int = 2)
        throws(WeightPackError)
    {
        var stages: [String] = []
        if quantization == .int8 { stages.append("quant:int8") }
        switch codec {
        case .zstd(let level): stages.append("zstd:\(level)")
        case .lz4: stages.append("lz4")
        case .none: break
        }
        self.init(
            recipe: try Recipe.parse(stages.isEmpty ? "none" : stages.joined(separator: "|")),
            minimumQuantizedDimensions: minimumQuantizedDimensions)
    }
}
