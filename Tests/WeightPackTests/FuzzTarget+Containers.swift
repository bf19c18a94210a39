import Formats
import Foundation
import TensorCore
import WeightPack

/// Valid `.wpk` files packed with one recipe each, and the two structured `.wpk` targets built on them: a
/// tensor's payload, or the index, replaced by the fuzz input and given valid checksums, so that the mutations
/// reach the stage chain and the index checks instead of stopping at a checksum.
enum FuzzContainers {
    /// The recipes of the template files: every value stage, both codecs and Huffman, shuffle and `auto`.
    static let recipes = [
        "quant:int4:group=32|huffman", "quant:int8:asym:per_tensor:scale=f16|lz4", "prune:0.5|cluster:4bit|auto",
        "prune:0.7:index=bitmap|zstd", "ecsq:rel=0.1|huffman", "lowrank:rank=2|quant:int8|zstd", "shuffle|auto",
        "ggml:q4_1|zstd", "ggml:q8_0", "cluster:3bit:codebook=f16:packing=bits|lz4",
    ]

    /// One packed file: its bytes and index.
    struct Template: Sendable {
        var recipe: String
        var bytes: [UInt8]
        var index: WPKIndex
        var indexOffset: Int
    }

    /// A `[16, 64]` Float32 weight of seeded values, a Float16 weight and a bias: value stages apply to the
    /// 2-D weights, and the bias takes the lossless part of the recipe.
    static func model() throws -> TensorCollection {
        var state: UInt64 = 0x5EED
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let weight = (0..<1024).map { _ in next() }
        let half = (0..<256).map { _ in next() * 4 }
        let bias = (0..<64).map { Float($0 % 8) / 8 }
        return try TensorCollection(
            tensors: [
                try Tensor(name: "layer.0.weight", shape: [16, 64], float32Values: weight),
                try Tensor(name: "layer.1.weight", shape: [8, 32], float32Values: half, dtype: .float16),
                try Tensor(name: "layer.0.bias", shape: [64], float32Values: bias),
            ], metadata: ["format": "pt"])
    }

    /// The template files, packed once per process (deterministic: the same bytes on every run).
    static let templates: [Template] = recipes.map(pack)

    private static func pack(_ recipe: String) -> Template {
        let input = FuzzScratch.folder.appendingPathComponent("template-\(UUID().uuidString).safetensors").path
        let output = FuzzScratch.folder.appendingPathComponent("template-\(UUID().uuidString).wpk").path
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        do {
            try SafetensorsWriter.write(try model(), to: input)
            try Packer.pack(
                inputPath: input, outputPath: output, options: PackOptions(recipe: try Recipe.parse(recipe)))
            let reader = try WPKReader(path: output)
            return Template(
                recipe: recipe, bytes: [UInt8](reader.file.bytes), index: reader.index,
                indexOffset: reader.header.indexOffset)
        } catch {
            preconditionFailure("cannot pack the template for '\(recipe)': \(error)")
        }
    }

    /// The records with a stage chain, as `(template, record)` positions: what `[selector]` picks.
    static let payloadSlots: [(template: Int, record: Int)] = templates.enumerated().flatMap { position, template in
        template.index.tensors.indices.filter { !template.index.tensors[$0].stages.isEmpty }.map { (position, $0) }
    }

    /// `[selector] + payload`: the payload replaces record `payloadSlots[selector]`'s stored bytes in a file of that
    /// one record, written by `WPKWriter` (valid checksums; the last stage's byte count follows the payload).
    /// - Returns: true when the tensor decoded.
    static func runPayload(_ bytes: [UInt8]) -> Bool {
        guard let selector = bytes.first, !payloadSlots.isEmpty else { return false }
        let slot = payloadSlots[Int(selector) % payloadSlots.count]
        let record = templates[slot.template].index.tensors[slot.record]
        let payload = Data(bytes.dropFirst())
        var stages = record.stages
        stages[stages.count - 1].outputByteCount = payload.count
        let path = FuzzScratch.folder.appendingPathComponent("\(UUID().uuidString).wpk").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try WPKWriter(path: path)
            try writer.append(
                name: record.name, dtype: record.dtype, shape: record.shape, stages: stages, storedBytes: payload)
            try writer.finish(metadata: [:])
        } catch {
            preconditionFailure("cannot write a payload file: \(error)")
        }
        guard let source = try? WPKSource(path: path) else { return false }
        return FuzzTarget.readAll(source)
    }

    /// `[selector] + index`: the index replaces template `selector`'s, behind a header whose length and XXH3-64
    /// match it (docs/FORMAT.md §2: bytes 24..<32 and 32..<40).
    /// - Returns: true when the file opened and every tensor decoded.
    static func runIndex(_ bytes: [UInt8]) -> Bool {
        guard let selector = bytes.first, !templates.isEmpty else { return false }
        let template = templates[Int(selector) % templates.count]
        let index = Array(bytes.dropFirst())
        var file = Array(template.bytes[..<template.indexOffset]) + index
        setUInt64(UInt64(index.count), in: &file, at: 24)
        setUInt64(Checksum.xxh3(index), in: &file, at: 32)
        return FuzzTarget.readFile(file, extension: "wpk") { try WPKSource(path: $0) }
    }

    /// The index bytes of template `position`.
    static func indexBytes(of position: Int) -> [UInt8] {
        Array(templates[position].bytes[templates[position].indexOffset...])
    }

    /// The stored payload of `payloadSlots[position]`.
    static func payload(of position: Int) -> [UInt8] {
        let slot = payloadSlots[position]
        let record = templates[slot.template].index.tensors[slot.record]
        return Array(templates[slot.template].bytes[record.offset..<(record.offset + record.length)])
    }

    private static func setUInt64(_ value: UInt64, in bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
