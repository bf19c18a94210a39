import Foundation
import Testing

@testable import TensorCore

struct TensorTests {
    @Test(arguments: DType.allCases)
    func initAcceptsExactByteCount(dtype: DType) throws {
        for dimensions in [[], [0], [1], [2, 3]] as [[Int]] {
            let shape = Shape(dimensions)
            let byteCount = try shape.byteCount(of: dtype)
            let tensor = try Tensor(name: "t", dtype: dtype, shape: shape, data: Data(count: byteCount))
            #expect(tensor.data.count == byteCount)
            #expect(tensor.elementCount == (try shape.elementCount()))
        }
    }

    @Test(arguments: DType.allCases)
    func initRejectsWrongByteCount(dtype: DType) throws {
        let shape: Shape = [2, 3]
        let needed = 6 * dtype.byteWidth
        for given in [0, needed - 1, needed + 1, 2 * needed] {
            let error = #expect(throws: CoreError.self) {
                try Tensor(name: "layers.0.w", dtype: dtype, shape: shape, data: Data(count: given))
            }
            #expect(error?.code == .byteCountMismatch)
            #expect(error?.tensorName == "layers.0.w")
            #expect(error?.message.contains("\(given) bytes") == true)
            #expect(error?.message.contains("needs \(needed)") == true)
        }
    }

    @Test func initRejectsOverflowingShapeAndNamesTheTensor() {
        let shape = Shape([1 << 62, 4])  // 2^64 elements
        let error = #expect(throws: CoreError.self) {
            try Tensor(name: "huge", dtype: .uint8, shape: shape, data: Data())
        }
        #expect(error?.code == .shapeOverflow)
        #expect(error?.tensorName == "huge")
    }

    @Test func initAcceptsADataSliceWithNonZeroStartIndex() throws {
        let buffer = Data((0..<16).map { UInt8($0) })
        let slice = buffer[4..<12]
        let tensor = try Tensor(name: "s", dtype: .int16, shape: [4], data: slice)
        #expect(tensor.elementCount == 4)
        #expect(Array(tensor.data) == [4, 5, 6, 7, 8, 9, 10, 11])
    }

    @Test(arguments: [
        ([Int](), 1, 1),
        ([5], 1, 5),
        ([3, 4], 3, 4),
        ([2, 3, 4], 2, 12),
        ([0, 4], 1, 0),
    ])
    func matrixShapeFoldsTrailingDimensions(dimensions: [Int], rows: Int, columns: Int) throws {
        let shape = Shape(dimensions)
        let tensor = try Tensor(
            name: "m", dtype: .float32, shape: shape, data: Data(count: try shape.byteCount(of: .float32)))
        #expect(tensor.matrixShape.rows == rows)
        #expect(tensor.matrixShape.columns == columns)
    }
}
