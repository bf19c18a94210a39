import Foundation

/// Each tensor's chosen recipe, its bytes and SNR: what `tune --plan` writes and `pack --plan` reads
/// (JSON schema `weightpack.plan/1`, docs/TUNE.md).
public struct TunePlan: Sendable, Codable, Equatable {
    /// One tensor's choice.
    public struct Entry: Sendable, Codable, Equatable {
        /// The tensor's name.
        public var name: String
        /// The recipe text `pack` applies to it.
        public var recipe: String
        /// Elements in the tensor.
        public var elements: Int
        /// Stored bytes measured with this recipe.
        public var storedBytes: Int
        /// SNR measured with this recipe, dB; `nil` when bit-exact.
        public var snrDecibels: Double?
        /// True when `tune` chose among candidates for this tensor (false: kept lossless).
        public var tuned: Bool

        /// Creates an entry.
        public init(name: String, recipe: String, elements: Int, storedBytes: Int, snrDecibels: Double?, tuned: Bool) {
            self.name = name
            self.recipe = recipe
            self.elements = elements
            self.storedBytes = storedBytes
            self.snrDecibels = snrDecibels
            self.tuned = tuned
        }

        enum CodingKeys: String, CodingKey {
            case name, recipe, elements, tuned
            case storedBytes = "stored_bytes"
            case snrDecibels = "snr_db"
        }
    }

    /// The schema identifier, `weightpack.plan/1`.
    public var schema = "weightpack.plan/1"
    /// The budget the plan was made for, in words.
    public var budget: String
    /// Entries in the source's tensor order.
    public var tensors: [Entry]

    /// Creates a plan.
    public init(budget: String, tensors: [Entry]) {
        self.budget = budget
        self.tensors = tensors
    }

    /// Stored bytes of all tensors.
    public var storedBytes: Int { tensors.reduce(0) { $0 + $1.storedBytes } }

    /// Bits per weight over the tuned tensors.
    public var tunedBitsPerWeight: Double {
        let tuned = tensors.filter(\.tuned)
        let elements = tuned.reduce(0) { $0 + $1.elements }
        return elements == 0 ? 0 : 8 * Double(tuned.reduce(0) { $0 + $1.storedBytes }) / Double(elements)
    }

    /// Reads a plan file.
    /// - Throws: `WeightPackError.Code.invalidOption` naming the file when it cannot be read or is not a
    ///   `weightpack.plan/1` document.
    public static func read(path: String) throws(WeightPackError) -> TunePlan {
        let plan = try UserJSONFile.decode(TunePlan.self, path: path, what: "plan (weightpack.plan/1)")
        guard plan.schema == "weightpack.plan/1" else {
            throw WeightPackError(.invalidOption, "schema is '\(plan.schema)', not 'weightpack.plan/1'", path: path)
        }
        return plan
    }

    /// The JSON text, keys sorted, one entry per line.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// Pack options that reproduce this plan exactly.
    /// - Throws: `WeightPackError.Code.invalidOption` when a recipe does not parse.
    public func packOptions() throws(WeightPackError) -> PackOptions {
        var options = PackOptions(recipe: try Recipe.parse("lossless"))
        for entry in tensors {
            do { options.tensorRecipes[entry.name] = try Recipe.parse(entry.recipe) } catch {
                throw WeightPackError(error.code, error.message, tensorName: entry.name)
            }
        }
        options.planIsComplete = true
        return options
    }
}
