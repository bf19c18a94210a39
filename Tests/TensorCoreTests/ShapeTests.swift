import Foundation
import Testing

@testable import TensorCore

struct ShapeTests {
    @Test(arguments: [
        ([Int](), 1),
        ([0], 0),
        ([1], 1),
        ([7], 7),
        ([2, 3], 6),
        ([2, 0, 5], 0),
        ([1, 1, 1, 1], 1),
        ([4, 3, 2, 1], 24),
    ])
    func elementCountIsTheProductOfDimensions(dimensions: [Int], expected: Int) throws {
        let shape = try Shape(validating: dimensions)
        #expect(try shape.elementCount() == expected)
        #expect(shape.count == dimensions.count)
        #expect(shape.dimensions == dimensions)
    }

    @Test(arguments: DType.allCases)
    func byteCountIsElementsTimesWidth(dtype: DType) throws {
        for dimensions in [[], [0], [1], [3, 5], [2, 0]] as [[Int]] {
            let shape = try Shape(validating: dimensions)
            #expect(try shape.byteCount(of: dtype) == shape.elementCount() * dtype.byteWidth)
        }
        #expect(try Shape([]).byteCount(of: dtype) == dtype.byteWidth)
        #expect(try Shape([0]).byteCount(of: dtype) == 0)
    }

    @Test(arguments: [
        [Int.max, 2],
        [1 << 32, 1 << 32],
        [3, 1 << 62],
        [Int.max, Int.max, 0],  // the zero comes too late: the running product already overflowed
    ])
    func elementCountOverflowThrowsShapeOverflow(dimensions: [Int]) {
        let error = #expect(throws: CoreError.self) { try Shape(validating: dimensions) }
        #expect(error?.code == .shapeOverflow)
        #expect(error?.message.contains("\(dimensions)") == true)
    }

    @Test func byteCountOverflowThrowsEvenWhenElementCountFits() throws {
        let shape = try Shape(validating: [1 << 61, 2])  // 2^62 elements fit in Int
        #expect(try shape.elementCount() == 1 << 62)
        #expect(try shape.byteCount(of: .uint8) == 1 << 62)
        let error = #expect(throws: CoreError.self) { try shape.byteCount(of: .float32) }
        #expect(error?.code == .shapeOverflow)
        #expect(error?.message.contains("f32") == true)
    }

    @Test(arguments: [[-1], [2, -3], [0, -1, 4], [Int.min]])
    func negativeDimensionThrows(dimensions: [Int]) {
        let error = #expect(throws: CoreError.self) { try Shape(validating: dimensions) }
        #expect(error?.code == .negativeDimension)
        let negative = dimensions.first { $0 < 0 }!
        #expect(error?.message.contains("\(negative)") == true)
    }

    @Test func descriptionListsDimensions() {
        #expect(Shape([]).description == "[]")
        #expect(Shape([0]).description == "[0]")
        #expect(Shape([2, 3, 4]).description == "[2, 3, 4]")
        let literal: Shape = [2, 3]
        #expect(literal == Shape([2, 3]))
    }

    @Test func codableRoundTripsAndRejectsInvalidDimensions() throws {
        let shape: Shape = [4, 0, 2]
        let json = try JSONEncoder().encode(shape)
        #expect(String(decoding: json, as: UTF8.self) == "[4,0,2]")
        #expect(try JSONDecoder().decode(Shape.self, from: json) == shape)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Shape.self, from: Data("[2,-1]".utf8)) }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Shape.self, from: Data("[9223372036854775807,2]".utf8))
        }
    }
}
