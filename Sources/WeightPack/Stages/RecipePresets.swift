/// The named recipes `--recipe` accepts, and the chains they stand for (README, "Recipes").
public enum RecipePresets {
    /// Preset names and their chains, in the order the README lists them.
    public static let chains: [(name: String, chain: String)] = [
        ("lossless", "shuffle|auto"),
        ("int8", "quant:int8|zstd"),
        ("int4", "quant:int4:group=32|auto"),
        ("q8_0", "ggml:q8_0|zstd"),
        ("q4_0", "ggml:q4_0|zstd"),
        ("cluster4", "cluster:4bit|huffman"),
        ("deep", "prune:0.5|cluster:4bit|huffman"),
    ]

    /// Every preset name, `ec:DB` standing for the ECSQ family.
    public static var names: [String] { chains.map(\.name) + ["ec:DB"] }

    /// The chain a preset stands for, or `nil` when `text` is not a preset.
    /// `ec:DB` (e.g. `ec:30`) expands to `ecsq:snr=DB|huffman`: each tensor's step chosen so that it reaches DB
    /// decibels of SNR, the integers Huffman-coded.
    /// - Throws: `WeightPackError.Code.invalidOption` when `ec:` is followed by something other than a positive
    ///   number.
    public static func expansion(of text: String) throws(WeightPackError) -> String? {
        let lowered = text.lowercased()
        if let chain = chains.first(where: { $0.name == lowered })?.chain { return chain }
        if lowered.hasPrefix("ec:") {
            let value = lowered.dropFirst(3)
            guard let decibels = Double(value), decibels > 0, decibels.isFinite else {
                throw WeightPackError(
                    .invalidOption, "preset '\(text)': ec: takes a target SNR in dB greater than 0, e.g. ec:30")
            }
            return "ecsq:snr=\(value)|huffman"
        }
        return nil
    }
}
