/// The per-block arithmetic of gguf-py's `quantize_blocks` (quants.py), in Float32, one block of 32 values.
///
/// The loops are written so that the compiler turns them into packed SSE/NEON code: no data-dependent
/// branches and no float-to-integer conversion instructions. Reductions run "vertically" over the four rows of
/// eight values first, then across eight lanes. `maximum(a, b)` is `a > b ? a : b` and `minimum(a, b)` is
/// `a < b ? a : b`, exactly the x86 `maxps`/`minps` rules (the values are never NaN here).
///
/// Exactness: `floor(w)` for `0 ≤ w < 2^22` is the nearest integer `(w + 1.5·2^23) − 1.5·2^23` (ties to even),
/// less one when above `w`; the integer is then the low bits of the pattern of `floor(w) + 1.5·2^23`. numpy's
/// `np_roundf(v)` (half away from zero) equals `sign(v) × floor(|v| + 0x1.FFFFFEp-2)` for every Float32 (both
/// identities were checked exhaustively over all Float32 below 2^24, as was the inline binary16 rounding). Every
/// value reaching these steps is small: `|x × id| ≤ max|x| × id`, the code range times at most 1 + 2^-20.
/// A block whose `1 / d` overflows (where numpy converts ±inf or NaN, giving 0 on x86-64) is handled whole.
extension GGMLBlockQuantizer {
    static func quantizeBlocks(
        _ format: GGMLBlockFormat, _ input: UnsafePointer<Float>, _ output: UnsafeMutableRawPointer,
        blocks: Range<Int>
    ) {
        // Two passes over batches of blocks: the scales first (each a chain of reductions and a division, which
        // the processor overlaps across independent blocks), then the codes.
        let batch = 64
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * batch) { scratch in
            let reciprocals = scratch.baseAddress!
            let bases = reciprocals + batch
            var start = blocks.lowerBound
            while start < blocks.upperBound {
                let end = Swift.min(start + batch, blocks.upperBound)
                for block in start..<end {
                    let (id, base) = scale(format, input + block * 32, output + block * format.bytesPerBlock)
                    reciprocals[block - start] = id
                    bases[block - start] = base
                }
                for block in start..<end {
                    codes(
                        format, input + block * 32, output + block * format.bytesPerBlock,
                        id: reciprocals[block - start], base: bases[block - start])
                }
                start = end
            }
        }
    }

    /// Stores a block's `d` (and `m`); returns `id = d == 0 ? 0 : 1 / d` and the value codes are measured
    /// from (`min` for the `_1` formats, else 0).
    @inline(__always)
    static func scale(_ format: GGMLBlockFormat, _ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer)
        -> (id: Float, base: Float)
    {
        let d: Float
        var base: Float = 0
        switch format {
        case .q8_0: d = withLanes { maximumMagnitude(x, $0) } / 127
        case .q4_0: d = signedExtreme(x) / -8
        case .q5_0: d = signedExtreme(x) / -16
        case .q4_1, .q5_1:
            let (low, high) = range(x)
            d = (high - low) / (format == .q4_1 ? 15 : 31)
            base = low
            storeFloat16(low, out, at: 2)
        }
        storeFloat16(d, out, at: 0)
        return (d == 0 ? 0 : 1 / d, base)
    }

    /// Stores a block's codes given its `id` and `base`.
    @inline(__always)
    static func codes(
        _ format: GGMLBlockFormat, _ x: UnsafePointer<Float>, _ out: UnsafeMutableRawPointer, id: Float, base: Float
    ) {
        switch format {
        case .q8_0: storeQ8_0Codes(x, id: id, out + 2)
        case .q4_0: storeSymmetricCodes(x, id: id, offset: 8.5, limit: 15, high: nil, out + 2)
        case .q5_0: storeSymmetricCodes(x, id: id, offset: 16.5, limit: 31, high: out + 2, out + 6)
        case .q4_1: storeAffineCodes(x, id: id, min: base, limit: 15, high: nil, out + 4)
        case .q5_1: storeAffineCodes(x, id: id, min: base, limit: 31, high: out + 4, out + 8)
        }
    }

    @inline(__always)
    static func maximum(_ a: Float, _ b: Float) -> Float { a > b ? a : b }

    @inline(__always)
    static func minimum(_ a: Float, _ b: Float) -> Float { a < b ? a : b }

    /// The low byte of `floor(w)` for `0 ≤ w < 2^22`.
    @inline(__always)
    static func floorByte(_ w: Float) -> UInt8 {
        let nearest = (w + 12_582_912) - 12_582_912
        let floor = nearest > w ? nearest - 1 : nearest
        return UInt8(truncatingIfNeeded: (floor + 12_582_912).bitPattern)
    }

    /// `value` rounded to binary16 (nearest, ties to even), little-endian at `pointer + offset`. Normal results
    /// are rounded inline; subnormal, overflowing and zero ones go through `Float16.init`, which rounds the same.
    @inline(__always)
    static func storeFloat16(_ value: Float, _ pointer: UnsafeMutableRawPointer, at offset: Int) {
        let bits = value.bitPattern
        let magnitude = bits & 0x7FFF_FFFF
        let half: UInt16
        if magnitude >= 0x3880_0000 && magnitude < 0x477F_F000 {  // 2^-14 ≤ |value| < 65520
            let rounded = magnitude &+ 0x0FFF &+ ((magnitude >> 13) & 1)
            half = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000 | (rounded &- 0x3800_0000) >> 13)
        } else {
            half = Float16(value).bitPattern
        }
        pointer.storeBytes(of: half.littleEndian, toByteOffset: offset, as: UInt16.self)
    }

    /// Eight-lane scratch space for the vertical reductions.
    @inline(__always)
    static func withLanes<Result>(_ body: (UnsafeMutablePointer<Float>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8) { body($0.baseAddress!) }
    }

    /// The largest magnitude in the block (+0 when all are zeros).
    @inline(__always)
    static func maximumMagnitude(_ x: UnsafePointer<Float>, _ lanes: UnsafeMutablePointer<Float>) -> Float {
        for lane in 0..<8 {
            lanes[lane] = maximum(
                maximum(abs(x[lane]), abs(x[lane + 8])), maximum(abs(x[lane + 16]), abs(x[lane + 24])))
        }
        var amax = lanes[0]
        for lane in 1..<8 { amax = maximum(amax, lanes[lane]) }
        return amax
    }

    /// gguf-py `Q8_0` codes: `np_roundf(x × id)` as int8.
    @inline(__always)
    static func storeQ8_0Codes(_ x: UnsafePointer<Float>, id: Float, _ out: UnsafeMutableRawPointer) {
        let codes = out.assumingMemoryBound(to: UInt8.self)
        guard id.isFinite else {
            codes.initialize(repeating: 0, count: 32)  // x × inf is ±inf or NaN; numpy casts those to 0
            return
        }
        for index in 0..<32 {
            let scaled = x[index] * id
            let rounded = floorByte(abs(scaled) + 0x1.FFFF_FEp-2)
            codes[index] = scaled < 0 ? 0 &- rounded : rounded
        }
    }

    /// The element of largest magnitude with its sign, the first on ties (numpy `argmax` of `abs`). The lanes
    /// at the maximum become bits of a mask whose lowest set bit is the first index.
    @inline(__always)
    static func signedExtreme(_ x: UnsafePointer<Float>) -> Float {
        let amax = SIMD8<Float>(repeating: withLanes { maximumMagnitude(x, $0) })
        let weights = SIMD8<UInt32>(1, 2, 4, 8, 16, 32, 64, 128)
        var mask: UInt32 = 0
        for part in 0..<4 {
            let values = UnsafeRawPointer(x).loadUnaligned(fromByteOffset: 32 * part, as: SIMD8<Float>.self)
            let magnitudes = unsafeBitCast(
                unsafeBitCast(values, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
            mask |=
                SIMD8<UInt32>().replacing(with: weights, where: magnitudes .== amax).wrappedSum() << UInt32(8 * part)
        }
        return x[mask.trailingZeroBitCount & 31]
    }

    /// The smallest and largest element (numpy `min`/`max` of a NaN-free block). Equal values have equal bits
    /// except ±0: a zero extreme takes the sign of the last zero in the block, as x86 `minps`/`maxps` (which
    /// return their second operand on ties) give it. numpy's SIMD reduction order can still pick the other
    /// zero; the decoded values are the same either way.
    @inline(__always)
    static func range(_ x: UnsafePointer<Float>) -> (min: Float, max: Float) {
        var (low, high) = withLanes { lanes in
            for lane in 0..<8 {
                lanes[lane] = minimum(minimum(x[lane], x[lane + 8]), minimum(x[lane + 16], x[lane + 24]))
            }
            var low = lanes[0]
            for lane in 1..<8 { low = minimum(low, lanes[lane]) }
            for lane in 0..<8 {
                lanes[lane] = maximum(maximum(x[lane], x[lane + 8]), maximum(x[lane + 16], x[lane + 24]))
            }
            var high = lanes[0]
            for lane in 1..<8 { high = maximum(high, lanes[lane]) }
            return (low, high)
        }
        if low == 0 || high == 0 {
            var index = 31
            while index > 0 && x[index] != 0 { index -= 1 }
            if low == 0 { low = x[index] }
            if high == 0 { high = x[index] }
        }
        return (low, high)
    }

    /// Stores codes `trunc((x − base) × scale + offset)` capped at `limit` (numpy's
    /// `np.trunc(…).astype(np.uint8).clip(0, limit)`): code `j` in the low and `j + 16` in the high nibble of
    /// byte `j` of `out`; when `high` is given, bit 4 of code `j` as bit `j` of the `uint32` there. The callers
    /// guarantee the truncated value is never negative (numpy would wrap it).
    @inline(__always)
    static func storeNibbles(
        _ x: UnsafePointer<Float>, scale: Float, offset: Float, subtracting base: Float, limit: Float,
        high: UnsafeMutableRawPointer?, _ out: UnsafeMutableRawPointer
    ) {
        let bytes = out.assumingMemoryBound(to: UInt8.self)
        for index in 0..<16 {
            let low = floorByte(minimum(maximum((x[index] - base) * scale + offset, 0), limit))
            let upper = floorByte(minimum(maximum((x[index + 16] - base) * scale + offset, 0), limit))
            bytes[index] = (low & 0x0F) | (upper << 4)
        }
        guard let high else { return }
        // Code j has bit 4 set exactly when (x − base) × scale + offset ≥ 16 (limit 31 ≥ 16).
        let weights = SIMD8<UInt32>(1, 2, 4, 8, 16, 32, 64, 128)
        var bits: UInt32 = 0
        for part in 0..<4 {
            let values = UnsafeRawPointer(x).loadUnaligned(fromByteOffset: 32 * part, as: SIMD8<Float>.self)
            let w = (values - base) * scale + offset
            bits |= SIMD8<UInt32>().replacing(with: weights, where: w .>= 16).wrappedSum() << UInt32(8 * part)
        }
        high.storeBytes(of: bits.littleEndian, as: UInt32.self)
    }

    /// gguf-py `Q4_0`/`Q5_0` codes: `trunc(x × id + offset)` clipped to `limit`.
    @inline(__always)
    static func storeSymmetricCodes(
        _ x: UnsafePointer<Float>, id: Float, offset: Float, limit: Float, high: UnsafeMutableRawPointer?,
        _ out: UnsafeMutableRawPointer
    ) {
        guard id.isFinite else {  // x × inf + offset is ±inf or NaN, which numpy casts to 0
            out.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
            high?.storeBytes(of: 0, as: UInt32.self)
            return
        }
        storeNibbles(x, scale: id, offset: offset, subtracting: 0, limit: limit, high: high, out)
    }

    /// gguf-py `Q4_1`/`Q5_1` codes: `trunc((x − min) × id + 0.5)` clipped to `limit`.
    @inline(__always)
    static func storeAffineCodes(
        _ x: UnsafePointer<Float>, id: Float, min: Float, limit: Float, high: UnsafeMutableRawPointer?,
        _ out: UnsafeMutableRawPointer
    ) {
        guard id.isFinite, id != 0 else {
            // id = 0 (all equal, or max − min overflowed): codes trunc(0.5) = 0, or NaN cast to 0;
            // id = inf: (x − min) × inf is inf or NaN, cast to 0.
            out.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
            high?.storeBytes(of: 0, as: UInt32.self)
            return
        }
        storeNibbles(x, scale: id, offset: 0.5, subtracting: min, limit: limit, high: high, out)
    }
}
