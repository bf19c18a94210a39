import Codecs
import Formats
import Foundation
import TensorCore
import Transforms

/// Encodes a tensor through a chain of stages and decodes stored bytes back, by stage name.
///
/// Known stages (docs/FORMAT.md §5): `int8` (lossy, Float32 in), `zstd` and `lz4` (lossless, bytes in).
/// A chain is at most one quantization stage followed by at most one codec.
enum StageChain {
    /// The codec for a recorded codec stage, or `nil` when `name` is not a codec.
    static func codec(named name: String, parameters: [String: String]) throws -> (any ByteCodec)? {
        switch name {
        case "zstd": try ZstdCodec(parameters: parameters)
        case "lz4": LZ4Codec()
        default: nil
        }
    }

    /// Undoes `record.stages` on `stored`, last stage first.
    /// - Returns: a tensor of the record's dtype (Float32 when a lossy float stage was applied).
    /// - Throws: `WeightPackError.Code.unknownStage`, or the stage's own error when the bytes are corrupt.
    static func decode(_ stored: Data, record: WPKTensorRecord) throws -> Tensor {
        var bytes = stored
        let elementCount = try record.shape.elementCount()
        for (position, stage) in record.stages.enumerated().reversed() {
            let inputByteCount =
                position == 0
                ? try record.shape.byteCount(of: record.dtype) : record.stages[position - 1].outputByteCount
            if let codec = try codec(named: stage.name, parameters: stage.parameters) {
                let decoded = try bytes.withUnsafeBytes { raw throws -> [UInt8] in
                    try codec.decode(raw, decodedByteCount: inputByteCount)
                }
                bytes = Data(decoded)
            } else if stage.name == Int8Quantizer.stageName {
                guard position == 0, record.dtype.isFloatingPoint else {
                    throw WeightPackError(
                        .invalidStageParameters, "stage 'int8' must come first and apply to a float tensor")
                }
                try checkInt8Rows(stage.parameters, shape: record.shape)
                let values = try Int8Dequantizer.decode(
                    bytes, parameters: stage.parameters, elementCount: elementCount, tensorName: record.name)
                return try Tensor(name: record.name, shape: record.shape, float32Values: values)
            } else {
                throw WeightPackError(
                    .unknownStage, "stage '\(stage.name)' is not known to this version of WeightPack")
            }
        }
        return try Tensor(name: record.name, dtype: record.dtype, shape: record.shape, data: bytes)
    }

    /// The `int8` stage's granularity and row count must agree with the shape (docs/FORMAT.md §5.1), so that a
    /// damaged index cannot reinterpret a tensor's rows.
    private static func checkInt8Rows(_ parameters: [String: String], shape: Shape) throws(WeightPackError) {
        let rows = parameters["rows"].flatMap { Int($0) }
        switch parameters["granularity"] {
        case Int8Quantizer.Granularity.perChannel.rawValue:
            guard shape.count >= 2, rows == shape.dimensions[0] else {
                throw WeightPackError(
                    .invalidStageParameters,
                    "int8 per_channel records \(rows.map(String.init) ?? "no") rows; shape \(shape) needs \(shape.dimensions.first ?? 1)"
                )
            }
        case Int8Quantizer.Granularity.perTensor.rawValue:
            guard rows == 1 else {
                throw WeightPackError(
                    .invalidStageParameters, "int8 per_tensor records \(rows.map(String.init) ?? "no") rows; it needs 1"
                )
            }
        default:
            throw WeightPackError(
                .invalidStageParameters,
                "int8 granularity '\(parameters["granularity"] ?? "")' is not per_channel or per_tensor")
        }
    }
}
