import Foundation

/// Splits work on many blocks into contiguous chunks and runs them on all cores. Each chunk writes its own
/// part of the output, so the result does not depend on how many cores ran or in which order. Callers share
/// their buffers with the chunks as `nonisolated(unsafe)` pointers: every chunk reads the whole input but writes
/// only the blocks it was given.
enum GGMLBlockRanges {
    /// Blocks per chunk: 8,192 blocks are 262,144 values (1 MiB of Float32), enough to amortize the dispatch.
    static let chunkSize = 8_192

    /// Calls `body` once per chunk of `0..<blockCount`, concurrently when there is more than one chunk.
    static func forEachChunk(of blockCount: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = (blockCount + chunkSize - 1) / chunkSize
        guard chunks > 1 else {
            body(0..<blockCount)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            body(start..<Swift.min(start + chunkSize, blockCount))
        }
    }
}
