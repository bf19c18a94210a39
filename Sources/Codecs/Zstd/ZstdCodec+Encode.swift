import CZstd

extension ZstdCodec {
    /// Compresses `input` into one zstd frame whose header records `input.count`.
    ///
    /// Uses `ZSTD_compress2` with a compression context local to the call, at ``level`` and, when libzstd
    /// supports it, with ``workers`` threads.
    /// - Returns: the frame; deterministic for equal input, level, and whether `workers` is 0 (libzstd writes
    ///   the same bytes for any positive worker count, but not the same as single-threaded).
    /// - Throws: `CodecError.Code.inputTooLarge` when `input` exceeds `ZSTD_MAX_INPUT_SIZE`;
    ///   `.compressionFailed` when libzstd cannot allocate a context or rejects a setting.
    /// - Complexity: O(n) time; O(`ZSTD_compressBound(n)`) memory during the call.
    public func encode(_ input: UnsafeRawBufferPointer) throws(CodecError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        guard ZSTD_isError(bound) == 0 else {
            throw CodecError(
                .inputTooLarge, "input of \(input.count) bytes exceeds zstd's single-frame limit",
                codecName: name)
        }
        guard let context = ZSTD_createCCtx() else {
            throw CodecError(.compressionFailed, "could not allocate a compression context", codecName: name)
        }
        defer { ZSTD_freeCCtx(context) }
        try configure(context)

        var result = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initializedCount in
            result = withNonNullBaseAddress(of: input) { source in
                ZSTD_compress2(context, buffer.baseAddress, bound, source, input.count)
            }
            initializedCount = ZSTD_isError(result) == 0 ? result : 0
        }
        guard ZSTD_isError(result) == 0 else {
            throw CodecError(
                .compressionFailed,
                "compressing \(input.count) bytes failed: \(Self.errorName(result))", codecName: name)
        }
        return output.shrunkToFit()
    }

    /// Sets the level, the content-size flag, no checksum, and the worker count when libzstd supports it.
    private func configure(_ context: OpaquePointer) throws(CodecError) {
        var settings: [(ZSTD_cParameter, Int32, String)] = [
            (ZSTD_c_compressionLevel, Int32(level), "compression level \(level)"),
            (ZSTD_c_contentSizeFlag, 1, "content size flag"),
            (ZSTD_c_checksumFlag, 0, "checksum flag"),
        ]
        let workerBounds = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers)
        if workers > 0, ZSTD_isError(workerBounds.error) == 0, workerBounds.upperBound > 0 {
            let count = Int32(min(workers, Int(workerBounds.upperBound)))
            settings.append((ZSTD_c_nbWorkers, count, "worker count \(count)"))
        }
        for (parameter, value, label) in settings {
            let result = ZSTD_CCtx_setParameter(context, parameter, value)
            guard ZSTD_isError(result) == 0 else {
                throw CodecError(
                    .compressionFailed, "libzstd rejected the \(label): \(Self.errorName(result))",
                    codecName: name)
            }
        }
    }
}
