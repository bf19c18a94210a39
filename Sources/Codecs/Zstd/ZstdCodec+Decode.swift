import CZstd

extension ZstdCodec {
    /// Bytes one payload byte can decode to, at most, as libzstd's one-shot decoder behaves: an RLE block takes
    /// 4 bytes (3-byte header and the byte) and repeats the byte up to its 21-bit Block_Size, 2^21 - 1 times.
    /// RFC 8878 §3.1.1.2 caps a block at 128 KiB, and streaming decoders enforce that, but
    /// `ZSTD_decompressDCtx` (1.5.4) accepts larger RLE blocks, so the bound uses the field's maximum.
    /// Every other block decodes to fewer bytes per byte of payload, and the frame header to none.
    static let maximumDecodedBytesPerPayloadByte = 1 << 19

    /// `ZSTD_CONTENTSIZE_UNKNOWN`: the frame header does not record the content size (a macro Swift does not import).
    private static let contentSizeUnknown = UInt64.max
    /// `ZSTD_CONTENTSIZE_ERROR`: the frame header is invalid (a macro Swift does not import).
    private static let contentSizeError = UInt64.max - 1

    /// Decompresses one zstd frame that decodes to exactly `decodedByteCount` bytes.
    ///
    /// Checks, in order and before allocating: the magic number; that the frame's blocks end exactly at the
    /// end of `input` (`ZSTD_findFrameCompressedSize`); that the header's content size, when recorded,
    /// equals `decodedByteCount`; and that `input.count` bytes can decode to that many (see
    /// ``maximumDecodedBytesPerPayloadByte``). Then decodes with `ZSTD_decompressDCtx` into exactly
    /// `decodedByteCount` bytes. Frames without a content size (e.g. from `zstd` reading a pipe) and with
    /// a checksum are accepted; skippable frames and dictionaries are not.
    /// - Throws: `CodecError.Code.corruptInput` for a bad magic number, a corrupt or truncated frame, or
    ///   bytes after it; `.sizeMismatch` when `decodedByteCount` is negative or disagrees with the frame;
    ///   `.compressionFailed` when libzstd cannot allocate a context.
    /// - Complexity: O(`input.count` + `decodedByteCount`) time.
    public func decode(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) -> [UInt8] {
        try validateFrame(input, decodedByteCount: decodedByteCount)
        guard let context = ZSTD_createDCtx() else {
            throw CodecError(.compressionFailed, "could not allocate a decompression context", codecName: name)
        }
        defer { ZSTD_freeDCtx(context) }

        var result = 0
        let output = [UInt8](unsafeUninitializedCapacity: decodedByteCount) { buffer, initializedCount in
            result = withNonNullBaseAddress(of: buffer) { destination in
                ZSTD_decompressDCtx(context, destination, decodedByteCount, input.baseAddress, input.count)
            }
            initializedCount = ZSTD_isError(result) == 0 ? result : 0
        }
        if ZSTD_isError(result) != 0 {
            if ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall {
                throw CodecError(
                    .sizeMismatch, "payload decodes to more than the expected \(decodedByteCount) bytes",
                    codecName: name)
            }
            throw CodecError(
                .corruptInput, "payload of \(input.count) bytes is corrupt: \(Self.errorName(result))",
                codecName: name)
        }
        guard result == decodedByteCount else {
            throw CodecError(
                .sizeMismatch, "payload decodes to \(result) bytes; expected \(decodedByteCount)", codecName: name)
        }
        return output
    }

    /// The checks `decode` makes before it allocates; see there.
    private func validateFrame(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) {
        guard decodedByteCount >= 0 else {
            throw CodecError(.sizeMismatch, "decoded byte count \(decodedByteCount) is negative", codecName: name)
        }
        guard input.count >= 4, input.loadUnaligned(as: UInt32.self).littleEndian == ZSTD_MAGICNUMBER else {
            throw CodecError(
                .corruptInput, "payload of \(input.count) bytes does not start with the zstd magic number 28 B5 2F FD",
                codecName: name)
        }
        let frameByteCount = ZSTD_findFrameCompressedSize(input.baseAddress, input.count)
        guard ZSTD_isError(frameByteCount) == 0 else {
            throw CodecError(
                .corruptInput,
                "payload of \(input.count) bytes is truncated or corrupt: \(Self.errorName(frameByteCount))",
                codecName: name)
        }
        guard frameByteCount == input.count else {
            throw CodecError(
                .corruptInput,
                "the frame ends at byte \(frameByteCount), followed by \(input.count - frameByteCount) trailing bytes",
                codecName: name)
        }
        let contentSize = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        guard contentSize != Self.contentSizeError else {
            throw CodecError(.corruptInput, "the frame header is invalid", codecName: name)
        }
        if contentSize != Self.contentSizeUnknown, contentSize != UInt64(decodedByteCount) {
            throw CodecError(
                .sizeMismatch, "the frame header records \(contentSize) decoded bytes; expected \(decodedByteCount)",
                codecName: name)
        }
        let (limit, overflow) = input.count.multipliedReportingOverflow(by: Self.maximumDecodedBytesPerPayloadByte)
        guard overflow || decodedByteCount <= limit else {
            throw CodecError(
                .sizeMismatch,
                "a payload of \(input.count) bytes decodes to at most \(limit) bytes; expected \(decodedByteCount)",
                codecName: name)
        }
    }
}
