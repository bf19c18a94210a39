import CLZ4

extension LZ4Codec {
    /// Compresses `input` into one LZ4 frame whose header records `input.count` (unless it is 0).
    ///
    /// Uses `LZ4F_compressFrame` with default preferences plus the content size.
    /// - Returns: the frame; deterministic for equal input.
    /// - Throws: `CodecError.Code.inputTooLarge` when the worst-case frame size overflows `Int`;
    ///   `.compressionFailed` when liblz4 fails.
    /// - Complexity: O(n) time; O(`LZ4F_compressFrameBound(n)`) memory during the call.
    public func encode(_ input: UnsafeRawBufferPointer) throws(CodecError) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentSize = UInt64(input.count)
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        guard LZ4F_isError(bound) == 0, bound >= input.count else {
            throw CodecError(
                .inputTooLarge, "input of \(input.count) bytes exceeds what one LZ4 frame can hold", codecName: name)
        }
        var result = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initializedCount in
            result = withNonNullBaseAddress(of: input) { source in
                LZ4F_compressFrame(buffer.baseAddress, bound, source, input.count, &preferences)
            }
            initializedCount = LZ4F_isError(result) == 0 ? result : 0
        }
        guard LZ4F_isError(result) == 0 else {
            throw CodecError(
                .compressionFailed, "compressing \(input.count) bytes failed: \(Self.errorName(result))",
                codecName: name)
        }
        return output.shrunkToFit()
    }
}
