import CLapack
import Foundation
import TensorCore

extension LowRankSplit {
    /// Rebuilds `W = A · Bᵀ`, `[m, n]` row-major, from the stacked factors `[A; B]` with BLAS `sgemm`.
    ///
    /// - Parameters:
    ///   - sections: exactly one section, `.elements(.float32, [m + n, r])`, `(m + n) × r × 4` bytes,
    ///     little-endian: the `m` rows of `A` then the `n` rows of `B` (see ``LowRankSplit``).
    ///   - parameters: `rows` (`m`), `columns` (`n`), `rank` (`r`); `retained_energy` and `method` are not needed.
    ///   - shape: the tensor's shape; `m` is axis 0 and `n` the product of the others.
    /// - Returns: `m × n` Float32 values, row-major.
    /// - Throws: `TransformError.Code.invalidParameter` when a parameter is missing, disagrees with `shape`
    ///   or `r` is outside `1...min(m, n)`; `.corruptPayload` when there is not exactly one section, its kind
    ///   is not `float32 [m + n, r]`, or its byte count is not `(m + n) × r × 4`.
    /// - Complexity: O(m·n·r) time; allocates only the `m × n` result and a copy of the factors.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> [Float] {
        let factors = try FactorDimensions(parameters: parameters, shape: shape, tensorName: tensorName)
        let expectedKind = PayloadSection.Kind.elements(
            .float32, Shape([factors.rows + factors.columns, factors.rank]))
        guard sections.count == 1, let section = sections.first else {
            throw TransformError(
                .corruptPayload, "lowrank expects 1 section, \(expectedKind); found \(sections.count)",
                tensorName: tensorName)
        }
        guard section.kind == expectedKind else {
            throw TransformError(
                .corruptPayload, "lowrank expects a section of \(expectedKind); found \(section.kind)",
                tensorName: tensorName)
        }
        let factorCount = factors.factorElementCount
        guard section.bytes.count == factorCount * 4 else {
            throw TransformError(
                .corruptPayload,
                "lowrank section holds \(section.bytes.count) bytes; \(factorCount) Float32 factor elements ([\(factors.rows) + \(factors.columns), \(factors.rank)]) need \(factorCount * 4)",
                tensorName: tensorName)
        }
        let stacked = section.bytes.withUnsafeBytes { raw in
            [Float](unsafeUninitializedCapacity: factorCount) { out, initialized in
                for index in 0..<factorCount {
                    out[index] = Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                }
                initialized = factorCount
            }
        }
        return multiply(stacked, factors)
    }

    /// `A · Bᵀ` for `stacked = [A; B]`.
    private static func multiply(_ stacked: [Float], _ factors: FactorDimensions) -> [Float] {
        let rows = factors.rows
        let columns = factors.columns
        let rank = factors.rank
        // All three fit in Int32: rank ≤ min(m, n) and m × n ≤ Int32.max were checked.
        return [Float](unsafeUninitializedCapacity: rows * columns) { out, initialized in
            stacked.withUnsafeBufferPointer { factorBuffer in
                guard let a = factorBuffer.baseAddress, let w = out.baseAddress else { return }
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(columns), Int32(rank), 1, a,
                    Int32(rank), a + rows * rank, Int32(rank), 0, w, Int32(columns))
            }
            initialized = rows * columns
        }
    }
}
