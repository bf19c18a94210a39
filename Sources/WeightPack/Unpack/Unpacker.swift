import Formats
import Foundation
import TensorCore

/// Decodes a model file (typically `.wpk`) back to a safetensors file that any safetensors reader loads.
public enum Unpacker {
    /// Decodes every tensor of `inputPath` and writes `outputPath` (safetensors) atomically, one tensor in
    /// memory at a time. Integer and bool tensors are written bit for bit.
    ///
    /// - Parameters:
    ///   - floatDType: the dtype for floating-point tensors (`float32`, `float16` or `bfloat16`); `nil` keeps each
    ///     tensor's source dtype, so a lossless `.wpk` unpacks to the source's exact bytes.
    /// - Returns: the size of the written file in bytes.
    /// - Throws: `WeightPackError` naming the file and tensor: damaged data (checksum mismatch), an unknown
    ///   stage, an output path equal to the input, or a write failure (then no output file is left).
    @discardableResult
    public static func unpack(inputPath: String, outputPath: String, floatDType: DType? = nil) throws(WeightPackError)
        -> Int
    {
        if let floatDType, !floatDType.isFloatingPoint {
            throw WeightPackError(
                .invalidOption, "--dtype must be a float type (f32, f16, bf16, f64); got \(floatDType.name)")
        }
        try OutputPath.check(outputPath, against: [inputPath], requiredExtension: "safetensors")
        let summary = try Converter.convert(
            inputPath: inputPath, outputPath: outputPath,
            options: ConvertOptions(target: .safetensors, floatDType: floatDType, dequantize: true))
        return summary.writtenByteCount
    }

    /// Like ``unpack(inputPath:outputPath:floatDType:)``, but a `.wpk` tensor whose stored bytes fail their
    /// checksum or do not decode is left out instead of failing the whole file (`unpack --skip-damaged`).
    /// - Returns: the size of the written file and the tensors left out with the reason for each.
    /// - Throws: as ``unpack(inputPath:outputPath:floatDType:)``, for problems other than damaged tensors (a damaged
    ///   index or header still fails: without it no tensor can be trusted).
    public static func unpackSkippingDamaged(inputPath: String, outputPath: String, floatDType: DType? = nil)
        throws(WeightPackError) -> (byteCount: Int, skipped: [(name: String, reason: String)])
    {
        try OutputPath.check(outputPath, against: [inputPath], requiredExtension: "safetensors")
        let source = try openTensorSource(path: inputPath)
        let damaged = (source as? WPKSource)?.damagedTensors() ?? []
        var options = ConvertOptions(target: .safetensors, floatDType: floatDType, dequantize: true)
        options.excludedTensors = Set(damaged.map(\.name))
        let summary = try Converter.convert(inputPath: inputPath, outputPath: outputPath, options: options)
        return (summary.writtenByteCount, damaged)
    }
}
