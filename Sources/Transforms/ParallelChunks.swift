import Foundation

/// Splits element-wise work into a few contiguous ranges and runs them on all cores.
///
/// Callers share their buffers with the ranges as `nonisolated(unsafe)` pointers; each range writes only its
/// own part of the output (or its own tally), so results do not depend on how many cores ran.
enum ParallelChunks {
    /// Ranges run at once: the active processors, at most 8.
    static var width: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    /// `0..<count` split into at most ``width`` contiguous ranges of at least `minimumLength` elements each
    /// (one range when `count` is small); range starts are multiples of `alignment`.
    static func ranges(count: Int, minimumLength: Int, alignment: Int = 1) -> [Range<Int>] {
        let pieces = max(1, min(width, count / max(1, minimumLength)))
        guard pieces > 1 else { return [0..<count] }
        var length = (count + pieces - 1) / pieces
        length = (length + alignment - 1) / alignment * alignment
        return stride(from: 0, to: count, by: length).map { $0..<min($0 + length, count) }
    }

    /// Calls `body(index, range)` for every range, concurrently when there is more than one.
    static func run(_ ranges: [Range<Int>], _ body: @Sendable (Int, Range<Int>) -> Void) {
        guard ranges.count > 1 else {
            if let only = ranges.first { body(0, only) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: ranges.count) { index in body(index, ranges[index]) }
    }
}
