import Codecs
import Foundation

/// The coder of one entropy-coded section, recorded in the section's first byte (docs/FORMAT.md §5.2).
enum EntropyCoder: UInt8, Sendable, CaseIterable {
    /// The section's bytes as they are.
    case raw = 0
    /// Canonical Huffman (`HuffmanCodec`), modelling the section's symbols at its symbol width.
    case huffman = 1
    /// One Zstandard frame.
    case zstd = 2
    /// One LZ4 frame.
    case lz4 = 3

    /// The name shown by `inspect` and recorded in the stage's `coders` parameter.
    var name: String {
        switch self {
        case .raw: "raw"
        case .huffman: "huffman"
        case .zstd: "zstd"
        case .lz4: "lz4"
        }
    }

    /// Bytes before a coded section's body: the coder tag and the decoded length (`u64`).
    static let headerByteCount = 9
}

/// What an entropy stage does with each section: one coder for all, or the smallest per section.
public enum EntropyChoice: Sendable, Equatable, CustomStringConvertible {
    /// Canonical Huffman coding of each section's symbols.
    case huffman
    /// Zstandard at `level`.
    case zstd(level: Int)
    /// LZ4 frames.
    case lz4
    /// For each section, the smallest of Huffman, zstd (level 3), LZ4 and the raw bytes.
    case auto

    /// The stage name recorded in the container and used in recipes.
    public var stageName: String {
        switch self {
        case .huffman: "huffman"
        case .zstd: "zstd"
        case .lz4: "lz4"
        case .auto: "auto"
        }
    }

    /// The recipe text, e.g. `zstd:19`.
    public var description: String {
        if case .zstd(let level) = self { return "zstd:\(level)" }
        return stageName
    }

    /// True when sub-byte codes are better stored one per byte ahead of this stage, so that the coder sees whole
    /// symbols: Huffman and `auto`.
    var prefersWholeSymbols: Bool { self == .huffman || self == .auto }

    /// The stage names an entropy stage may be recorded under.
    static let stageNames: Set<String> = ["huffman", "zstd", "lz4", "auto"]

    /// Parses the words of a recipe stage: `huffman`, `zstd`, `zstd:LEVEL`, `lz4`, `auto`; `nil` when `name` is
    /// not an entropy stage.
    /// - Throws: `WeightPackError.Code.invalidOption` for a bad level or an unexpected argument.
    static func parse(name: String, arguments: [String]) throws(WeightPackError) -> EntropyChoice? {
        guard stageNames.contains(name) else { return nil }
        if name == "zstd" {
            guard arguments.count <= 1 else {
                throw WeightPackError(.invalidOption, "stage 'zstd' takes at most one argument, the level (zstd:19)")
            }
            guard let text = arguments.first else { return .zstd(level: 3) }
            guard let level = Int(text), ZstdCodec.levelRange.contains(level), level != 0 else {
                throw WeightPackError(
                    .invalidOption,
                    "zstd level '\(text)' is not an integer in \(ZstdCodec.levelRange.lowerBound)...\(ZstdCodec.levelRange.upperBound) other than 0"
                )
            }
            return .zstd(level: level)
        }
        guard arguments.isEmpty else {
            throw WeightPackError(
                .invalidOption, "stage '\(name)' takes no arguments; found '\(arguments.joined(separator: ":"))'")
        }
        switch name {
        case "huffman": return .huffman
        case "lz4": return .lz4
        default: return .auto
        }
    }
}
