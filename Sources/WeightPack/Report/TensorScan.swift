import TensorCore

/// One pass over a decoded tensor: evenly spaced samples for a histogram, the range of the finite values, the
/// count of non-finite ones and, when asked, the largest magnitude of each row.
///
/// Samples are the elements at `⌊j × n / m⌋` for `j` in `0..<m`, `m = min(n, sampleLimit)`: deterministic, spread
/// over the whole tensor, and the same positions in two tensors of the same shape.
struct TensorScan {
    /// The finite sampled values, in element order.
    var samples: [Float] = []
    /// Elements sampled, finite or not.
    var sampledCount = 0
    /// The smallest and largest finite elements (+∞ and −∞ when there are none).
    var minimum = Double.infinity
    var maximum = -Double.infinity
    /// NaN and infinite elements, over the whole tensor.
    var nonFiniteCount = 0
    /// The largest |value| of each row when `rows` was given (rows: axis 0; a row is `n / rows` elements).
    var rowMaxima: [Double] = []

    /// Scans `tensor` (any dtype; elements widen to Double in chunks of 65,536).
    /// - Parameters:
    ///   - sampleLimit: the most elements kept as samples.
    ///   - rows: when given and dividing the element count, ``rowMaxima`` gets one entry per row.
    /// - Complexity: O(n) time; O(sampleLimit + rows) memory besides the tensor.
    init(_ tensor: Tensor, sampleLimit: Int, rows: Int? = nil) {
        let count = tensor.elementCount
        let wanted = min(count, max(1, sampleLimit))
        let columns = rows.flatMap { $0 > 0 && count % $0 == 0 ? count / $0 : nil }
        if let rows, columns != nil { rowMaxima = [Double](repeating: 0, count: rows) }
        samples.reserveCapacity(wanted)
        let sampleIndex = { (j: Int) -> Int in
            let product = j.multipliedFullWidth(by: count)
            return wanted.dividingFullWidth((product.high, product.low)).quotient
        }
        var nextSample = 0
        var nextIndex = wanted > 0 ? sampleIndex(0) : -1
        var row = 0
        var rowEnd = columns ?? Int.max
        let chunkSize = 1 << 16
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }
        for start in stride(from: 0, to: count, by: chunkSize) {
            let range = start..<min(start + chunkSize, count)
            tensor.copyFloat64Values(range, into: buffer)
            for offset in 0..<range.count {
                let index = start + offset
                let value = buffer[offset]
                if let columns, index == rowEnd {
                    row += 1
                    rowEnd += columns
                }
                if value.isFinite {
                    minimum = min(minimum, value)
                    maximum = max(maximum, value)
                    if columns != nil { rowMaxima[row] = max(rowMaxima[row], abs(value)) }
                } else {
                    nonFiniteCount += 1
                }
                if index == nextIndex {
                    if value.isFinite { samples.append(Float(value)) }
                    nextSample += 1
                    nextIndex = nextSample < wanted ? sampleIndex(nextSample) : -1
                }
            }
        }
        sampledCount = nextSample
    }
}
