import Foundation
import ZIPFoundation

/// Inflates raw DEFLATE data (RFC 1951, ZIP method 8) with ZIPFoundation's zlib binding, bounded on both
/// sides: input never comes from past the member's compressed bytes, and output stops at a byte limit.
///
/// ZIPFoundation's archive reader asks for input past a member's end and, on Linux, loops forever on a
/// stream that is cut short; this wrapper feeds `Data.decompress` from the member's bytes only, hands it
/// whole input chunks (zero-filled past the end, so zlib never reads outside a buffer) and stops with an
/// error once the compressed bytes are used up.
enum ZIPInflater {
    /// Input and output chunk size.
    static let chunkSize = 1 << 16

    private struct StopAtLimit: Error {}
    private struct InputExhausted: Error {}
    private struct OutputTooLong: Error {}

    /// Inflates `compressed`, producing at most `byteLimit` bytes.
    /// - Parameter stopAtLimit: when true, return the first `byteLimit` bytes and stop (to read a header
    ///   without inflating the rest); when false, a stream longer than `byteLimit` is an error.
    /// - Returns: the inflated bytes (fewer than `byteLimit` when the stream ends sooner).
    /// - Throws: `FormatError.Code.corruptCompressedData` when the stream is invalid, does not end within
    ///   `compressed`, or (unless `stopAtLimit`) inflates to more than `byteLimit` bytes.
    /// - Complexity: O(output) time; memory grows with the output, never reserved up front beyond 64 MiB.
    static func inflate(_ compressed: Data, byteLimit: Int, stopAtLimit: Bool) throws(FormatError) -> Data {
        var output = Data()
        output.reserveCapacity(min(byteLimit, 1 << 26))
        do {
            _ = try Data.decompress(
                size: Int64(compressed.count), bufferSize: chunkSize, skipCRC32: true,
                provider: { position, size in
                    guard size > 0 else { return Data() }
                    let start = Int(position)
                    guard start < compressed.count else { throw InputExhausted() }
                    let end = min(compressed.count, start + size)
                    var chunk = Data(compressed[(compressed.startIndex + start)..<(compressed.startIndex + end)])
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                },
                consumer: { piece in
                    let room = byteLimit - output.count
                    guard piece.count <= room else {
                        output.append(piece.prefix(room))
                        throw stopAtLimit ? StopAtLimit() : OutputTooLong()
                    }
                    output.append(piece)
                })
        } catch is StopAtLimit {
            return output
        } catch is InputExhausted {
            throw FormatError(
                .corruptCompressedData,
                "the deflate stream does not end within its \(compressed.count) compressed bytes")
        } catch is OutputTooLong {
            throw FormatError(.corruptCompressedData, "the deflate stream inflates to more than \(byteLimit) bytes")
        } catch {
            throw FormatError(.corruptCompressedData, "the deflate stream is corrupt (\(error))")
        }
        return output
    }
}
