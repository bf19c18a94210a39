import Foundation

/// Conversions between Float32 and the 16-bit float formats, element by element.
///
/// All narrowing conversions round to nearest, ties to even; NaN stays NaN (quiet), ±infinity stays
/// ±infinity, and subnormals are kept, not flushed. Byte buffers are little-endian.
public enum FloatConversion {
    /// Rounds a Float32 to IEEE 754 binary16 bits (round to nearest even; overflow gives ±infinity).
    @inlinable
    public static func float16Bits(_ value: Float) -> UInt16 {
        Float16(value).bitPattern
    }

    /// Widens IEEE 754 binary16 bits to Float32 (exact).
    @inlinable
    public static func float32(float16Bits bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    /// Rounds a Float32 to bfloat16 bits: the top 16 bits after round to nearest even.
    ///
    /// NaN maps to a quiet NaN with the same sign and the top of its payload; values that round past
    /// the largest finite bfloat16 become ±infinity. Source: the bfloat16 definition in Google's
    /// TPU documentation; matches PyTorch's and ml_dtypes' rounding.
    @inlinable
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// Widens bfloat16 bits to Float32 (exact).
    @inlinable
    public static func float32(bfloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Widens a little-endian binary16 buffer (`raw.count / 2` elements) to Float32.
    public static func float32(fromFloat16LE raw: UnsafeRawBufferPointer) -> [Float] {
        widen(raw) { float32(float16Bits: $0) }
    }

    /// Widens a little-endian bfloat16 buffer (`raw.count / 2` elements) to Float32.
    public static func float32(fromBFloat16LE raw: UnsafeRawBufferPointer) -> [Float] {
        widen(raw) { float32(bfloat16Bits: $0) }
    }

    /// Narrows Float32 values to a little-endian binary16 buffer of `2 × values.count` bytes.
    public static func float16LE(fromFloat32 values: [Float]) -> Data {
        narrow(values) { float16Bits($0) }
    }

    /// Narrows Float32 values to a little-endian bfloat16 buffer of `2 × values.count` bytes.
    public static func bfloat16LE(fromFloat32 values: [Float]) -> Data {
        narrow(values) { bfloat16Bits($0) }
    }

    private static func widen(_ raw: UnsafeRawBufferPointer, _ convert: (UInt16) -> Float) -> [Float] {
        let count = raw.count / 2
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                buffer[index] = convert(
                    UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
            }
            initialized = count
        }
    }

    private static func narrow(_ values: [Float], _ convert: (Float) -> UInt16) -> Data {
        var out = Data(count: values.count * 2)
        out.withUnsafeMutableBytes { raw in
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: convert(value).littleEndian, toByteOffset: 2 * index, as: UInt16.self)
            }
        }
        return out
    }
}
