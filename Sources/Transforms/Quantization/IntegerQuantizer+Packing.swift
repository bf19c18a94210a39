import Foundation

extension IntegerQuantizer {
    /// Packs the low `bits` bits (1, 2, 4 or 8) of each field, lowest bits of each byte first; the unused high
    /// bits of the last byte are zero.
    /// - Returns: `⌈fields.count × bits / 8⌉` bytes.
    /// - Complexity: O(n).
    static func pack(_ fields: [UInt8], bits: Int) -> Data {
        guard bits < 8 else { return Data(fields) }
        let perByte = 8 / bits
        let mask = UInt8((1 << bits) - 1)
        let byteCount = (fields.count + perByte - 1) / perByte
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            fields.withUnsafeBufferPointer { source in
                for byteIndex in 0..<byteCount {
                    var byte: UInt8 = 0
                    let first = byteIndex * perByte
                    for slot in 0..<min(perByte, source.count - first) {
                        byte |= (source[first + slot] & mask) << UInt8(slot * bits)
                    }
                    out[byteIndex] = byte
                }
            }
            initialized = byteCount
        }
        return Data(bytes)
    }

    /// Unpacks `count` fields of `bits` bits (1, 2, 4 or 8) packed by ``pack(_:bits:)``.
    /// - Parameter bytes: exactly `⌈count × bits / 8⌉` bytes (the caller checked the length).
    /// - Returns: the fields, or `nil` when a padding bit of the last byte is set.
    /// - Complexity: O(n).
    static func unpack(_ bytes: Data, bits: Int, count: Int) -> [UInt8]? {
        guard bits < 8 else { return [UInt8](bytes) }
        let perByte = 8 / bits
        let mask = UInt8((1 << bits) - 1)
        return bytes.withUnsafeBytes { raw -> [UInt8]? in
            let fields = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                for index in 0..<count {
                    out[index] = (raw[index / perByte] >> UInt8(index % perByte * bits)) & mask
                }
                initialized = count
            }
            let used = count % perByte
            if used != 0, let last = raw.last, last >> UInt8(used * bits) != 0 { return nil }
            return fields
        }
    }
}
