import Foundation
import TensorCore

/// Error measures of a candidate tensor against its reference, computed in Double.
///
/// With `e = candidate − reference`: max |e|; RMSE = √(Σe² / n); SNR = 10·log10(Σref² / Σe²) dB
/// (+∞ when e = 0); cosine = Σ(ref·cand) / √(Σref² · Σcand²) (1 when both are all zero);
/// relative Frobenius error = ‖e‖ / ‖ref‖.
public struct TensorComparison: Sendable, Codable, Equatable {
    /// The tensor's name.
    public var name: String
    /// The reference's dtype.
    public var dtype: String
    /// Number of elements compared.
    public var elementCount: Int
    /// True when both tensors have the same dtype and identical bytes.
    public var bitExact: Bool
    /// Largest absolute difference.
    public var maxAbsError: Double
    /// Root mean square of the differences.
    public var rmse: Double
    /// Signal-to-noise ratio in decibels (+∞ for identical values).
    public var snrDecibels: Double
    /// Cosine similarity of the two tensors as vectors.
    public var cosine: Double
    /// ‖candidate − reference‖ / ‖reference‖.
    public var relativeFrobeniusError: Double

    enum CodingKeys: String, CodingKey {
        case name, dtype, cosine, rmse
        case elementCount = "elements"
        case bitExact = "bit_exact"
        case maxAbsError = "max_abs_error"
        case snrDecibels = "snr_db"
        case relativeFrobeniusError = "relative_frobenius_error"
        case firstDifference = "first_difference"
    }

    /// Compares two tensors of the same shape.
    /// - Complexity: O(n) time, O(1) extra memory (elements are widened to Double in chunks of 65,536).
    /// The first element whose value differs bit for bit (as Float64), when any does.
    public var firstDifference: ElementDifference?

    public init(reference: Tensor, candidate: Tensor) {
        name = reference.name
        dtype = reference.dtype.name
        elementCount = reference.elementCount
        bitExact = reference.dtype == candidate.dtype && reference.data == candidate.data
        let count = min(reference.elementCount, candidate.elementCount)
        let chunkSize = 1 << 16
        var maxError = 0.0
        var errorSquares = 0.0
        var referenceSquares = 0.0
        var candidateSquares = 0.0
        var dot = 0.0
        var firstDifference: ElementDifference?
        // 64-bit integers beyond 2^53 do not survive widening to Float64: subtract them as integers.
        let exactDifference = Self.integerDifference(reference, candidate)
        let a = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunkSize)
        let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunkSize)
        defer {
            a.deallocate()
            b.deallocate()
        }
        for start in stride(from: 0, to: count, by: chunkSize) {
            let range = start..<min(start + chunkSize, count)
            reference.copyFloat64Values(range, into: a)
            candidate.copyFloat64Values(range, into: b)
            if firstDifference == nil, !bitExact,
                let index = (0..<range.count).first(where: {
                    a[$0].bitPattern != b[$0].bitPattern || exactDifference?(start + $0) ?? 0 != 0
                })
            {
                firstDifference = ElementDifference(index: start + index, reference: a[index], candidate: b[index])
            }
            for index in 0..<range.count {
                let error = exactDifference?(start + index) ?? (b[index] - a[index])
                maxError = error.isNaN || maxError.isNaN ? .nan : max(maxError, abs(error))
                errorSquares += error * error
                referenceSquares += a[index] * a[index]
                candidateSquares += b[index] * b[index]
                dot += a[index] * b[index]
            }
        }
        if bitExact { (maxError, errorSquares) = (0, 0) }
        self.firstDifference = firstDifference
        maxAbsError = maxError
        rmse = count == 0 ? 0 : (errorSquares / Double(count)).squareRoot()
        snrDecibels = errorSquares == 0 ? .infinity : 10 * log10(referenceSquares / errorSquares)
        let norms = (referenceSquares * candidateSquares).squareRoot()
        cosine = norms == 0 ? (referenceSquares == candidateSquares ? 1 : 0) : dot / norms
        relativeFrobeniusError =
            referenceSquares == 0 ? (errorSquares == 0 ? 0 : .infinity) : (errorSquares / referenceSquares).squareRoot()
    }

    /// For two tensors of the same 64-bit integer dtype, element `i`'s difference `candidate − reference`
    /// computed in integers (then rounded once to Float64); `nil` for other dtypes.
    private static func integerDifference(_ reference: Tensor, _ candidate: Tensor) -> ((Int) -> Double)? {
        guard reference.dtype == candidate.dtype, reference.dtype == .int64 || reference.dtype == .uint64 else {
            return nil
        }
        let a = reference.data
        let b = candidate.data
        let signed = reference.dtype == .int64
        return { index in
            let x = a.withUnsafeBytes {
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            }
            let y = b.withUnsafeBytes {
                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            }
            if signed {
                let (difference, overflow) = Int64(bitPattern: y).subtractingReportingOverflow(Int64(bitPattern: x))
                return overflow ? Double(Int64(bitPattern: y)) - Double(Int64(bitPattern: x)) : Double(difference)
            }
            return y >= x ? Double(y - x) : -Double(x - y)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        dtype = try container.decode(String.self, forKey: .dtype)
        elementCount = try container.decode(Int.self, forKey: .elementCount)
        bitExact = try container.decode(Bool.self, forKey: .bitExact)
        maxAbsError = try container.decodeIfPresent(Double.self, forKey: .maxAbsError) ?? .nan
        rmse = try container.decodeIfPresent(Double.self, forKey: .rmse) ?? .nan
        snrDecibels = try container.decodeIfPresent(Double.self, forKey: .snrDecibels) ?? .infinity
        cosine = try container.decodeIfPresent(Double.self, forKey: .cosine) ?? .nan
        relativeFrobeniusError = try container.decodeIfPresent(Double.self, forKey: .relativeFrobeniusError) ?? .nan
        firstDifference = try container.decodeIfPresent(ElementDifference.self, forKey: .firstDifference)
    }

    /// Encodes every non-finite measure as `null` (JSON has no infinity or NaN): +∞ SNR for identical values,
    /// NaN where an element is NaN.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(dtype, forKey: .dtype)
        try container.encode(elementCount, forKey: .elementCount)
        try container.encode(bitExact, forKey: .bitExact)
        for (value, key) in [
            (maxAbsError, CodingKeys.maxAbsError), (rmse, .rmse), (snrDecibels, .snrDecibels), (cosine, .cosine),
            (relativeFrobeniusError, .relativeFrobeniusError),
        ] {
            if value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
        }
        try container.encodeIfPresent(firstDifference, forKey: .firstDifference)
    }
}

/// Where two tensors first differ: the element's row-major index and both values (as Float64).
public struct ElementDifference: Sendable, Codable, Equatable {
    /// Row-major element index.
    public var index: Int
    /// The reference's value.
    public var reference: Double
    /// The candidate's value.
    public var candidate: Double

    enum CodingKeys: String, CodingKey { case index, reference, candidate }

    /// Creates a difference.
    public init(index: Int, reference: Double, candidate: Double) {
        self.index = index
        self.reference = reference
        self.candidate = candidate
    }

    /// Encodes non-finite values as strings (`"nan"`, `"inf"`, `"-inf"`), since JSON has no such numbers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        for (value, key) in [(reference, CodingKeys.reference), (candidate, .candidate)] {
            if value.isFinite {
                try container.encode(value, forKey: key)
            } else {
                try container.encode(value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf"), forKey: key)
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        func value(_ key: CodingKeys) throws -> Double {
            if let number = try? container.decode(Double.self, forKey: key) { return number }
            switch try container.decode(String.self, forKey: key) {
            case "inf": return .infinity
            case "-inf": return -.infinity
            default: return .nan
            }
        }
        reference = try value(.reference)
        candidate = try value(.candidate)
    }
}
