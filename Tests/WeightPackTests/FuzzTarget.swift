import Codecs
import Formats
import Foundation
import TensorCore
import Transforms
import WeightPack

/// The fuzz entry points: one per reader and per decoder stage. Each takes any byte string and must return
/// normally, whatever the bytes: every rejection is a thrown error, never a trap, a hang or an allocation far
/// beyond the input's size.
///
/// This file is shared by the deterministic pass in the test suite (`FuzzSmokeTests`) and by the libFuzzer
/// executables of the `Fuzz/` package, so the two always exercise the same code. It uses public API only.
/// The input layouts of the structured targets are in docs/BAD-INPUTS.md, "Fuzz targets".
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A whole `.safetensors` file, read through `SafetensorsSource`.
    case safetensors
    /// A whole `.npy` file, read from memory with `NPYReader.tensor(named:from:)`.
    case npy
    /// A whole `.npz` archive, read through `NPZSource`.
    case npz
    /// A whole `.gguf` file, read through `GGUFSource` (block types dequantized).
    case gguf
    /// A whole `.wpk` file, read through `WPKSource` (checksums as stored).
    case wpk
    /// One tensor's stored payload behind a valid checksum: `[template] + payload`; decoded through its chain.
    case wpkPayload = "wpk-payload"
    /// A `.wpk` index behind a valid header checksum: `[template] + index JSON`; every tensor decoded.
    case wpkIndex = "wpk-index"
    /// A Huffman frame: `[width] + u32 decoded length + frame`.
    case huffman
    /// A zstd frame: `u32 decoded length + frame`.
    case zstd
    /// An LZ4 block: `u32 decoded length + block`.
    case lz4
    /// Stage `quant` (int8/int4 unpacking) decode; input layout ``FuzzStageInput``.
    case quant
    /// Stage `prune` (sparse indices) decode.
    case prune
    /// Stage `cluster` (codebook and assignments) decode.
    case cluster
    /// Stage `ecsq` (entropy-coded quantization) decode.
    case ecsq
    /// Stage `ggml` (GGML blocks) decode.
    case ggml
    /// Stage `lowrank` (two factors) decode.
    case lowrank
    /// Stage `shuffle` (byte planes) decode.
    case shuffle

    /// The largest decoded size the codec targets ask for: 16 MiB.
    static let maximumDecodedByteCount = 1 << 24

    /// The file extension of a whole-file target's inputs, `nil` for the others.
    var fileExtension: String? {
        switch self {
        case .safetensors: "safetensors"
        case .npy: "npy"
        case .npz: "npz"
        case .gguf: "gguf"
        case .wpk, .wpkIndex: "wpk"
        default: nil
        }
    }

    /// Runs the entry point on `bytes`. Errors are swallowed: only a trap, a hang or a runaway allocation fails.
    /// - Returns: true when the input was accepted: read or decoded without an error.
    @discardableResult
    func run(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .safetensors: return Self.readFile(bytes, extension: "safetensors") { try SafetensorsSource(path: $0) }
        case .npz: return Self.readFile(bytes, extension: "npz") { try NPZSource(path: $0) }
        case .gguf: return Self.readFile(bytes, extension: "gguf") { try GGUFSource(path: $0) }
        case .wpk: return Self.readFile(bytes, extension: "wpk") { try WPKSource(path: $0) }
        case .npy:
            guard let tensor = try? NPYReader.tensor(named: "fuzz", from: Data(bytes)) else { return false }
            Self.touch(tensor)
            return true
        case .wpkPayload: return FuzzContainers.runPayload(bytes)
        case .wpkIndex: return FuzzContainers.runIndex(bytes)
        case .huffman, .zstd, .lz4: return runCodec(bytes)
        case .shuffle: return FuzzStageInput.runShuffle(bytes)
        case .quant, .prune, .cluster, .ecsq, .ggml, .lowrank:
            guard let type = StageRegistry.standard.transform(named: rawValue) else {
                preconditionFailure("no value transform is named '\(rawValue)'")
            }
            return FuzzStageInput.run(bytes, type: type)
        }
    }

    /// Writes `bytes` to a fresh temporary file, opens it with `open` and reads everything a command would.
    /// - Returns: true when the file opened and every tensor decoded.
    static func readFile(
        _ bytes: [UInt8], extension fileExtension: String, open: (String) throws -> any TensorSource
    ) -> Bool {
        var accepted = false
        FuzzScratch.withFile(bytes, extension: fileExtension) { path in
            guard let source = try? open(path) else { return }
            accepted = readAll(source)
        }
        return accepted
    }

    /// Reads a source's metadata, layout and every tensor's values, as `inspect` and `unpack` do.
    /// - Returns: true when every tensor decoded.
    static func readAll(_ source: any TensorSource) -> Bool {
        _ = source.metadata
        _ = source.fileLayout
        var accepted = true
        for info in source.tensorInfos {
            if let tensor = try? source.decodedTensor(info) { touch(tensor) } else { accepted = false }
        }
        return accepted
    }

    /// Converts a float tensor's elements to Float32 (the conversions a lossy stage or a report makes).
    static func touch(_ tensor: Tensor) {
        if tensor.dtype.isFloatingPoint { _ = try? tensor.float32Values() }
    }

    private func runCodec(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        var width = 1
        if self == .huffman {
            guard let selector = rest.popFirst() else { return false }
            width = HuffmanCodec.supportedWidths[Int(selector) % HuffmanCodec.supportedWidths.count]
        }
        guard rest.count >= 4 else { return false }
        let declared = rest.prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let frame = Array(rest.dropFirst(4))
        // The container never asks for more than 4 bytes per element plus a table; 16 MiB keeps runs fast.
        let decodedByteCount = declared % (Self.maximumDecodedByteCount + 1)
        let codec: (any ByteCodec)?
        switch self {
        case .huffman: codec = try? HuffmanCodec(width: width)
        case .zstd: codec = try? ZstdCodec()
        default: codec = LZ4Codec()
        }
        guard let codec else { preconditionFailure("the \(rawValue) codec cannot be created") }
        return frame.withUnsafeBytes { raw in (try? codec.decode(raw, decodedByteCount: decodedByteCount)) != nil }
    }

    /// The little-endian `u32` that the codec targets put before a frame.
    static func codecPrefix(decodedByteCount: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: decodedByteCount >> (8 * $0)) }
    }
}

/// Temporary files for the readers that take a path: one fresh file per input, removed afterwards, so that no
/// mapping ever sees its file change.
enum FuzzScratch {
    /// A folder of this process under the temporary folder (`TMPDIR`), created once.
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "weightpack-fuzz-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `bytes` to a new file named `*.fileExtension`, calls `body` with its path, then removes it.
    static func withFile(_ bytes: [UInt8], extension fileExtension: String, _ body: (String) -> Void) {
        let path = folder.appendingPathComponent("\(UUID().uuidString).\(fileExtension)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            preconditionFailure("cannot write a temporary file in \(folder.path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        body(path)
    }
}
