import Foundation
import TensorCore

/// The stored form of a tensor whose chain has at least one stage: a section table, then the sections
/// back to back (docs/FORMAT.md §5.1).
///
/// Layout, little-endian: `u32` section count N (1…``maximumSectionCount``), N × `u64` section byte lengths,
/// then the N sections' bytes with no padding. The table does not say what each section is: the stage chain
/// recorded in the index does.
public enum WPKPayload {
    /// The most sections a payload may hold (64); no stage chain needs more than a handful.
    public static let maximumSectionCount = 64

    /// Bytes of the section table for `sectionCount` sections.
    public static func tableByteCount(sectionCount: Int) -> Int { 4 + 8 * sectionCount }

    /// Serializes sections' bytes into one payload.
    /// - Precondition: 1…``maximumSectionCount`` sections (a writer-side invariant of the stage chain).
    public static func serialize(_ sections: [Data]) -> Data {
        precondition((1...maximumSectionCount).contains(sections.count), "payload needs 1...64 sections")
        var writer = ByteWriter()
        writer.writeIntegerLE(UInt32(sections.count))
        for section in sections { writer.writeIntegerLE(UInt64(section.count)) }
        var data = Data(writer.bytes)
        data.reserveCapacity(data.count + sections.reduce(0) { $0 + $1.count })
        for section in sections { data.append(section) }
        return data
    }

    /// The payload of ``serialize(_:)`` as consecutive pieces, without copying the sections: the section table
    /// (count and lengths), then each section's own pieces in order. `sections[i]` is section `i` given as the
    /// pieces it is the concatenation of.
    public static func serializedPieces(_ sections: [[Data]]) -> [Data] {
        precondition((1...maximumSectionCount).contains(sections.count), "payload needs 1...64 sections")
        var writer = ByteWriter()
        writer.writeIntegerLE(UInt32(sections.count))
        for section in sections { writer.writeIntegerLE(UInt64(section.reduce(0) { $0 + $1.count })) }
        return [Data(writer.bytes)] + sections.flatMap { $0.filter { !$0.isEmpty } }
    }

    /// The serialized size of sections of these byte counts.
    public static func serializedByteCount(sectionByteCounts: [Int]) -> Int {
        tableByteCount(sectionCount: sectionByteCounts.count) + sectionByteCounts.reduce(0, +)
    }

    /// Splits a payload into its sections (slices of `payload`, no copy).
    /// - Parameters:
    ///   - payload: the stored bytes of one tensor.
    ///   - expectedSectionCount: the count the recorded stage chain implies.
    ///   - tensorName: for errors.
    /// - Throws: `FormatError.Code.corruptIndex` when the table is truncated, the count differs from
    ///   `expectedSectionCount` or is out of range, or the lengths do not add up to the payload's size exactly;
    ///   the error carries the byte offset within the payload.
    public static func parse(_ payload: Data, expectedSectionCount: Int, tensorName: String) throws(FormatError)
        -> [Data]
    {
        let base = payload.startIndex
        guard payload.count >= 4 else {
            throw FormatError(
                .corruptIndex, "payload of \(payload.count) bytes is shorter than its 4-byte section count",
                tensorName: tensorName)
        }
        let count = payload.withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self).littleEndian) }
        guard count == expectedSectionCount, (1...maximumSectionCount).contains(count) else {
            throw FormatError(
                .corruptIndex,
                "payload holds \(count) sections; its stage chain produces \(expectedSectionCount)",
                tensorName: tensorName)
        }
        let table = tableByteCount(sectionCount: count)
        guard payload.count >= table else {
            throw FormatError(
                .corruptIndex, "payload of \(payload.count) bytes is shorter than its \(table)-byte section table",
                tensorName: tensorName)
        }
        var sections: [Data] = []
        sections.reserveCapacity(count)
        var offset = table
        for position in 0..<count {
            let length = payload.withUnsafeBytes { raw in
                raw.loadUnaligned(fromByteOffset: 4 + 8 * position, as: UInt64.self).littleEndian
            }
            guard length <= UInt64(payload.count - offset) else {
                throw FormatError(
                    .corruptIndex,
                    "section \(position) claims \(length) bytes; only \(payload.count - offset) remain in the payload",
                    tensorName: tensorName)
            }
            let end = offset + Int(length)
            sections.append(payload[(base + offset)..<(base + end)])
            offset = end
        }
        guard offset == payload.count else {
            throw FormatError(
                .corruptIndex,
                "sections cover \(offset) of the payload's \(payload.count) bytes; \(payload.count - offset) are left over",
                tensorName: tensorName)
        }
        return sections
    }
}
