import Foundation

extension Tensor {
    /// The elements widened or narrowed to Float32, in row-major order.
    ///
    /// `float16` and `bfloat16` widen exactly; `float64` rounds to nearest even (values beyond Float32's
    /// range become ±infinity); `float32` is copied bit for bit.
    /// - Throws: `CoreError.Code.unsupportedDType` for integer and bool tensors.
    /// - Complexity: O(n) time and memory.
    public func float32Values() throws(CoreError) -> [Float] {
        guard dtype.isFloatingPoint else {
            throw CoreError(
                .unsupportedDType, "\(dtype.name) is not a floating-point dtype; cannot read it as f32",
                tensorName: name)
        }
        let count = elementCount
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Float] in
            switch dtype {
            case .float16:
                return FloatConversion.float32(fromFloat16LE: raw)
            case .bfloat16:
                return FloatConversion.float32(fromBFloat16LE: raw)
            case .float64:
                return (0..<count).map { index in
                    Float(
                        Double(
                            bitPattern: UInt64(
                                littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))))
                }
            default:
                return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
                    initialized = count
                }
            }
        }
    }

    /// Creates a tensor of `dtype` from Float32 values, rounding to nearest even when narrowing.
    ///
    /// - Parameters:
    ///   - values: row-major elements; `values.count` must equal the shape's element count.
    ///   - dtype: `float32`, `float16`, `bfloat16` or `float64`.
    /// - Throws: `CoreError.Code.unsupportedDType` for a non-float `dtype`;
    ///   `CoreError.Code.byteCountMismatch` when the count does not match the shape.
    public init(name: String, shape: Shape, float32Values values: [Float], dtype: DType = .float32) throws(CoreError) {
        let bytes: Data
        switch dtype {
        case .float32:
            bytes = values.withUnsafeBytes { Data($0) }
        case .float16:
            bytes = FloatConversion.float16LE(fromFloat32: values)
        case .bfloat16:
            bytes = FloatConversion.bfloat16LE(fromFloat32: values)
        case .float64:
            var out = Data(count: values.count * 8)
            out.withUnsafeMutableBytes { raw in
                for (index, value) in values.enumerated() {
                    raw.storeBytes(of: Double(value).bitPattern.littleEndian, toByteOffset: index * 8, as: UInt64.self)
                }
            }
            bytes = out
        default:
            throw CoreError(.unsupportedDType, "cannot store f32 values as \(dtype.name)", tensorName: name)
        }
        try self.init(name: name, dtype: dtype, shape: shape, data: bytes)
    }
}

extension Tensor {
    /// Calls `body` with the elements as Float32, row-major, without copying when they already are: a `float32`
    /// tensor whose bytes sit at a 4-byte-aligned address (a memory-mapped safetensors or GGUF tensor, as those
    /// formats align their data) is passed in place; any other float tensor is converted first, as by
    /// ``float32Values()``.
    /// - Parameter body: reads the `elementCount` values; the buffer is valid only during the call.
    /// - Throws: `CoreError.Code.unsupportedDType` for integer and bool tensors; whatever `body` throws.
    public func withFloat32Values<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) throws -> Result {
        #if _endian(little)
            if dtype == .float32 {
                let count = elementCount
                let inPlace: Result?? = try data.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0
                    else { return Result??.none }
                    return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: count))
                }
                if case .some(let result) = inPlace { return result! }
            }
        #endif
        return try float32Values().withUnsafeBufferPointer { try body($0) }
    }
}
