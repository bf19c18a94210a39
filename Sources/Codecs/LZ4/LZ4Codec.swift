import CLZ4

/// LZ4 in the LZ4 *frame* format (lz4frame.h; the format `lz4 -d` reads), one frame per payload, with the
/// content size in the frame header (except for empty input, where 0 means "not recorded") and default
/// settings otherwise: fast mode, linked 64 KiB blocks, no checksums (the container checksums payloads).
///
/// Stage name `"lz4"`; no parameters.
public struct LZ4Codec: ByteCodec {
    /// `"lz4"`.
    public var name: String { "lz4" }

    /// `[:]`: the frame format has no setting a decoder needs.
    public var parameters: [String: String] { [:] }

    /// Creates a codec.
    public init() {}
}

extension LZ4Codec {
    /// The smallest frame: a 7-byte header (magic, FLG, BD, header checksum) and the 4-byte end mark.
    static let minimumFrameByteCount = 7 + 4

    /// Bytes one payload byte can decode to, at most: in an LZ4 block each byte of a match-length extension
    /// adds at most 255 bytes of output, and every other byte adds less (LZ4 block format, "Token").
    static let maximumDecodedBytesPerPayloadByte = 255

    /// liblz4's name for a `size_t` error result, e.g. `"ERROR_frameType_unknown"`.
    static func errorName(_ result: Int) -> String {
        String(cString: LZ4F_getErrorName(result))
    }
}
