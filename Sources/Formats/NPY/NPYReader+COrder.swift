import Foundation
import TensorCore

extension NPYReader {
    /// Copies `body` (the elements as stored, validated by `header`) into a new buffer of little-endian
    /// elements in C (row-major) order: bytes reversed within each element when the file is big-endian,
    /// and the Fortran-order layout transposed.
    ///
    /// Fortran order stores element `(i0, i1, …, ik)` at `i0 + d0 × (i1 + d1 × (i2 + …))`; this walks the
    /// output in C order with an odometer over the indices, moving the Fortran source position by the
    /// Fortran stride of whichever axis ticks.
    /// - Complexity: O(n) time, n bytes of new memory.
    static func littleEndianCOrder(_ body: Data, _ header: NPYHeader) -> Data {
        let width = header.dtype.byteWidth
        let dimensions = header.shape.dimensions
        let elementCount = body.count / width
        let reverse = header.isBigEndian && width > 1
        var output = Data(count: body.count)
        guard elementCount > 0 else { return output }
        var fortranStrides: [Int] = []
        var stride = 1
        for size in dimensions {
            fortranStrides.append(stride)
            stride &*= size
        }
        body.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                func copy(element sourceIndex: Int, to destinationIndex: Int) {
                    let from = sourceIndex * width
                    let to = destinationIndex * width
                    for byte in 0..<width {
                        destination[to + byte] = source[from + (reverse ? width - 1 - byte : byte)]
                    }
                }
                guard header.fortranOrder else {
                    for index in 0..<elementCount { copy(element: index, to: index) }
                    return
                }
                var index = [Int](repeating: 0, count: dimensions.count)
                var sourceIndex = 0
                for destinationIndex in 0..<elementCount {
                    copy(element: sourceIndex, to: destinationIndex)
                    var axis = dimensions.count - 1
                    while axis >= 0 {
                        index[axis] += 1
                        sourceIndex += fortranStrides[axis]
                        if index[axis] < dimensions[axis] { break }
                        sourceIndex -= fortranStrides[axis] * dimensions[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
        return output
    }
}
