import Foundation
import TensorCore

/// Quantizes Float32 values to GGML blocks, bit-identical to gguf-py's `gguf.quants.quantize` (0.19.0).
///
/// Blocks are 32 consecutive values; for a GGUF tensor they run along `ne[0]`, the last row-major dimension,
/// which must therefore be a multiple of 32. The arithmetic repeats gguf-py's numpy code (quants.py
/// `quantize_blocks`) operation by operation in Float32, without fused multiply-adds: the scale `d` is computed
/// in Float32, its reciprocal `id` is 0 when `d == 0`, codes come from `x × id` (Q8_0 rounds half away from zero
/// like `np_roundf`; the others add 8.5, 16.5 or 0.5 and truncate, then clip), and `d` (and `m = min`) are
/// rounded to binary16 (nearest, ties to even) only when stored. Q4_0 and Q5_0 take the element of largest
/// magnitude with its sign (the first, on ties), so a block whose extreme is positive gets a negative `d`, and
/// an all-zero block stores `d = −0` when its first element is +0. When `1 / d` overflows (max|x| below about
/// 127 × 2^-128), numpy casts ±inf and NaN codes, which gives 0 on x86-64; so do we. One difference remains,
/// in Q4_1 and Q5_1 only: when a block's minimum (or maximum) is zero and the block holds both +0 and −0, the
/// sign of the stored zero `m` (or of `d`) follows the last zero, while numpy's SIMD reduction may pick either;
/// the decoded values are identical. Layouts: ``GGMLBlockFormat``.
public enum GGMLBlockQuantizer {
    /// Quantizes `values` (a multiple of 32 elements) to `format`.
    /// - Parameters:
    ///   - values: Float32 elements, consecutive runs of 32 forming the blocks.
    ///   - format: the block format.
    ///   - tensorName: for error messages.
    /// - Returns: `values.count / 32 × format.bytesPerBlock` bytes.
    /// - Throws: `TransformError.Code.nonFiniteValues` with the count of NaN and infinite elements;
    ///   `TransformError.Code.blockSizeNotDivisor` when `values.count` is not a multiple of 32.
    /// - Complexity: O(n); large inputs are split across cores in chunks of 8,192 blocks, and the bytes are the
    ///   same however many cores run.
    public static func quantize(_ values: [Float], as format: GGMLBlockFormat, tensorName: String)
        throws(TransformError) -> Data
    {
        try values.withUnsafeBufferPointer { (source) throws(TransformError) -> Data in
            try quantize(source, as: format, tensorName: tensorName)
        }
    }

    /// Quantizes the Float32 elements at `values` (a multiple of 32 of them) to `format`, reading them in place
    /// (e.g. from a memory-mapped file); the same bytes and errors as the
    /// `[Float]` overload.
    public static func quantize(_ values: UnsafeBufferPointer<Float>, as format: GGMLBlockFormat, tensorName: String)
        throws(TransformError) -> Data
    {
        guard values.count % format.blockSize == 0 else {
            throw TransformError(
                .blockSizeNotDivisor,
                "\(values.count) elements do not fill whole \(format.ggmlTypeName) blocks of \(format.blockSize); pad or choose another format",
                tensorName: tensorName)
        }
        let blockCount = values.count / format.blockSize
        let chunkCount = (blockCount + GGMLBlockRanges.chunkSize - 1) / GGMLBlockRanges.chunkSize
        var nonFinite = 0
        let bytes = { (source: UnsafeBufferPointer<Float>) -> Data in
            guard let first = source.baseAddress, blockCount > 0 else { return Data() }
            return KernelOutputBuffer.data(byteCount: blockCount * format.bytesPerBlock) { buffer in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: chunkCount) { tallies in
                    // Each chunk reads its own values and writes its own blocks and tally.
                    nonisolated(unsafe) let input = first
                    nonisolated(unsafe) let output = buffer
                    nonisolated(unsafe) let counts = tallies
                    GGMLBlockRanges.forEachChunk(of: blockCount) { blocks in
                        let count = nonFiniteCount(input + 32 * blocks.lowerBound, blocks: blocks.count)
                        counts[blocks.lowerBound / GGMLBlockRanges.chunkSize] = count
                        if count == 0 { quantizeBlocks(format, input, output, blocks: blocks) }
                    }
                    nonFinite = counts.reduce(0, +)
                }
            }
        }(values)
        guard nonFinite == 0 else {
            throw TransformError(
                .nonFiniteValues,
                "\(nonFinite) of \(values.count) elements are NaN or infinite; \(format.ggmlTypeName) cannot represent them",
                tensorName: tensorName)
        }
        return bytes
    }

    /// Elements whose exponent bits are all ones (NaN or ±infinity) among `32 × blocks` values.
    private static func nonFiniteCount(_ values: UnsafePointer<Float>, blocks: Int) -> Int {
        let exponent = SIMD8<UInt32>(repeating: 0x7F80_0000)
        var counts = SIMD8<UInt32>()
        for part in 0..<(4 * blocks) {
            let bits = UnsafeRawPointer(values + 8 * part).loadUnaligned(as: SIMD8<UInt32>.self)
            counts &+= SIMD8(repeating: 0).replacing(with: 1, where: bits & exponent .== exponent)
        }
        return Int(counts.wrappedSum())
    }
}
