import Foundation

extension Tensor {
    /// Every element as a Double, in row-major order, for any dtype: floats widen exactly, integers
    /// convert exactly up to 2^53 in magnitude (beyond that, to the nearest Double), bool gives 0 or 1.
    /// - Complexity: O(n) time and memory.
    public func float64Values() -> [Double] {
        [Double](unsafeUninitializedCapacity: elementCount) { buffer, initialized in
            copyFloat64Values(0..<elementCount, into: buffer)
            initialized = elementCount
        }
    }

    /// Writes the elements in `range` (element indices) as Doubles into `output`, which must hold
    /// `range.count` values; conversions as ``float64Values()``. Lets callers stream a large tensor in chunks.
    /// - Precondition: `range` lies within `0..<elementCount` and `output.count >= range.count`.
    public func copyFloat64Values(_ range: Range<Int>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= elementCount && output.count >= range.count)
        data.withUnsafeBytes { raw in
            func convert<T>(_: T.Type, _ transform: (T) -> Double) {
                let width = MemoryLayout<T>.size
                for index in 0..<range.count {
                    output[index] = transform(
                        raw.loadUnaligned(fromByteOffset: (range.lowerBound + index) * width, as: T.self))
                }
            }
            switch dtype {
            case .bool, .uint8: convert(UInt8.self) { Double($0) }
            case .int8: convert(Int8.self) { Double($0) }
            case .int16: convert(Int16.self) { Double(Int16(littleEndian: $0)) }
            case .uint16: convert(UInt16.self) { Double(UInt16(littleEndian: $0)) }
            case .int32: convert(Int32.self) { Double(Int32(littleEndian: $0)) }
            case .uint32: convert(UInt32.self) { Double(UInt32(littleEndian: $0)) }
            case .int64: convert(Int64.self) { Double(Int64(littleEndian: $0)) }
            case .uint64: convert(UInt64.self) { Double(UInt64(littleEndian: $0)) }
            case .float16:
                convert(UInt16.self) { Double(FloatConversion.float32(float16Bits: UInt16(littleEndian: $0))) }
            case .bfloat16:
                convert(UInt16.self) { Double(FloatConversion.float32(bfloat16Bits: UInt16(littleEndian: $0))) }
            case .float32: convert(UInt32.self) { Double(Float(bitPattern: UInt32(littleEndian: $0))) }
            case .float64: convert(UInt64.self) { Double(bitPattern: UInt64(littleEndian: $0)) }
            }
        }
    }
}
