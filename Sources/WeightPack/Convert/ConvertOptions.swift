import Foundation
import TensorCore

/// The formats `convert` writes.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// One safetensors file, or shards plus an index with a maximum shard size.
    case safetensors
    /// An NPZ archive.
    case npz
    /// One NPY file (a model of exactly one tensor).
    case npy
    /// A folder of NPY files, one per tensor.
    case npyDirectory = "npy-dir"
    /// Bare little-endian binary: one file for a one-tensor model, else a folder with a `manifest.json`.
    case raw
    /// GGUF v3.
    case gguf
    /// WeightPack's container (same as `pack`).
    case wpk

    /// The format an output path names by its extension, or `nil` when it names none.
    public static func fromExtension(of path: String) -> OutputFormat? {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "safetensors": .safetensors
        case "npz": .npz
        case "npy": .npy
        case "gguf": .gguf
        case "wpk": .wpk
        case "bin", "raw": .raw
        default: nil
        }
    }

    /// True for formats written as a folder.
    var writesFolder: Bool { self == .npyDirectory }
}

/// GGUF block quantization applied by `convert --quant` to 2-D float tensors whose rows divide into blocks of 32.
public enum GGUFQuantization: String, Sendable, CaseIterable {
    case q8_0
    case q4_0
}

/// What `convert` does.
public struct ConvertOptions: Sendable {
    /// The output format; `nil` takes it from the output's extension.
    public var target: OutputFormat?
    /// The dtype for float tensors (`float32`, `float16`, `bfloat16`); `nil` keeps each tensor's.
    public var floatDType: DType?
    /// GGUF only: block quantization of eligible 2-D float tensors.
    public var ggufQuantization: GGUFQuantization?
    /// Allow decoding block-quantized tensors (e.g. GGUF Q4_0) to Float32 for targets that cannot hold them.
    public var dequantize: Bool
    /// safetensors only: split into shards of at most this many tensor bytes.
    public var maximumShardByteCount: Int?
    /// npz only: deflate members (`numpy.savez_compressed`) instead of storing them.
    public var compressNPZ: Bool
    /// How to read a raw input.
    public var raw: RawInputOptions?
    /// wpk only: the pack recipe; `nil` packs with the `int8` preset.
    public var pack: PackOptions?
    /// Tensors to leave out of the output, by name (`unpack --skip-damaged` fills it with the damaged ones).
    public var excludedTensors: Set<String> = []

    /// Creates options; every field defaults to "as the input has it".
    public init(
        target: OutputFormat? = nil, floatDType: DType? = nil, ggufQuantization: GGUFQuantization? = nil,
        dequantize: Bool = false, maximumShardByteCount: Int? = nil, compressNPZ: Bool = false,
        raw: RawInputOptions? = nil, pack: PackOptions? = nil
    ) {
        self.target = target
        self.floatDType = floatDType
        self.ggufQuantization = ggufQuantization
        self.dequantize = dequantize
        self.maximumShardByteCount = maximumShardByteCount
        self.compressNPZ = compressNPZ
        self.raw = raw
        self.pack = pack
    }
}

/// Parses sizes such as `2GB`, `500MB`, `1.5GiB`, `4096`: decimal units (KB, MB, GB, TB = 10^3…) and binary
/// units (KiB, MiB, GiB, TiB = 2^10…), as Hugging Face's `max_shard_size` reads them.
public enum ByteSize {
    /// The number of bytes `text` names (rounded down), or `nil` when it is not a size of at least one byte.
    public static func parse(_ text: String) -> Int? {
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1024 * 1024), ("gib", 1024 * 1024 * 1024), ("tib", 1024 * 1024 * 1024 * 1024),
            ("kb", 1e3), ("mb", 1e6), ("gb", 1e9), ("tb", 1e12), ("b", 1),
        ]
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        var number = Substring(lower)
        if let unit = units.first(where: { lower.hasSuffix($0.0) }) {
            scale = unit.1
            number = lower.dropLast(unit.0.count)
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value * scale >= 1, value * scale < 9e18
        else { return nil }
        return Int(value * scale)
    }
}
