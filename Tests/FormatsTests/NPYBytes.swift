import Formats

/// Builds `.npy` byte literals for the error tests: magic, version, a 2-byte (v1) or 4-byte (v2, v3)
/// little-endian header length, the header exactly as given (no padding), then `data`.
enum NPYBytes {
    static func file(_ header: String, version: UInt8 = 1, data: [UInt8] = []) -> [UInt8] {
        file(headerBytes: Array(header.utf8), version: version, data: data)
    }

    static func file(headerBytes: [UInt8], version: UInt8 = 1, data: [UInt8] = []) -> [UInt8] {
        let length = headerBytes.count
        let lengthField =
            version == 1
            ? [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF)]
            : [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
        return NPYHeader.magic + [version, 0] + lengthField + headerBytes + data
    }

    /// A header dict with the given entries, as numpy spells it.
    static func dict(descr: String = "'<f4'", fortranOrder: String = "False", shape: String = "(1,)") -> String {
        "{'descr': \(descr), 'fortran_order': \(fortranOrder), 'shape': \(shape), }\n"
    }

    static func parse(_ bytes: [UInt8]) throws(FormatError) -> NPYHeader {
        try NPYReader.parseHeader(bytes, fileByteCount: bytes.count)
    }
}
