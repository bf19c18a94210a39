import Foundation

extension Tensor {
    /// Every element as a Double, in row-major order, for any dtype: floats widen exactly, integers
    /// convert exactly up to 2^53 in magnitude (beyond that, to the nearest Double), bool gives 0 or 1.
    /// - Complexity: O(n) time and memory.
    public func float64Values() -> [Double] {
        let count = elementCount
        return data.withUnsafeBytes { raw -> [Double] in
            func load<T: FixedWidthInteger>(_: T.Type, _ index: Int) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
            }
            return (0..<count).map { index -> Double in
                switch dtype {
                case .bool, .uint8: Double(raw[index])
                case .int8: Double(Int8(bitPattern: raw[index]))
                case .int16: Double(load(Int16.self, index))
                case .uint16: Double(load(UInt16.self, index))
                case .int32: Double(load(Int32.self, index))
                case .uint32: Double(load(UInt32.self, index))
                case .int64: Double(load(Int64.self, index))
                case .uint64: Double(load(UInt64.self, index))
                case .float16: Double(FloatConversion.float32(float16Bits: load(UInt16.self, index)))
                case .bfloat16: Double(FloatConversion.float32(bfloat16Bits: load(UInt16.self, index)))
                case .float32: Double(Float(bitPattern: load(UInt32.self, index)))
                case .float64: Double(bitPattern: load(UInt64.self, index))
                }
            }
        }
    }
}
