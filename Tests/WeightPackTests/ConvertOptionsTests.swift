import Foundation
import TensorCore
import Testing
import WeightPack

/// `ByteSize.parse` (decimal and binary units, as Hugging Face's `max_shard_size`), `OutputFormat.fromExtension`
/// and the `ConvertOptions` defaults.
struct ConvertOptionsTests {
    @Test(
        arguments: [
            ("2GB", 2_000_000_000), ("1GiB", 1 << 30), ("500MB", 500_000_000), ("1.5GB", 1_500_000_000),
            ("4096", 4096), ("30MB", 30_000_000), ("500MiB", 500 << 20), ("1KB", 1000), ("1KiB", 1024),
            ("2TB", 2_000_000_000_000), ("1TiB", 1 << 40), ("10B", 10), ("2gb", 2_000_000_000), ("1gib", 1 << 30),
            (" 2 GB ", 2_000_000_000), ("0.5GiB", 1 << 29),
        ])
    func parsesDecimalAndBinaryUnits(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test(arguments: [
        "0", "-1", "abc", "10XB", "", "GB", "B", "-2GB", "0GB", "1.5.5GB", "nan", "inf", "1e30", "10 G B",
    ])
    func refusesWhatIsNotAPositiveSize(text: String) {
        #expect(ByteSize.parse(text) == nil)
    }

    /// A fraction of a byte truncates to 0, which is not a positive size either.
    @Test(arguments: ["0.5", "0.4B"])
    func refusesASizeThatRoundsToZeroBytes(text: String) {
        #expect(ByteSize.parse(text) == nil)

    }

    @Test(
        arguments: [
            ("model.safetensors", OutputFormat.safetensors), ("a.NPZ", .npz), ("a.npy", .npy), ("a.gguf", .gguf),
            ("a.wpk", .wpk), ("a.bin", .raw), ("a.RAW", .raw), ("dir.v2/model.safetensors", .safetensors),
        ])
    func outputFormatFromExtension(path: String, format: OutputFormat) {
        #expect(OutputFormat.fromExtension(of: path) == format)
    }

    @Test(arguments: ["out", "out.json", "model.safetensors.index.json", "out.tmp", "./out", "../models/out"])
    func outputFormatFromExtensionIsNilForOtherNames(path: String) {
        #expect(OutputFormat.fromExtension(of: path) == nil)
    }

    /// A name without a dot has no extension, even when the whole name is a format's extension.
    @Test(arguments: ["raw", "bin", "npz", "safetensors", "wpk"])
    func outputFormatFromExtensionIsNilForADotlessName(path: String) {
        #expect(OutputFormat.fromExtension(of: path) == nil)

    }

    @Test func outputFormatRawValuesAreTheCLISpellings() {
        #expect(
            OutputFormat.allCases.map(\.rawValue) == ["safetensors", "npz", "npy", "npy-dir", "raw", "gguf", "wpk"])
        #expect(GGUFQuantization.allCases.map(\.rawValue) == ["q8_0", "q4_0"])
    }

    @Test func optionsDefaultToTheInputAsItIs() {
        let options = ConvertOptions()
        #expect(options.target == nil && options.floatDType == nil && options.ggufQuantization == nil)
        #expect(!options.dequantize && !options.compressNPZ)
        #expect(options.maximumShardByteCount == nil && options.raw == nil)
        let raw = RawInputOptions(dtype: .float16, shape: [2])
        #expect(raw.byteOffset == 0 && raw.byteOrder == .little)
    }
}
