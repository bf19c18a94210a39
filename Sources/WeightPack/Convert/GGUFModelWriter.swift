import Formats
import Foundation
import TensorCore
import Transforms

/// Writes a conversion plan as GGUF v3: each tensor as its dtype's GGML type, block-quantized (Q8_0/Q4_0) when
/// asked and eligible, or, from a GGUF source, block types copied unchanged.
enum GGUFModelWriter {
    /// The GGML type and how to produce each tensor's bytes.
    private enum Encoding {
        case plain(GGMLType)
        case quantized(GGMLBlockFormat)
        case copied(GGMLType)
    }

    static func write(_ plan: ConversionPlan, to outputPath: String, quantization: GGUFQuantization?) throws
        -> ConvertSummary
    {
        let ggufSource = plan.source as? GGUFSource
        var encodings: [Encoding] = []
        for entry in plan.entries {
            encodings.append(try encoding(for: entry, quantization: quantization, ggufSource: ggufSource))
        }
        let specs = zip(plan.entries, encodings).map {
            entry, encoding -> (name: String, shape: Shape, type: GGMLType) in
            switch encoding {
            case .plain(let type), .copied(let type): (entry.info.name, entry.info.shape, type)
            case .quantized(let format): (entry.info.name, entry.info.shape, GGMLType(name: format.ggmlTypeName)!)
            }
        }
        let layout = try GGUFWriter.layout(metadata: metadata(plan, ggufSource: ggufSource), tensors: specs)
        // Tensors are written in plan order; the next one is quantized while the current one is written.
        let keys = plan.entries.indices.map(String.init)
        let producer = OneAheadProducer<Data>(order: keys) { key in
            let position = Int(key)!
            let entry = plan.entries[position]
            switch encodings[position] {
            case .copied:
                return ggufSource!.stored(entry.info)!.bytes
            case .plain:
                return try plan.tensor(entry, countingProgress: false).data
            case .quantized(let format):
                // A mapped float32 tensor is quantized in place; its pages are mapped in one call first and
                // released once its blocks are made.
                plan.source.populatePages(of: entry.info, within: nil)
                let bytes = try plan.tensor(entry, countingProgress: false).withFloat32Values { values in
                    try GGMLBlockQuantizer.quantize(values, as: format, tensorName: entry.info.name)
                }
                plan.source.releasePages(of: entry.info, within: nil)
                return bytes
            }
        }
        defer { producer.finish() }
        var position = 0
        try GGUFWriter.write(layout, to: outputPath) { _ in
            defer { position += 1 }
            let bytes = try producer.item(keys[position])
            plan.markDone(plan.entries[position])
            return bytes
        }
        return ModelWriters.summary(.gguf, [outputPath], plan.entries.count)
    }

    /// Block-quantize 2-D float tensors whose rows (last dimension) divide into blocks of 32, as llama.cpp's
    /// converter does; copy block types from a GGUF source when no quantization is asked; otherwise the dtype's type.
    private static func encoding(
        for entry: ConversionPlan.Entry, quantization: GGUFQuantization?, ggufSource: GGUFSource?
    ) throws(WeightPackError) -> Encoding {
        let info = entry.info
        if let quantization, info.dtype.isFloatingPoint, info.shape.count == 2, info.shape.dimensions[1] % 32 == 0,
            info.shape.dimensions[1] > 0
        {
            return .quantized(quantization == .q8_0 ? .q8_0 : .q4_0)
        }
        if info.storageType != nil, let stored = ggufSource?.stored(info), quantization == nil {
            return .copied(stored.type)
        }
        guard let type = GGMLType(dtype: entry.outputDType) else {
            throw WeightPackError(
                .invalidOutput,
                "GGUF has no type for \(entry.outputDType.name); it holds f32, f16, bf16, f64, i8, i16, i32 and i64",
                tensorName: info.name)
        }
        return .plain(type)
    }

    /// The source's metadata: a GGUF source's own key/values (typed, arrays included), else each string entry.
    private static func metadata(_ plan: ConversionPlan, ggufSource: GGUFSource?) -> [(key: String, value: GGUFValue)] {
        if let ggufSource {
            return ggufSource.reader.metadata.filter { $0.key != "general.alignment" }
        }
        return plan.metadata.keys.sorted().map { ($0, GGUFValue.string(plan.metadata[$0]!)) }
    }
}
