import CXXHash
import Foundation

/// The checksum of stored bytes in a `.wpk` file: XXH3-64 (seed 0) from libxxhash.
///
/// Spec: docs/FORMAT.md §2; algorithm: xxHash's XXH3_64bits (https://github.com/Cyan4973/xxHash).
/// About 15 GB/s here, so verifying on every read costs little.
public enum Checksum {
    /// XXH3-64 of `bytes`.
    public static func xxh3(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    /// XXH3-64 of a contiguous byte collection.
    public static func xxh3(_ bytes: some ContiguousBytes) -> UInt64 {
        bytes.withUnsafeBytes { xxh3($0) }
    }

    /// XXH3-64 of the concatenation of `pieces`, without concatenating them (xxHash's streaming interface gives
    /// the same value as the one-shot call over the joined bytes).
    public static func xxh3(pieces: [Data]) -> UInt64 {
        if pieces.count == 1 { return xxh3(pieces[0]) }
        guard let state = XXH3_createState() else {
            return xxh3(pieces.reduce(into: Data()) { $0.append($1) })  // out of memory for 576 bytes: join instead
        }
        defer { XXH3_freeState(state) }
        XXH3_64bits_reset(state)
        for piece in pieces {
            piece.withUnsafeBytes { _ = XXH3_64bits_update(state, $0.baseAddress, $0.count) }
        }
        return XXH3_64bits_digest(state)
    }

    /// The checksum as 16 lower-case hex digits, as the index stores it.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
