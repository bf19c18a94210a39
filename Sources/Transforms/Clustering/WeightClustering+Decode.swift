import Foundation
import TensorCore

extension WeightClustering {
    /// The recorded parameters decoding reads, checked.
    struct DecodingParameters {
        var bits: Int
        var codebook: CodebookPrecision
        var packing: Packing
        var count: Int

        /// Reads `bits`, `codebook`, `packing` and `count`, and checks `count` against `shape`.
        /// - Throws: `TransformError.Code.invalidParameter` when one is missing, malformed, out of range, or when
        ///   `count` differs from the shape's element count.
        init(_ parameters: [String: String], shape: Shape, tensorName: String?) throws(TransformError) {
            let stage = WeightClustering.stageName
            bits = try parameters.integer("bits", in: 1...8, stage: stage, tensorName: tensorName)
            codebook = try parameters.recordedChoice(
                "codebook", as: CodebookPrecision.self, stage: stage, tensorName: tensorName)
            packing = try parameters.recordedChoice("packing", as: Packing.self, stage: stage, tensorName: tensorName)
            count = try parameters.integer("count", in: 0...Int.max, stage: stage, tensorName: tensorName)
            let expected = try WeightClustering.elementCount(of: shape, tensorName: tensorName ?? "")
            guard count == expected else {
                throw TransformError(
                    .invalidParameter,
                    "cluster parameter 'count' is \(count), but shape \(shape) has \(expected) elements",
                    tensorName: tensorName)
            }
        }

        /// The index section's byte count, or `nil` when it overflows.
        var indexByteCount: Int? {
            packing == .bytes ? count : BitFieldPacking.byteCount(fields: count, bits: bits)
        }
    }

    /// The section kinds `encode` produces: the codebook (`symbolWidth` 4 for f32, 2 for f16), then the indices
    /// (`symbolWidth` 1).
    /// - Throws: `TransformError.Code.invalidParameter` when a parameter is missing or inconsistent with `shape`.
    public static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]
    {
        let recorded = try DecodingParameters(parameters, shape: shape, tensorName: nil)
        return [.bytes(symbolWidth: recorded.codebook.byteWidth), .bytes(symbolWidth: 1)]
    }

    /// Rebuilds `count` Float32 values: element `i` is `codebook[index[i]]`.
    /// - Throws: `TransformError.Code.invalidParameter` for missing or bad parameters (see ``outputKinds``);
    ///   `.corruptPayload` when there are not exactly two sections of the recorded kinds, when the codebook is not
    ///   `k × width` bytes or holds a NaN or infinity, when the index section has the wrong byte count, nonzero
    ///   padding bits, or (with `packing=bytes`) an index of `k` or more.
    /// - Complexity: O(n); allocates the output only after every length was checked.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> [Float] {
        let recorded = try DecodingParameters(parameters, shape: shape, tensorName: tensorName)
        let kinds: [PayloadSection.Kind] = [.bytes(symbolWidth: recorded.codebook.byteWidth), .bytes(symbolWidth: 1)]
        guard sections.map(\.kind) == kinds else {
            throw TransformError(
                .corruptPayload,
                "cluster expects sections \(kinds.map(\.description)); found \(sections.map(\.kind.description))",
                tensorName: tensorName)
        }
        let codebook = try decodeCodebook(sections[0].bytes, recorded, tensorName: tensorName)
        let indexBytes = sections[1].bytes
        guard let expected = recorded.indexByteCount, indexBytes.count == expected else {
            throw TransformError(
                .corruptPayload,
                "cluster index section holds \(indexBytes.count) bytes; \(recorded.count) indices of \(recorded.bits) bits packed as \(recorded.packing.rawValue) need \(recorded.indexByteCount.map(String.init) ?? "more than fit in memory")",
                tensorName: tensorName)
        }
        let indices: [UInt8]
        if recorded.packing == .bytes {
            indices = [UInt8](indexBytes)
            if let position = indices.firstIndex(where: { Int($0) >= codebook.count }) {
                throw TransformError(
                    .corruptPayload,
                    "cluster index \(indices[position]) at element \(position) is out of range for a codebook of \(codebook.count) centroids",
                    tensorName: tensorName)
            }
        } else {
            guard
                let unpacked = indexBytes.withUnsafeBytes({
                    BitFieldPacking.unpack($0, count: recorded.count, bits: recorded.bits)
                })
            else {
                throw TransformError(
                    .corruptPayload,
                    "cluster index section's last byte has nonzero bits past the \(recorded.count) packed indices",
                    tensorName: tensorName)
            }
            indices = unpacked
        }
        return indices.map { codebook[Int($0)] }
    }

    /// The `k` centroids of the codebook section.
    private static func decodeCodebook(_ bytes: Data, _ recorded: DecodingParameters, tensorName: String)
        throws(TransformError) -> [Float]
    {
        let k = 1 << recorded.bits
        let width = recorded.codebook.byteWidth
        guard bytes.count == k * width else {
            throw TransformError(
                .corruptPayload,
                "cluster codebook holds \(bytes.count) bytes; \(k) \(recorded.codebook.rawValue) centroids need \(k * width)",
                tensorName: tensorName)
        }
        let centroids: [Float] = bytes.withUnsafeBytes { raw in
            (0..<k).map { index in
                width == 4
                    ? Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
                    : FloatConversion.float32(
                        float16Bits: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))
                    )
            }
        }
        if let index = centroids.firstIndex(where: { !$0.isFinite }) {
            throw TransformError(
                .corruptPayload, "cluster codebook entry \(index) is \(centroids[index]); centroids must be finite",
                tensorName: tensorName)
        }
        return centroids
    }
}
