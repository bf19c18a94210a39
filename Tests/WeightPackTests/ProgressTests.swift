import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// Pack, convert and verify report progress once per tensor: `tensorsDone` counts 1, 2, …, n, `bytesDone` never
/// goes down, and the last update is at the totals (n tensors, the source's element bytes).
struct ProgressTests {
    /// Collects the updates a handler receives, from whichever thread calls it.
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var received: [ProgressUpdate] = []
        var updates: [ProgressUpdate] { lock.withLock { received } }
        var handler: ProgressHandler { { [self] update in lock.withLock { received.append(update) } } }
    }

    /// The small model, a larger weight, an f16 tensor and an empty tensor (which adds no bytes).
    static func tensors() throws -> [Tensor] {
        try TestTensors.smallModel() + [
            try TestTensors.random("encoder.layer.1.dense.weight", [32, 64], seed: 9),
            try TestTensors.random("encoder.layer.1.dense.bias", [64], dtype: .float16, seed: 10),
            try TestTensors.floats("empty", [0], []),
        ]
    }

    /// Checks `updates` against `tensorCount` tensors of `byteCount` source bytes in all.
    static func expectCountsUp(
        _ updates: [ProgressUpdate], tensorCount: Int, byteCount: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            updates.map(\.tensorsDone) == Array(1..<(tensorCount + 1)),
            "one update per tensor, counting up", sourceLocation: sourceLocation)
        #expect(
            updates.allSatisfy { $0.tensorCount == tensorCount && $0.byteCount == byteCount },
            "the totals never change", sourceLocation: sourceLocation)
        #expect(
            zip(updates, updates.dropFirst()).allSatisfy { $0.bytesDone <= $1.bytesDone },
            "bytes never go down", sourceLocation: sourceLocation)
        #expect(
            updates.allSatisfy { $0.bytesDone <= $0.byteCount && $0.tensorsDone <= $0.tensorCount },
            sourceLocation: sourceLocation)
        #expect(
            updates.last
                == ProgressUpdate(
                    tensorsDone: tensorCount, tensorCount: tensorCount, bytesDone: byteCount, byteCount: byteCount),
            "the last update is at the totals", sourceLocation: sourceLocation)
    }

    static func writeModel(_ tensors: [Tensor], in folder: TemporaryDirectory) throws -> String {
        let path = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(tensors, metadata: ["format": "pt"], to: path)
        return path
    }

    @Test(arguments: [PackOptions.Quantization.int8, .none])
    func packReportsEachTensorAndEndsAtTheTotals(quantization: PackOptions.Quantization) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try Self.tensors()
        let input = try Self.writeModel(tensors, in: folder)
        let recorder = Recorder()
        try Packer.pack(
            inputPath: input, outputPath: folder.path("m.wpk"), options: PackOptions(quantization: quantization),
            progress: recorder.handler)
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })
        let first = try #require(try openTensorSource(path: input).tensorInfos.first)
        #expect(recorder.updates.map(\.bytesDone).first == first.originalByteCount, "in file order")
    }

    /// Pack encodes a window of up to 8 tensors at a time on all cores; updates still come once per tensor, in order.
    @Test func packReportsInFileOrderAcrossEncodingWindows() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try (0..<29).map { index in
            try TestTensors.random("layer.\(index).weight", [4 + index, 16], seed: UInt64(index))
        }
        let input = try Self.writeModel(tensors, in: folder)
        let recorder = Recorder()
        try Packer.pack(
            inputPath: input, outputPath: folder.path("m.wpk"), options: PackOptions(), progress: recorder.handler)
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })
        let sizes = try openTensorSource(path: input).tensorInfos.map(\.originalByteCount)
        let running = sizes.indices.map { sizes[...$0].reduce(0, +) }
        #expect(recorder.updates.map(\.bytesDone) == running, "bytes accumulate in file order")
    }

    @Test func packOfAWPKCountsTheSourceDTypeBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try Self.tensors()
        let input = try Self.writeModel(tensors, in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("a.wpk"), options: PackOptions())
        let recorder = Recorder()
        try Packer.pack(
            inputPath: folder.path("a.wpk"), outputPath: folder.path("b.wpk"), options: PackOptions(),
            progress: recorder.handler)
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })
    }

    @Test(arguments: ["m.safetensors", "m.npz", "m.npy-dir", "m.gguf", "q8.gguf", "m.wpk", "raw-folder", "sharded"])
    func convertReportsEachTensorAndEndsAtTheTotals(output: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var tensors = try Self.tensors()
        if output.hasSuffix("gguf") { tensors.removeAll { $0.dtype == .bool } }
        let input = try Self.writeModel(tensors, in: folder)
        let options: ConvertOptions =
            switch output {
            case "q8.gguf": ConvertOptions(ggufQuantization: .q8_0)
            case "m.npy-dir": ConvertOptions(target: .npyDirectory)
            case "raw-folder": ConvertOptions(target: .raw)
            case "sharded": ConvertOptions(target: .safetensors, maximumShardByteCount: 4096)
            default: ConvertOptions()
            }
        let recorder = Recorder()
        let summary = try Converter.convert(
            inputPath: input, outputPath: folder.path(output == "sharded" ? "s.safetensors" : output),
            options: options, progress: recorder.handler)
        #expect(summary.tensorCount == tensors.count)
        if output == "sharded" { #expect(summary.writtenPaths.count > 2, "\(summary.writtenPaths)") }
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })
    }

    @Test func convertingADTypeCountsTheSourceBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try Self.tensors()
        let input = try Self.writeModel(tensors, in: folder)
        let recorder = Recorder()
        try Converter.convert(
            inputPath: input, outputPath: folder.path("half.safetensors"),
            options: ConvertOptions(floatDType: .float16),
            progress: recorder.handler)
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })
    }

    /// GGUF → GGUF copies block-quantized tensors as they are stored; they still count.
    @Test func convertCopyingGGUFBlockTensorsReportsEveryTensor() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try Self.tensors().filter { $0.dtype != .bool }
        let input = try Self.writeModel(tensors, in: folder)
        try Converter.convert(
            inputPath: input, outputPath: folder.path("q8.gguf"), options: ConvertOptions(ggufQuantization: .q8_0))
        let source = try openTensorSource(path: folder.path("q8.gguf"))
        #expect(source.tensorInfos.contains { $0.storageType == "Q8_0" })
        let recorder = Recorder()
        try Converter.convert(
            inputPath: folder.path("q8.gguf"), outputPath: folder.path("copy.gguf"), options: ConvertOptions(),
            progress: recorder.handler)
        Self.expectCountsUp(
            recorder.updates, tensorCount: source.tensorInfos.count,
            byteCount: source.tensorInfos.reduce(0) { $0 + $1.originalByteCount })

    }

    @Test func verifyReportsEachTensorAndEndsAtTheTotals() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try Self.tensors()
        let input = try Self.writeModel(tensors, in: folder)
        try Packer.pack(inputPath: input, outputPath: folder.path("m.wpk"), options: PackOptions())
        let recorder = Recorder()
        try Verifier.verify(referencePath: input, candidatePath: folder.path("m.wpk"), progress: recorder.handler)
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })
    }

    /// Tensors missing from the candidate or of another shape are not compared, but they are done.
    @Test func verifyEndsAtTheTotalsWhenNamesOrShapesDiffer() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try Self.tensors()
        let reference = try Self.writeModel(tensors, in: folder)
        let candidate = folder.path("candidate.safetensors")
        try TestTensors.writeSafetensors(
            [try TestTensors.floats(tensors[0].name, [2], [1, 2])] + tensors.dropFirst(2), to: candidate)
        let recorder = Recorder()
        let report = try Verifier.verify(referencePath: reference, candidatePath: candidate, progress: recorder.handler)
        #expect(report.shapeMismatches.count == 1 && report.missingFromCandidate.count == 1)
        #expect(!recorder.updates.isEmpty)
        Self.expectCountsUp(
            recorder.updates, tensorCount: tensors.count, byteCount: tensors.reduce(0) { $0 + $1.data.count })

    }
}
