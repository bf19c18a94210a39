import Foundation
import TensorCore

/// Decodes GGML blocks to Float32, bit-identical to gguf-py's `gguf.quants.dequantize` (0.19.0).
///
/// Each element is `d × q` (Q8_0; Q4_0 and Q5_0 with `q − 8`, `q − 16`) or `d × q + m` (Q4_1, Q5_1), with `d`
/// and `m` widened exactly from binary16 and the product and sum each rounded to Float32 (no fused
/// multiply-add), as numpy evaluates them. Layouts: ``GGMLBlockFormat``.
public enum GGMLBlockDequantizer {
    /// Decodes `elementCount` elements stored in `format`.
    /// - Parameters:
    ///   - bytes: `elementCount / 32 × format.bytesPerBlock` bytes of blocks.
    ///   - format: the block format.
    ///   - elementCount: elements to produce; a multiple of 32.
    ///   - tensorName: for error messages.
    /// - Returns: `elementCount` Float32 values in storage order.
    /// - Throws: `TransformError.Code.blockSizeNotDivisor` when `elementCount` is negative or not a multiple of
    ///   32; `TransformError.Code.corruptPayload` when `bytes.count` is not the size the blocks need.
    /// - Complexity: O(n); large inputs are split across cores, with the same result however many run.
    public static func dequantize(_ bytes: Data, as format: GGMLBlockFormat, elementCount: Int, tensorName: String)
        throws(TransformError) -> [Float]
    {
        guard elementCount >= 0, elementCount % format.blockSize == 0 else {
            throw TransformError(
                .blockSizeNotDivisor,
                "\(elementCount) elements do not fill whole \(format.ggmlTypeName) blocks of \(format.blockSize)",
                tensorName: tensorName)
        }
        let blockCount = elementCount / format.blockSize
        let (needed, overflow) = blockCount.multipliedReportingOverflow(by: format.bytesPerBlock)
        guard !overflow, bytes.count == needed else {
            throw TransformError(
                .corruptPayload,
                "\(bytes.count) bytes given; \(blockCount) \(format.ggmlTypeName) blocks of \(format.bytesPerBlock) bytes need \(overflow ? "more than 2^63" : String(needed))",
                tensorName: tensorName)
        }
        return bytes.withUnsafeBytes { raw in
            guard let first = raw.baseAddress else { return [] }
            return KernelOutputBuffer.floats(count: elementCount) { buffer in
                // Each chunk writes only its own blocks' values.
                nonisolated(unsafe) let input = first
                nonisolated(unsafe) let output = buffer
                GGMLBlockRanges.forEachChunk(of: blockCount) { blocks in
                    dequantizeBlocks(format, input, output, blocks: blocks)
                }
            }
        }
    }

    /// Decodes a tensor stored as the GGML type named `ggmlTypeName` (`"F32"`, `"F16"`, `"BF16"`, `"Q8_0"`,
    /// `"Q4_0"`, `"Q4_1"`, `"Q5_0"`, `"Q5_1"`): the plain types are widened exactly, the block types as
    /// ``dequantize(_:as:elementCount:tensorName:)``.
    /// - Throws: `TransformError.Code.unsupportedFormat` naming the type for any other type (`Q4_K`, `IQ2_XS`, …);
    ///   `TransformError.Code.corruptPayload` when `bytes.count` does not fit `elementCount`;
    ///   `blockSizeNotDivisor` as above.
    public static func dequantize(_ bytes: Data, ggmlTypeName: String, elementCount: Int, tensorName: String)
        throws(TransformError) -> [Float]
    {
        if let format = GGMLBlockFormat(ggmlTypeName: ggmlTypeName) {
            return try dequantize(bytes, as: format, elementCount: elementCount, tensorName: tensorName)
        }
        let width: Int
        switch ggmlTypeName.uppercased() {
        case "F32": width = 4
        case "F16", "BF16": width = 2
        default:
            throw TransformError(
                .unsupportedFormat,
                "GGML type \(ggmlTypeName) cannot be dequantized; supported: F32, F16, BF16, "
                    + GGMLBlockFormat.allCases.map(\.ggmlTypeName).joined(separator: ", "),
                tensorName: tensorName)
        }
        let (needed, overflow) = elementCount.multipliedReportingOverflow(by: width)
        guard elementCount >= 0, !overflow, bytes.count == needed else {
            throw TransformError(
                .corruptPayload,
                "\(bytes.count) bytes given; \(elementCount) \(ggmlTypeName) elements need \(elementCount) × \(width)",
                tensorName: tensorName)
        }
        return bytes.withUnsafeBytes { raw in
            switch width {
            case 4:
                [Float](unsafeUninitializedCapacity: elementCount) { out, initialized in
                    for index in 0..<elementCount {
                        out[index] = Float(
                            bitPattern: UInt32(
                                littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                    }
                    initialized = elementCount
                }
            default:
                ggmlTypeName.uppercased() == "F16"
                    ? FloatConversion.float32(fromFloat16LE: raw) : FloatConversion.float32(fromBFloat16LE: raw)
            }
        }
    }
}
