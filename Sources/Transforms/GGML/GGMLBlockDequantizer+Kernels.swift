/// The per-block arithmetic of gguf-py's `dequantize_blocks` (quants.py): `d × q` or `d × q + m` in Float32,
/// the product rounded before the sum. Plain loops over raw pointers (checked by ``GGMLBlockDequantizer``'s
/// entry points) without branches, which the compiler turns into packed instructions.
extension GGMLBlockDequantizer {
    static func dequantizeBlocks(
        _ format: GGMLBlockFormat, _ input: UnsafeRawPointer, _ output: UnsafeMutablePointer<Float>,
        blocks: Range<Int>
    ) {
        let stride = format.bytesPerBlock
        switch format {
        case .q8_0: for block in blocks { dequantizeQ8_0(input + block * stride, output + block * 32) }
        case .q4_0: for block in blocks { dequantizeQ4_0(input + block * stride, output + block * 32) }
        case .q4_1: for block in blocks { dequantizeQ4_1(input + block * stride, output + block * 32) }
        case .q5_0: for block in blocks { dequantizeQ5_0(input + block * stride, output + block * 32) }
        case .q5_1: for block in blocks { dequantizeQ5_1(input + block * stride, output + block * 32) }
        }
    }

    /// The binary16 at `offset`, widened exactly.
    @inline(__always)
    static func loadFloat16(_ block: UnsafeRawPointer, at offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: block.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }

    @inline(__always)
    static func dequantizeQ8_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let d = loadFloat16(block, at: 0)
        let codes = (block + 2).assumingMemoryBound(to: Int8.self)
        for index in 0..<32 { out[index] = Float(codes[index]) * d }
    }

    /// Writes `d × (q − center)`, or `d × q + m` when `m` is given, for the 32 codes of a block: low nibbles of
    /// `nibbles` are codes 0..<16, high nibbles 16..<32; bit `j` of `high` adds 16 to code `j`.
    @inline(__always)
    static func expand(
        _ nibbles: UnsafeRawPointer, high: UInt32, center: Int32, d: Float, m: Float?,
        _ out: UnsafeMutablePointer<Float>
    ) {
        let bytes = nibbles.assumingMemoryBound(to: UInt8.self)
        for index in 0..<16 {
            let lowCode = Int32(bytes[index] & 0x0F) | Int32(bitPattern: (high >> UInt32(index)) & 1) << 4
            let upperCode = Int32(bytes[index] >> 4) | Int32(bitPattern: (high >> UInt32(index + 16)) & 1) << 4
            let low = d * Float(lowCode - center)
            let upper = d * Float(upperCode - center)
            out[index] = m.map { low + $0 } ?? low
            out[index + 16] = m.map { upper + $0 } ?? upper
        }
    }

    @inline(__always)
    static func dequantizeQ4_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        expand(block + 2, high: 0, center: 8, d: loadFloat16(block, at: 0), m: nil, out)
    }

    @inline(__always)
    static func dequantizeQ4_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        expand(block + 4, high: 0, center: 0, d: loadFloat16(block, at: 0), m: loadFloat16(block, at: 2), out)
    }

    @inline(__always)
    static func dequantizeQ5_0(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let high = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        expand(block + 6, high: high, center: 16, d: loadFloat16(block, at: 0), m: nil, out)
    }

    @inline(__always)
    static func dequantizeQ5_1(_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) {
        let high = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let m = loadFloat16(block, at: 2)
        expand(block + 8, high: high, center: 0, d: loadFloat16(block, at: 0), m: m, out)
    }
}
