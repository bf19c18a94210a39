import TensorCore

/// The checks every value transform makes on its input before encoding.
enum ValueCheck {
    /// Checks that `values` holds `count` elements (the shape's) and that all are finite.
    /// - Parameters:
    ///   - stage: the stage's recipe text, for messages.
    /// - Throws: `TransformError.Code.invalidParameter` when the count differs from the shape's;
    ///   `.nonFiniteValues` naming the tensor and how many elements are NaN or infinite.
    static func require(
        _ values: [Float], count: Int, shape: Shape, stage: String, tensorName: String
    ) throws(TransformError) {
        try values.withUnsafeBufferPointer { (buffer) throws(TransformError) in
            try require(buffer, count: count, shape: shape, stage: stage, tensorName: tensorName)
        }
    }

    /// The same check for values read in place.
    static func require(
        _ values: UnsafeBufferPointer<Float>, count: Int, shape: Shape, stage: String, tensorName: String
    ) throws(TransformError) {
        guard values.count == count else {
            throw TransformError(
                .invalidParameter,
                "stage '\(stage)' was given \(values.count) values for shape \(shape) of \(count) elements",
                tensorName: tensorName)
        }
        let nonFinite = nonFiniteCount(values)
        guard nonFinite == 0 else {
            throw TransformError(
                .nonFiniteValues,
                "\(nonFinite) of \(values.count) elements are NaN or infinite as Float32; stage '\(stage)' cannot represent them",
                tensorName: tensorName)
        }
    }

    /// Elements whose exponent bits are all ones (NaN or ±infinity), eight lanes at a time.
    static func nonFiniteCount(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let lanes = values.count / 8 * 8
        let exponent = SIMD8<UInt32>(repeating: 0x7F80_0000)
        var count = 0
        // Lane counters are summed every 2^24 elements, long before a UInt32 lane could wrap.
        for start in stride(from: 0, to: lanes, by: 1 << 24) {
            var counts = SIMD8<UInt32>()
            for offset in stride(from: start, to: min(start + (1 << 24), lanes), by: 8) {
                let bits = raw.loadUnaligned(fromByteOffset: 4 * offset, as: SIMD8<UInt32>.self)
                counts &+= SIMD8(repeating: 0).replacing(with: 1, where: bits & exponent .== exponent)
            }
            count += Int(counts.wrappedSum())
        }
        for index in lanes..<values.count where !values[index].isFinite { count += 1 }
        return count
    }
}
