/// A lossless codec on byte streams: the last stages of a tensor's encoding chain.
///
/// A codec is a value that holds its settings only; every call creates and frees its own C context,
/// so one codec may be used from many tasks at once. `decode(_:decodedByteCount:)` never needs the
/// settings `encode(_:)` used: any payload of the codec's format decodes with any instance.
public protocol ByteCodec: Sendable {
    /// Stage identifier recorded in the container: `"zstd"` or `"lz4"`.
    var name: String { get }

    /// Parameters recorded in the container, as strings, e.g. `["level": "3"]`.
    ///
    /// The codec's `init(parameters:)`, where it has one, is the inverse.
    var parameters: [String: String] { get }

    /// Compresses `input` into one self-describing frame that records `input.count`.
    ///
    /// - Parameter input: the bytes to compress; may be empty.
    /// - Returns: the frame; deterministic for equal input and settings.
    /// - Throws: `CodecError.Code.inputTooLarge` when `input` exceeds the codec's frame limit;
    ///   `.compressionFailed` when the C library fails (e.g. cannot allocate).
    /// - Complexity: O(n) time; O(n) memory for the output.
    func encode(_ input: UnsafeRawBufferPointer) throws(CodecError) -> [UInt8]

    /// Decompresses `input`, which must be exactly one frame decoding to exactly `decodedByteCount` bytes.
    ///
    /// Allocates at most `decodedByteCount` bytes of output (the count comes from a trusted-but-checked
    /// index), and only after the frame header and the codec's maximum compression ratio agree with it.
    /// Nothing in `input` can make this trap.
    /// - Parameters:
    ///   - input: one frame, with no bytes before or after it.
    ///   - decodedByteCount: the exact size of the decoded bytes; `0` for an empty payload.
    /// - Returns: `decodedByteCount` bytes.
    /// - Throws: `CodecError.Code.corruptInput` when `input` is not a frame of this codec, is corrupt or
    ///   truncated, or has bytes after the frame; `.sizeMismatch` when `decodedByteCount` is negative, or
    ///   differs from the size the frame records or decodes to, or exceeds what `input.count` bytes can
    ///   decode to; `.compressionFailed` when the C library fails (e.g. cannot allocate a context).
    /// - Complexity: O(`input.count` + `decodedByteCount`) time.
    func decode(_ input: UnsafeRawBufferPointer, decodedByteCount: Int) throws(CodecError) -> [UInt8]
}
