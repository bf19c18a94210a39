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
        let source = try openTensorSource(path: inputPath)
        let infos = source.tensorInfos
        func outputDType(_ info: TensorInfo) -> DType {
            info.dtype.isFloatingPoint ? (floatDType ?? info.dtype) : info.dtype
        }
        do {
            let layout = try SafetensorsWriter.layout(
                for: infos.map { ($0.name, outputDType($0), $0.shape) }, metadata: source.metadata)
            let infoByName = Dictionary(
                infos.map { (TensorNameKey($0.name), $0) }, uniquingKeysWith: { first, _ in first })
            try SafetensorsWriter.write(layout, to: outputPath) { entry in
                guard let info = infoByName[TensorNameKey(entry.name)] else {
                    throw WeightPackError(
                        .invalidOption, "tensor vanished from the source", path: inputPath, tensorName: entry.name)
                }
                let tensor = try source.decodedTensor(info)
                if tensor.dtype == entry.dtype { return tensor.data }
                return try Tensor(
                    name: tensor.name, shape: tensor.shape, float32Values: tensor.float32Values(), dtype: entry.dtype
                ).data
            }
            return layout.fileByteCount
        } catch {
            throw WeightPackError(wrapping: error, path: outputPath)
        }
    }
}
