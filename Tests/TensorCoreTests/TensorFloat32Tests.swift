import Foundation
import Testing

@testable import TensorCore

struct TensorFloat32Tests {
    private static let samples: [Float] = [0, -0.0, 1, -2.5, 0.333_333_34, 65504, 1e-7, -.infinity, .infinity, 3.0e38]

    private func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> Data {
        var writer = ByteWriter()
        for value in values { writer.writeIntegerLE(value) }
        return Data(writer.bytes)
    }

    @Test func float32ValuesOfFloat16WidenEachElement() throws {
        // 1.0, -2.0, 65504 (largest finite), 2^-24 (smallest subnormal), -inf
        let bits: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0xFC00]
        let tensor = try Tensor(name: "h", dtype: .float16, shape: [5], data: littleEndianBytes(bits))
        #expect(try tensor.float32Values() == [1, -2, 65504, 0x1p-24, -.infinity])
    }

    @Test func float32ValuesOfBFloat16WidenEachElement() throws {
        // 1.0, -2.0, 3.140625, largest finite bf16, smallest subnormal bf16
        let bits: [UInt16] = [0x3F80, 0xC000, 0x4049, 0x7F7F, 0x0001]
        let tensor = try Tensor(name: "b", dtype: .bfloat16, shape: [5], data: littleEndianBytes(bits))
        let expected: [Float] = [1, -2, 3.140625, Float(bitPattern: 0x7F7F_0000), Float(bitPattern: 0x0001_0000)]
        #expect(try tensor.float32Values() == expected)
    }

    @Test func float32ValuesOfFloat64RoundToNearestEven() throws {
        let doubles: [Double] = [
            1.5, -0.0, 1 + 0x1p-24,  // halfway between 1 and 1 + 2^-23 → 1 (even)
            1 + 3 * 0x1p-24,  // halfway between 1 + 2^-23 (odd) and 1 + 2^-22 → up
            1e39, -1e39, 0.1,
        ]
        let tensor = try Tensor(
            name: "d", dtype: .float64, shape: [7], data: littleEndianBytes(doubles.map(\.bitPattern)))
        let values = try tensor.float32Values()
        #expect(
            values.map(\.bitPattern)
                == [1.5, -0.0, 1, 1 + 0x1p-22, .infinity, -.infinity, Float(0.1)].map(\.bitPattern))
    }

    @Test func float32ValuesOfFloat32CopyBitForBit() throws {
        let bits: [UInt32] = [0x7FC0_1234, 0x8000_0000, 0x0000_0001, 0x3F80_0000, 0xFF80_0000]
        let tensor = try Tensor(name: "f", dtype: .float32, shape: [5], data: littleEndianBytes(bits))
        #expect(try tensor.float32Values().map(\.bitPattern) == bits)
    }

    @Test(arguments: [DType.float16, .bfloat16, .float32, .float64])
    func emptyAndScalarTensorsConvert(dtype: DType) throws {
        let empty = try Tensor(name: "e", shape: [0], float32Values: [], dtype: dtype)
        #expect(try empty.float32Values().isEmpty)
        let scalar = try Tensor(name: "s", shape: [], float32Values: [2.5], dtype: dtype)
        #expect(scalar.data.count == dtype.byteWidth)
        #expect(try scalar.float32Values() == [2.5])
    }

    @Test(arguments: DType.allCases.filter { !$0.isFloatingPoint })
    func float32ValuesRejectsNonFloatDTypes(dtype: DType) throws {
        let tensor = try Tensor(name: "ids", dtype: dtype, shape: [2], data: Data(count: 2 * dtype.byteWidth))
        let error = #expect(throws: CoreError.self) { try tensor.float32Values() }
        #expect(error?.code == .unsupportedDType)
        #expect(error?.tensorName == "ids")
        #expect(error?.message.contains(dtype.name) == true)
    }

    @Test(arguments: [DType.float16, .bfloat16, .float32, .float64])
    func initFromFloat32ValuesStoresTheNarrowedBits(dtype: DType) throws {
        let tensor = try Tensor(name: "w", shape: [2, 5], float32Values: Self.samples, dtype: dtype)
        #expect(tensor.dtype == dtype)
        #expect(tensor.data.count == 10 * dtype.byteWidth)
        let expected: [Float] =
            switch dtype {
            case .float16: Self.samples.map { FloatConversion.float32(float16Bits: FloatConversion.float16Bits($0)) }
            case .bfloat16: Self.samples.map { FloatConversion.float32(bfloat16Bits: FloatConversion.bfloat16Bits($0)) }
            default: Self.samples
            }
        #expect(try tensor.float32Values().map(\.bitPattern) == expected.map(\.bitPattern))
        if dtype == .float16 {
            #expect(Array(tensor.data.prefix(4)) == [0x00, 0x00, 0x00, 0x80])  // +0, -0 little-endian
        }
    }

    @Test(arguments: DType.allCases.filter { !$0.isFloatingPoint })
    func initFromFloat32ValuesRejectsNonFloatDTypes(dtype: DType) {
        let error = #expect(throws: CoreError.self) {
            try Tensor(name: "q", shape: [1], float32Values: [1], dtype: dtype)
        }
        #expect(error?.code == .unsupportedDType)
        #expect(error?.tensorName == "q")
    }

    @Test func initFromFloat32ValuesRejectsACountThatDiffersFromTheShape() {
        let error = #expect(throws: CoreError.self) {
            try Tensor(name: "w", shape: [2, 2], float32Values: [1, 2, 3], dtype: .float16)
        }
        #expect(error?.code == .byteCountMismatch)
        #expect(error?.message.contains("6 bytes") == true)
        #expect(error?.message.contains("needs 8") == true)
    }
}
