/// Rounding of eight Float32 lanes to integers without a libm call per lane (Swift's `rounded` calls `rintf`
/// for each lane on x86-64 CPUs without SSE4.1, which the default target does not assume).
enum VectorRounding {
    /// Each lane rounded to the nearest integer, ties to even, exactly as `Float.rounded(.toNearestOrEven)`,
    /// for finite lanes: below 2^23 in magnitude, `(|x| + 2^23) − 2^23` leaves the rounded integer under IEEE 754's
    /// default rounding (every Float32 in [2^23, 2^24) is an integer); from 2^23 up, every Float32 already is one.
    /// The sign is put back afterwards, so −0.3 gives −0 as `rintf` does. Checked against `rounded` over every
    /// finite Float32, bit for bit.
    @inline(__always)
    static func nearestEven(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        let sign = bits & 0x8000_0000
        let magnitude = unsafeBitCast(bits & 0x7FFF_FFFF, to: SIMD8<Float>.self)
        let shifter = SIMD8<Float>(repeating: 8_388_608)  // 2^23
        let rounded = (magnitude + shifter) - shifter
        let kept = rounded.replacing(with: magnitude, where: magnitude .>= shifter)
        return unsafeBitCast(unsafeBitCast(kept, to: SIMD8<UInt32>.self) | sign, to: SIMD8<Float>.self)
    }
}
