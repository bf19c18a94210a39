/// A deterministic mutation fuzzer's mutation step: one seeded edit of a byte string, of the kinds that break
/// binary parsers (bit flips, integer fields set to boundary values, truncation, extension, splices).
///
/// The same seed and inputs give the same mutants on every platform and run, so a failing mutant can be
/// regenerated from the seed and its position in the sequence. One ``mutate(_:donors:)`` is O(n) in the
/// input's length.
public struct Mutator: Sendable {
    /// The kinds of edit, in the order ``mutate(_:donors:)`` draws them.
    public enum Edit: CaseIterable, Sendable {
        /// Flips one bit.
        case flipBit
        /// Sets one byte to a random value.
        case setByte
        /// Overwrites a 1-, 2-, 4- or 8-byte integer (either byte order) with a boundary value or ±1 of the
        /// value already there.
        case overwriteInteger
        /// Replaces a run of ASCII digits (a JSON, Python-literal or parameter number) with a boundary number.
        case overwriteDecimal
        /// Keeps a prefix (possibly empty).
        case truncate
        /// Appends random bytes or a copy of a part of the input.
        case extend
        /// Removes a range.
        case deleteRange
        /// Inserts a copy of a range of the input elsewhere.
        case duplicateRange
        /// Joins a prefix of the input to a suffix of a donor (another seed).
        case splice
    }

    /// Integers that sit on the edges of signed and unsigned widths.
    public static let boundaryValues: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0x1_0000_0000, 64, 4096,
    ]

    /// Numbers written as text that sit on the edges of what parsers accept.
    public static let boundaryDecimals: [String] = [
        "0", "1", "-1", "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "-9223372036854775808", "1e308", "1e309", "NaN", "", "00", "1.5", "999999999999",
    ]

    private var generator: SplitMix64

    /// Creates a mutator whose edits are fixed by `seed`.
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// One edit of `input`; `donors` feed ``Edit/splice`` (an empty list makes it a truncation).
    public mutating func mutate(_ input: [UInt8], donors: [[UInt8]] = []) -> [UInt8] {
        let edit = Edit.allCases[generator.int(below: Edit.allCases.count)]
        return apply(edit, to: input, donors: donors)
    }

    /// `rounds` successive edits of `input` (at least one).
    public mutating func mutate(_ input: [UInt8], donors: [[UInt8]] = [], rounds: Int) -> [UInt8] {
        var bytes = input
        for _ in 0..<max(1, rounds) { bytes = mutate(bytes, donors: donors) }
        return bytes
    }

    /// Applies one edit of kind `edit`; an edit that needs bytes the input lacks extends it instead.
    public mutating func apply(_ edit: Edit, to input: [UInt8], donors: [[UInt8]] = []) -> [UInt8] {
        var bytes = input
        switch edit {
        case .flipBit:
            guard !bytes.isEmpty else { return extend(bytes) }
            bytes[offset(in: bytes)] ^= UInt8(1) << UInt8(generator.int(below: 8))
        case .setByte:
            guard !bytes.isEmpty else { return extend(bytes) }
            bytes[offset(in: bytes)] = generator.byte()
        case .overwriteInteger:
            return overwriteInteger(bytes)
        case .overwriteDecimal:
            return overwriteDecimal(bytes)
        case .truncate:
            bytes.removeSubrange(generator.int(below: bytes.count + 1)...)
        case .extend:
            return extend(bytes)
        case .deleteRange:
            guard !bytes.isEmpty else { return extend(bytes) }
            let range = self.range(in: bytes.count)
            bytes.removeSubrange(range)
        case .duplicateRange:
            guard !bytes.isEmpty else { return extend(bytes) }
            let copy = Array(bytes[range(in: bytes.count)])
            bytes.insert(contentsOf: copy, at: generator.int(below: bytes.count + 1))
        case .splice:
            guard !donors.isEmpty else { return apply(.truncate, to: bytes) }
            let donor = donors[generator.int(below: donors.count)]
            bytes.removeSubrange(generator.int(below: bytes.count + 1)...)
            bytes += donor[generator.int(below: donor.count + 1)...]
        }
        return bytes
    }

    private mutating func offset(in bytes: [UInt8]) -> Int { generator.int(below: bytes.count) }

    /// A non-empty range of at most 64 bytes (usually) within `0..<count`; `count` must be positive.
    private mutating func range(in count: Int) -> Range<Int> {
        let start = generator.int(below: count)
        let longest = generator.int(below: 8) == 0 ? count - start : min(64, count - start)
        return start..<(start + 1 + generator.int(below: longest))
    }

    private mutating func extend(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        if !bytes.isEmpty, generator.int(below: 2) == 0 {
            bytes += bytes[range(in: bytes.count)]
        } else {
            let count = [1, 4, 8, 64, 1000][generator.int(below: 5)]
            bytes += (0..<count).map { _ in generator.byte() }
        }
        return bytes
    }

    private mutating func overwriteInteger(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        let width = [1, 2, 4, 8][generator.int(below: 4)]
        guard bytes.count >= width else { return extend(bytes) }
        let start = generator.int(below: bytes.count - width + 1)
        let bigEndian = generator.int(below: 4) == 0
        var value: UInt64
        if generator.int(below: 3) == 0 {
            // ±1 of the value already there: an off-by-one in a length or count.
            let old = (0..<width).reduce(UInt64(0)) { value, index in
                value | UInt64(bytes[start + (bigEndian ? width - 1 - index : index)]) << (8 * index)
            }
            value = generator.int(below: 2) == 0 ? old &+ 1 : old &- 1
        } else {
            value = Self.boundaryValues[generator.int(below: Self.boundaryValues.count)]
        }
        for index in 0..<width {
            bytes[start + (bigEndian ? width - 1 - index : index)] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
        return bytes
    }

    private mutating func overwriteDecimal(_ input: [UInt8]) -> [UInt8] {
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let digitPositions = input.indices.filter { isDigit(input[$0]) }
        guard !digitPositions.isEmpty else { return overwriteInteger(input) }
        var start = digitPositions[generator.int(below: digitPositions.count)]
        var end = start + 1
        while start > 0, isDigit(input[start - 1]) { start -= 1 }
        while end < input.count, isDigit(input[end]) { end += 1 }
        var bytes = input
        let replacement = Self.boundaryDecimals[generator.int(below: Self.boundaryDecimals.count)]
        bytes.replaceSubrange(start..<end, with: Array(replacement.utf8))
        return bytes
    }
}
