import Foundation

/// Fixed-width unsigned fields packed LSB-first, as the clustering indices and the pruning index use them.
///
/// Field `i` of width `bits` occupies bits `[i × bits, (i + 1) × bits)` of the stream, where stream bit `j` is
/// bit `j % 8` (least significant first) of byte `j / 8`; the field's own least significant bit comes first.
/// The last byte's unused high bits are zero. `count` fields take `⌈count × bits / 8⌉` bytes.
enum BitFieldPacking {
    /// The byte count of `count` fields of `bits` bits, or `nil` when it does not fit in `Int`.
    static func byteCount(fields count: Int, bits: Int) -> Int? {
        let (totalBits, overflow) = count.multipliedReportingOverflow(by: bits)
        guard !overflow, count >= 0 else { return nil }
        return totalBits / 8 + (totalBits % 8 == 0 ? 0 : 1)
    }

    /// Packs `fields` (each below `1 << bits`) into `⌈fields.count × bits / 8⌉` bytes; `bits` is `1...8`.
    /// - Complexity: O(n).
    static func pack(_ fields: UnsafeBufferPointer<UInt8>, bits: Int) -> Data {
        precondition((1...8).contains(bits), "field width \(bits) is outside 1...8")
        let byteCount = byteCount(fields: fields.count, bits: bits)!
        var bytes = Data(count: byteCount)
        bytes.withUnsafeMutableBytes { raw in
            guard let out = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), let first = fields.baseAddress
            else { return }
            if bits == 8 {
                out.update(from: first, count: fields.count)
                return
            }
            var accumulator: UInt64 = 0
            var filled = 0
            var written = 0
            let mask = UInt64((1 << bits) - 1)
            for field in fields {
                accumulator |= (UInt64(field) & mask) << UInt64(filled)
                filled += bits
                if filled >= 32 {
                    for shift in stride(from: 0, to: 32, by: 8) {
                        out[written] = UInt8(truncatingIfNeeded: accumulator >> UInt64(shift))
                        written += 1
                    }
                    accumulator >>= 32
                    filled -= 32
                }
            }
            while filled > 0 {
                out[written] = UInt8(truncatingIfNeeded: accumulator)
                written += 1
                accumulator >>= 8
                filled -= 8
            }
        }
        return bytes
    }

    /// Unpacks `count` fields of `bits` bits from `bytes`, which must hold exactly `⌈count × bits / 8⌉` bytes.
    /// - Returns: the fields, or `nil` when the byte count is wrong or the last byte's unused bits are not zero.
    /// - Complexity: O(n); allocates `count` bytes only after the byte count matched.
    static func unpack(_ bytes: UnsafeRawBufferPointer, count: Int, bits: Int) -> [UInt8]? {
        guard (1...8).contains(bits), let expected = byteCount(fields: count, bits: bits), bytes.count == expected
        else { return nil }
        if count == 0 { return [] }
        let input = bytes.bindMemory(to: UInt8.self)
        if bits == 8 { return Array(input) }
        let usedBits = (count * bits) % 8
        if usedBits != 0, input[expected - 1] >> UInt8(usedBits) != 0 { return nil }
        let mask = UInt64((1 << bits) - 1)
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            var accumulator: UInt64 = 0
            var available = 0
            var read = 0
            for index in 0..<count {
                if available < bits {
                    accumulator |= UInt64(input[read]) << UInt64(available)
                    read += 1
                    available += 8
                }
                out[index] = UInt8(truncatingIfNeeded: accumulator & mask)
                accumulator >>= UInt64(bits)
                available -= bits
            }
            initialized = count
        }
    }
}
