import Formats
import Foundation
import TensorCore
import TestSupport
import Testing
import WeightPack

/// `unpack --skip-damaged`: a tensor whose bytes fail their checksum is left out and named; the rest unpack.
struct DamagedTensorSkippingTests {
    private func packedModel(in folder: TemporaryDirectory) throws -> (path: String, tensors: [Tensor]) {
        let tensors = try TestTensors.smallModel()
        let input = folder.path("model.safetensors")
        try TestTensors.writeSafetensors(tensors, to: input)
        let packed = folder.path("model.wpk")
        try Packer.pack(
            inputPath: input, outputPath: packed, options: PackOptions(recipe: try Recipe.parse("lossless")))
        return (packed, tensors)
    }

    /// Flips one byte in the middle of the segment of the tensor at `position`, leaving its checksum stale.
    private func flipByte(ofTensorAt position: Int, in path: String) throws {
        let record = try #require(try WPKSurgery.records(ofFileAt: path)[position] as [String: Any]?)
        let offset = try #require(record["offset"] as? Int)
        let length = try #require(record["length"] as? Int)
        try WPKSurgery.editBytes(ofFileAt: path) { bytes in bytes[offset + length / 2] ^= 0xFF }
    }

    @Test func theDamagedTensorIsNamedAndTheOthersUnpackBitExact() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (path, tensors) = try packedModel(in: folder)
        try flipByte(ofTensorAt: 0, in: path)
        let damaged = try #require(try WPKSurgery.records(ofFileAt: path).first?["name"] as? String)
        let intact = tensors.filter { $0.name != damaged }
        let output = folder.path("out.safetensors")

        let plain = #expect(throws: WeightPackError.self) {
            try Unpacker.unpack(inputPath: path, outputPath: output)
        }
        #expect(plain?.tensorName == damaged)
        #expect(!FileManager.default.fileExists(atPath: output))

        let result = try Unpacker.unpackSkippingDamaged(inputPath: path, outputPath: output)
        #expect(result.skipped.map(\.name) == [damaged])
        #expect(result.skipped.first?.reason.contains("checksum mismatch") == true)
        let unpacked = try TestTensors.readSafetensors(output)
        #expect(Set(unpacked.tensors.map(\.name)) == Set(intact.map(\.name)))
        for tensor in intact {
            #expect(unpacked.tensors.first { $0.name == tensor.name } == tensor, "\(tensor.name)")
        }
    }

    @Test func anUndamagedFileSkipsNothing() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (path, tensors) = try packedModel(in: folder)
        let result = try Unpacker.unpackSkippingDamaged(inputPath: path, outputPath: folder.path("out.safetensors"))
        #expect(result.skipped.isEmpty)
        #expect(try TestTensors.readSafetensors(folder.path("out.safetensors")).tensors.count == tensors.count)
    }
}

/// `pack --nan`: what lossy stages do with NaN and infinity.
struct NonFinitePolicyTests {
    private func model(in folder: TemporaryDirectory) throws -> (path: String, values: [Float]) {
        var values = (0..<256).map { Float($0 % 17) - 8 }
        values[5] = .nan
        values[77] = .infinity
        values[100] = -.infinity
        let path = folder.path("model.safetensors")
        try TestTensors.writeSafetensors([try TestTensors.floats("w", [8, 32], values)], to: path)
        return (path, values)
    }

    private func options(_ policy: PackOptions.NonFinitePolicy) throws -> PackOptions {
        var options = PackOptions(recipe: try Recipe.parse("int8"))
        options.nonFinite = policy
        return options
    }

    @Test func errorRefusesNamingTheTensorAndTheCount() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (path, _) = try model(in: folder)
        let error = #expect(throws: WeightPackError.self) {
            try Packer.pack(inputPath: path, outputPath: folder.path("m.wpk"), options: try options(.error))
        }
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("3 of 256 elements are NaN or infinite") == true, "\(error?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: folder.path("m.wpk")))
    }

    @Test func keepFloatStoresTheTensorBitExact() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (path, values) = try model(in: folder)
        let summary = try Packer.pack(
            inputPath: path, outputPath: folder.path("m.wpk"), options: try options(.keepFloat))
        #expect(summary.tensors.first?.nonFiniteNote == "3 NaN or infinite elements: kept as float")
        try Unpacker.unpack(inputPath: folder.path("m.wpk"), outputPath: folder.path("out.safetensors"))
        let decoded = try #require(try TestTensors.readSafetensors(folder.path("out.safetensors")).tensors.first)
        #expect(try decoded.float32Values().map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func zeroQuantizesWithTheNonFiniteElementsAtZero() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (path, values) = try model(in: folder)
        let summary = try Packer.pack(inputPath: path, outputPath: folder.path("m.wpk"), options: try options(.zero))
        #expect(summary.tensors.first?.nonFiniteNote == "3 NaN or infinite elements set to 0")
        #expect(summary.tensors.first?.stageNames.first == "quant")
        try Unpacker.unpack(inputPath: folder.path("m.wpk"), outputPath: folder.path("out.safetensors"))
        let decoded = try #require(try TestTensors.readSafetensors(folder.path("out.safetensors")).tensors.first)
            .float32Values()
        for index in [5, 77, 100] { #expect(decoded[index] == 0) }
        // Every row's largest magnitude is 8, so the int8 step is 8/127 and the error at most half of it.
        for index in values.indices where values[index].isFinite {
            #expect(abs(decoded[index] - values[index]) <= 4 / 127 * 1.0001, "element \(index)")
        }
    }
}
