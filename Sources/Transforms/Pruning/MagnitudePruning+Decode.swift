import Foundation
import TensorCore

extension MagnitudePruning {
    /// The recorded parameters decoding reads, checked.
    struct DecodingParameters {
        /// `bitmap` or `relative` (never `auto`).
        var index: IndexEncoding
        /// The relative index's field width; 0 for a bitmap.
        var gapBits: Int
        var count: Int
        var survivors: Int

        /// Reads `index`, `gapBits` (relative only), `count` and `survivors`.
        /// - Throws: `TransformError.Code.invalidParameter` when one is missing or out of range, when `index` is
        ///   `auto`, when `count` differs from the shape's element count, or when `survivors` exceeds `count`.
        init(_ parameters: [String: String], shape: Shape, tensorName: String?) throws(TransformError) {
            let stage = MagnitudePruning.stageName
            index = try parameters.recordedChoice("index", as: IndexEncoding.self, stage: stage, tensorName: tensorName)
            guard index != .auto else {
                throw TransformError(
                    .invalidParameter, "prune parameter 'index' must record 'bitmap' or 'relative', not 'auto'",
                    tensorName: tensorName)
            }
            gapBits =
                index == .relative
                ? try parameters.integer("gapBits", in: 1...8, stage: stage, tensorName: tensorName) : 0
            count = try parameters.integer("count", in: 0...Int.max, stage: stage, tensorName: tensorName)
            let expected = try WeightClustering.elementCount(of: shape, tensorName: tensorName ?? "")
            guard count == expected else {
                throw TransformError(
                    .invalidParameter,
                    "prune parameter 'count' is \(count), but shape \(shape) has \(expected) elements",
                    tensorName: tensorName)
            }
            survivors = try parameters.integer("survivors", in: 0...count, stage: stage, tensorName: tensorName)
        }

        /// The index section's byte count.
        var indexByteCount: Int {
            index == .bitmap
                ? count / 8 + (count % 8 == 0 ? 0 : 1) : BitFieldPacking.byteCount(fields: survivors, bits: gapBits)!
        }
    }

    /// The section kinds `encode` produces: the index (`symbolWidth` 1), then `survivors` Float32 values.
    /// - Throws: `TransformError.Code.invalidParameter` when a parameter is missing or inconsistent with `shape`.
    public static func outputKinds(parameters: [String: String], shape: Shape) throws(TransformError)
        -> [PayloadSection.Kind]
    {
        let recorded = try DecodingParameters(parameters, shape: shape, tensorName: nil)
        return [.bytes(symbolWidth: 1), .elements(.float32, Shape([recorded.survivors]))]
    }

    /// Rebuilds the dense values: survivors at their positions, +0.0 elsewhere.
    /// - Throws: `TransformError.Code.invalidParameter` for missing or bad parameters (see ``outputKinds``);
    ///   `.corruptPayload` when the sections are not the recorded kinds, when a section's byte count is wrong,
    ///   when a survivor is NaN or infinite, when a bitmap's padding bits are set or its set bits differ from
    ///   `survivors`, or when relative gaps run past the last element.
    /// - Complexity: O(n); allocates the output only after every section length was checked.
    public static func decode(
        _ sections: [PayloadSection], parameters: [String: String], shape: Shape, tensorName: String
    ) throws(TransformError) -> [Float] {
        let recorded = try DecodingParameters(parameters, shape: shape, tensorName: tensorName)
        let kinds: [PayloadSection.Kind] = [.bytes(symbolWidth: 1), .elements(.float32, Shape([recorded.survivors]))]
        guard sections.map(\.kind) == kinds else {
            throw TransformError(
                .corruptPayload,
                "prune expects sections \(kinds.map(\.description)); found \(sections.map(\.kind.description))",
                tensorName: tensorName)
        }
        let indexBytes = sections[0].bytes
        guard indexBytes.count == recorded.indexByteCount else {
            throw TransformError(
                .corruptPayload,
                "prune \(recorded.index.rawValue) index holds \(indexBytes.count) bytes; \(recorded.index == .bitmap ? "\(recorded.count) elements" : "\(recorded.survivors) gaps of \(recorded.gapBits) bits") need \(recorded.indexByteCount)",
                tensorName: tensorName)
        }
        guard sections[1].bytes.count == 4 * recorded.survivors else {
            throw TransformError(
                .corruptPayload,
                "prune survivors section holds \(sections[1].bytes.count) bytes; \(recorded.survivors) Float32 values need \(4 * recorded.survivors)",
                tensorName: tensorName)
        }
        let survivors: [Float] = sections[1].bytes.withUnsafeBytes { raw in
            (0..<recorded.survivors).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        if let position = survivors.firstIndex(where: { !$0.isFinite }) {
            throw TransformError(
                .corruptPayload, "prune survivor \(position) is \(survivors[position]); survivors must be finite",
                tensorName: tensorName)
        }
        let positions =
            try recorded.index == .bitmap
            ? bitmapPositions(indexBytes, recorded, tensorName: tensorName)
            : relativePositions(indexBytes, recorded, tensorName: tensorName)
        var dense = [Float](repeating: 0, count: recorded.count)
        for (entry, position) in positions.enumerated() { dense[position] = survivors[entry] }
        return dense
    }

    /// The positions of the set bits of a bitmap index.
    private static func bitmapPositions(_ bytes: Data, _ recorded: DecodingParameters, tensorName: String)
        throws(TransformError) -> [Int]
    {
        let bitmap = [UInt8](bytes)
        let usedBits = recorded.count % 8
        if usedBits != 0, let last = bitmap.last, last >> UInt8(usedBits) != 0 {
            throw TransformError(
                .corruptPayload, "prune bitmap has bits set past its \(recorded.count) elements", tensorName: tensorName
            )
        }
        let setBits = bitmap.reduce(0) { $0 + $1.nonzeroBitCount }
        guard setBits == recorded.survivors else {
            throw TransformError(
                .corruptPayload,
                "prune bitmap marks \(setBits) survivors; the survivors section holds \(recorded.survivors)",
                tensorName: tensorName)
        }
        var positions: [Int] = []
        positions.reserveCapacity(setBits)
        for (byteIndex, byte) in bitmap.enumerated() where byte != 0 {
            var remaining = byte
            while remaining != 0 {
                positions.append(byteIndex * 8 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
        return positions
    }

    /// The positions a relative index's gaps lead to, each checked to lie before `count`.
    private static func relativePositions(_ bytes: Data, _ recorded: DecodingParameters, tensorName: String)
        throws(TransformError) -> [Int]
    {
        guard
            let gaps = bytes.withUnsafeBytes({
                BitFieldPacking.unpack($0, count: recorded.survivors, bits: recorded.gapBits)
            })
        else {
            throw TransformError(
                .corruptPayload, "prune relative index has bits set past its \(recorded.survivors) gaps",
                tensorName: tensorName)
        }
        var positions: [Int] = []
        positions.reserveCapacity(gaps.count)
        var position = -1
        for (entry, gap) in gaps.enumerated() {
            position += Int(gap) + 1
            guard position < recorded.count else {
                throw TransformError(
                    .corruptPayload,
                    "prune relative index entry \(entry) lands at position \(position), past the last of \(recorded.count) elements",
                    tensorName: tensorName)
            }
            positions.append(position)
        }
        return positions
    }
}
