import Codecs
import Foundation
import TensorCore

/// Entropy coding of one payload section: the coder tag, the decoded length, then the coder's bytes
/// (docs/FORMAT.md §5.2).
enum SectionCoding {
    /// The codec for `coder` at `symbolWidth`; `nil` for `.raw`.
    static func codec(_ coder: EntropyCoder, symbolWidth: Int, zstdLevel: Int, workers: Int = 0) throws
        -> (any ByteCodec)?
    {
        switch coder {
        case .raw: nil
        case .huffman: try HuffmanCodec(width: symbolWidth)
        case .zstd: try ZstdCodec(level: zstdLevel, workers: workers)
        case .lz4: LZ4Codec()
        }
    }

    /// Sections this large (4 MiB) are compressed by zstd with worker threads.
    static let largeSectionByteCount = 4 << 20

    /// `auto` tries zstd on a sample of sections this large (1 MiB) before running it in full.
    static let sampledSectionByteCount = 1 << 20
    /// Pieces in `auto`'s zstd sample.
    static let samplePieceCount = 8
    /// Bytes per piece of `auto`'s zstd sample (64 KiB).
    static let samplePieceByteCount = 64 << 10

    /// Whether zstd could code `raw` in fewer than `bestSoFar` bytes: always for sections under
    /// ``sampledSectionByteCount``; otherwise when zstd level 3 on the sample, scaled to the section, does not
    /// exceed `bestSoFar`.
    static func zstdMayBeat(_ bestSoFar: Int, _ raw: UnsafeRawBufferPointer) throws -> Bool {
        guard raw.count >= sampledSectionByteCount else { return true }
        let sample = sample(of: raw, symbolWidth: 1)
        let coded = try sample.withUnsafeBytes { try ZstdCodec(level: 3).encode($0) }
        return Double(coded.count) / Double(sample.count) * Double(raw.count) <= Double(bestSoFar)
    }

    /// Whether Huffman could make `raw` (symbols of `huffman.width` bytes) smaller than it is: always for
    /// one-byte symbols (whose exact sizing is cheap) and for sections under ``sampledSectionByteCount``;
    /// otherwise when Huffman makes the sample smaller. Wide symbols that are nearly all distinct (Float32
    /// scales, say) are escapes that cost more than their bytes, and counting them exactly is slow.
    static func huffmanMayCompress(_ huffman: HuffmanCodec, _ raw: UnsafeRawBufferPointer) throws -> Bool {
        guard huffman.width > 1, raw.count >= sampledSectionByteCount else { return true }
        let sample = sample(of: raw, symbolWidth: huffman.width)
        return try sample.withUnsafeBytes { try huffman.plan($0).byteCount } < sample.count
    }

    /// ``samplePieceCount`` evenly spaced pieces of ``samplePieceByteCount`` bytes of `raw`, each starting on a
    /// symbol boundary, joined.
    static func sample(of raw: UnsafeRawBufferPointer, symbolWidth: Int) -> [UInt8] {
        let stride = raw.count / samplePieceCount / symbolWidth * symbolWidth
        var sample = [UInt8]()
        sample.reserveCapacity(samplePieceCount * samplePieceByteCount)
        for piece in 0..<samplePieceCount {
            let start = piece * stride
            sample.append(contentsOf: raw[start..<min(start + samplePieceByteCount, raw.count)])
        }
        return sample
    }

    /// Codes `section` with the choice's coder, or for `auto` the smallest of Huffman, zstd (level 3) and LZ4,
    /// falling back to the raw bytes when no coder makes it smaller. `auto` sizes Huffman exactly without writing it;
    /// on sections of ``sampledSectionByteCount`` or more it runs zstd in full only when zstd on a sample of the
    /// section (``samplePieceCount`` evenly spaced pieces of ``samplePieceByteCount``) comes out no larger, scaled
    /// to the section, than the best of Huffman and raw; it sizes Huffman for 2- and 4-byte symbols there only
    /// when Huffman shrinks the sample; and it tries LZ4 only where zstd beats both (LZ4 does not find what zstd
    /// cannot). The sample can miss matches farther apart than a piece, which costs bytes, never
    /// correctness; float byte planes and quantized codes have none to miss. Sections of
    /// ``largeSectionByteCount`` or more are compressed by zstd with two worker threads (the frame does not depend
    /// on the core count, so packing stays deterministic).
    /// - Returns: the coded section (header and body) and the coder used.
    /// - Throws: the codec's error.
    static func encode(_ section: PayloadSection, choice: EntropyChoice) throws -> (Data, EntropyCoder) {
        let (pieces, coder) = try encodePieces(section, choice: choice)
        return (pieces.reduce(into: Data()) { $0.append($1) }, coder)
    }

    /// ``encode(_:choice:)`` as two pieces, the header and the body, so that a section stored raw is not copied:
    /// its body is `section.bytes` itself.
    static func encodePieces(_ section: PayloadSection, choice: EntropyChoice) throws -> ([Data], EntropyCoder) {
        let width = section.kind.symbolWidth
        let huffmanApplies = HuffmanCodec.supportedWidths.contains(width) && section.bytes.count % width == 0
        var best: (body: [UInt8], coder: EntropyCoder)? = nil
        try section.bytes.withUnsafeBytes { raw in
            guard raw.count > 0 else { return }
            let workers = raw.count >= largeSectionByteCount ? 2 : 0
            func consider(_ body: [UInt8], _ coder: EntropyCoder) {
                if body.count < raw.count, body.count < (best?.body.count ?? Int.max) { best = (body, coder) }
            }
            switch choice {
            case .huffman:
                if huffmanApplies { consider(try HuffmanCodec(width: width).encode(raw), .huffman) }
            case .zstd(let level):
                consider(try ZstdCodec(level: level, workers: workers).encode(raw), .zstd)
            case .lz4:
                consider(try LZ4Codec().encode(raw), .lz4)
            case .auto:
                let huffman = huffmanApplies ? try HuffmanCodec(width: width) : nil
                let planned = try huffman.flatMap { try huffmanMayCompress($0, raw) ? try $0.plan(raw) : nil }
                let bestSoFar = min(planned?.byteCount ?? Int.max, raw.count)
                if try zstdMayBeat(bestSoFar, raw) {
                    let zstd = try ZstdCodec(level: 3, workers: workers).encode(raw)
                    consider(zstd, .zstd)
                    if zstd.count < bestSoFar { consider(try LZ4Codec().encode(raw), .lz4) }
                }
                if let huffman, let planned, planned.byteCount < min(best?.body.count ?? Int.max, raw.count) {
                    consider(try huffman.encode(raw, planned: planned), .huffman)
                }
            }
        }
        var header = ByteWriter()
        let coder = best?.coder ?? .raw
        header.writeIntegerLE(coder.rawValue)
        header.writeIntegerLE(UInt64(section.bytes.count))
        return ([Data(header.bytes), best.map { Data($0.body) } ?? section.bytes], coder)
    }

    /// Decodes one coded section.
    /// - Parameters:
    ///   - coded: the section as stored: tag, decoded length, body.
    ///   - symbolWidth: the section's symbol width (from the chain's section kinds).
    ///   - exactByteCount: the decoded length the chain requires, when it fixes one.
    ///   - maximumByteCount: the most bytes the section may decode to.
    ///   - position: the section's index, for messages.
    /// - Throws: `WeightPackError.Code.invalidStageParameters` for an unknown tag or a decoded length that the chain
    ///   does not allow; the codec's error for a corrupt body.
    static func decode(
        _ coded: Data, symbolWidth: Int, exactByteCount: Int?, maximumByteCount: Int, position: Int
    ) throws -> Data {
        guard coded.count >= EntropyCoder.headerByteCount else {
            throw WeightPackError(
                .invalidStageParameters,
                "section \(position) has \(coded.count) bytes; a coded section starts with a \(EntropyCoder.headerByteCount)-byte header"
            )
        }
        let tag = coded[coded.startIndex]
        guard let coder = EntropyCoder(rawValue: tag) else {
            throw WeightPackError(
                .invalidStageParameters, "section \(position) names coder \(tag); known coders are 0 (raw) to 3 (lz4)")
        }
        let declared = coded.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 1, as: UInt64.self).littleEndian }
        let limit = exactByteCount ?? maximumByteCount
        guard declared <= UInt64(limit), exactByteCount == nil || declared == UInt64(limit) else {
            throw WeightPackError(
                .invalidStageParameters,
                "section \(position) declares \(declared) decoded bytes; its stage chain allows \(exactByteCount.map { "exactly \($0)" } ?? "at most \(maximumByteCount)")"
            )
        }
        let body = coded[(coded.startIndex + EntropyCoder.headerByteCount)...]
        guard let codec = try codec(coder, symbolWidth: symbolWidth, zstdLevel: 3) else {
            guard UInt64(body.count) == declared else {
                throw WeightPackError(
                    .invalidStageParameters,
                    "raw section \(position) holds \(body.count) bytes; its header declares \(declared)")
            }
            return body  // a slice of the stored bytes: no copy
        }
        if let huffman = codec as? HuffmanCodec {
            return try body.withUnsafeBytes { raw in try huffman.decodedData(raw, decodedByteCount: Int(declared)) }
        }
        let decoded = try body.withUnsafeBytes { raw in try codec.decode(raw, decodedByteCount: Int(declared)) }
        return Data(decoded)
    }
}
