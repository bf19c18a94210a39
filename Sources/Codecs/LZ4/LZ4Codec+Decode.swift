import CLZ4

extension LZ4Codec {
    /// Decompresses one LZ4 frame that decodes to exactly `decodedByteCount` bytes.
    ///
    /// Checks, in order and before allocating: the frame header (`LZ4F_getFrameInfo`), which must not be a
    /// skippable frame; its content size, when recorded, against `decodedByteCount`; and that `input.count`
    /// bytes can decode to that many (see ``maximumDecodedBytesPerPayloadByte``). Then decodes with
    /// `LZ4F_decompress` into exactly `decodedByteCount` bytes, and fails on the first byte beyond them.
    /// Frames without a content size (as `lz4` writes by default) and with checksums are accepted.
    /// - Throws: `CodecError.Code.corruptInput` for a bad header, corrupt blocks or checksums, a frame
    ///   without its end mark, or bytes after it; `.sizeMismatch` when `decodedByteCount` is negative or
    ///   disagrees with the frame; `.compressionFailed` when liblz4 cannot allocate a context.
    /// - Complexity: O(`input.count` + `decodedByteCount`) time.
    public func decode(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) -> [UInt8] {
        guard decodedByteCount >= 0 else {
            throw CodecError(.sizeMismatch, "decoded byte count \(decodedByteCount) is negative", codecName: name)
        }
        guard input.count >= Self.minimumFrameByteCount else {
            throw CodecError(
                .corruptInput,
                "payload of \(input.count) bytes is shorter than the smallest LZ4 frame "
                    + "(\(Self.minimumFrameByteCount) bytes: header and end mark)",
                codecName: name)
        }
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw CodecError(.compressionFailed, "could not allocate a decompression context", codecName: name)
        }
        defer { LZ4F_freeDecompressionContext(context) }

        var consumed = try readFrameHeader(context, input, decodedByteCount: decodedByteCount)
        try checkMaximumRatio(decodedByteCount, payloadByteCount: input.count)
        var failure: CodecError?
        let output = [UInt8](unsafeUninitializedCapacity: decodedByteCount) { buffer, initializedCount in
            do throws(CodecError) {
                try decodeBlocks(context, input, consumed: &consumed, into: buffer, produced: &initializedCount)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard consumed == input.count else {
            throw CodecError(
                .corruptInput,
                "the frame ends at byte \(consumed), followed by \(input.count - consumed) trailing bytes",
                codecName: name)
        }
        guard output.count == decodedByteCount else {
            throw CodecError(
                .sizeMismatch, "payload decodes to \(output.count) bytes; expected \(decodedByteCount)",
                codecName: name)
        }
        return output
    }

    /// Throws `.sizeMismatch` when `payloadByteCount` bytes cannot decode to `decodedByteCount`.
    private func checkMaximumRatio(_ decodedByteCount: Int, payloadByteCount: Int) throws(CodecError) {
        let (limit, overflow) = payloadByteCount.multipliedReportingOverflow(
            by: Self.maximumDecodedBytesPerPayloadByte)
        guard overflow || decodedByteCount <= limit else {
            throw CodecError(
                .sizeMismatch,
                "a payload of \(payloadByteCount) bytes decodes to at most \(limit) bytes; "
                    + "expected \(decodedByteCount)",
                codecName: name)
        }
    }

    /// Reads and checks the frame header; returns its size in bytes, where block decoding resumes.
    private func readFrameHeader(
        _ context: OpaquePointer, _ input: UnsafeRawBufferPointer, decodedByteCount: Int
    ) throws(CodecError) -> Int {
        var frameInfo = LZ4F_frameInfo_t()
        var headerByteCount = input.count
        let result = LZ4F_getFrameInfo(context, &frameInfo, input.baseAddress, &headerByteCount)
        guard LZ4F_isError(result) == 0 else {
            throw CodecError(
                .corruptInput, "the LZ4 frame header is invalid: \(Self.errorName(result))", codecName: name)
        }
        guard frameInfo.frameType == LZ4F_frame else {
            throw CodecError(.corruptInput, "payload is a skippable frame, not an LZ4 data frame", codecName: name)
        }
        // A content size of 0 means "not recorded".
        if frameInfo.contentSize != 0, frameInfo.contentSize != UInt64(decodedByteCount) {
            throw CodecError(
                .sizeMismatch,
                "the frame header records \(frameInfo.contentSize) decoded bytes; expected \(decodedByteCount)",
                codecName: name)
        }
        return headerByteCount
    }

    /// Decodes blocks from `input[consumed...]` into `output` until the frame's end mark.
    ///
    /// Once `output` is full, decoding continues into a one-byte probe: any byte written there means the
    /// frame decodes to more than `output.count` bytes. Input that runs out before the end mark is truncated.
    private func decodeBlocks(
        _ context: OpaquePointer, _ input: UnsafeRawBufferPointer, consumed: inout Int,
        into output: UnsafeMutableBufferPointer<UInt8>, produced: inout Int
    ) throws(CodecError) {
        guard let source = input.baseAddress else { return }  // unreachable: the caller checked input.count
        var probe: UInt8 = 0
        while true {
            let outputIsFull = produced == output.count
            var writtenByteCount = outputIsFull ? 1 : output.count - produced
            var readByteCount = input.count - consumed
            let hint = withUnsafeMutablePointer(to: &probe) { probe in
                // `output.baseAddress` is non-nil here: `output` has room, so it is not empty.
                let destination = UnsafeMutableRawPointer(outputIsFull ? probe : output.baseAddress! + produced)
                return LZ4F_decompress(
                    context, destination, &writtenByteCount, source + consumed, &readByteCount, nil)
            }
            guard LZ4F_isError(hint) == 0 else {
                throw CodecError(
                    .corruptInput, "the frame is corrupt near byte \(consumed): \(Self.errorName(hint))",
                    codecName: name)
            }
            consumed += readByteCount
            if outputIsFull, writtenByteCount > 0 {
                throw CodecError(
                    .sizeMismatch, "payload decodes to more than the expected \(output.count) bytes", codecName: name)
            }
            if !outputIsFull { produced += writtenByteCount }
            if hint == 0 { return }  // The end mark (and checksum, if any) has been read.
            if readByteCount == 0, writtenByteCount == 0 {
                throw CodecError(
                    .corruptInput,
                    consumed == input.count
                        ? "the frame is truncated: \(input.count) bytes end before its end mark"
                        : "the decoder stopped making progress at byte \(consumed)",
                    codecName: name)
            }
        }
    }
}
