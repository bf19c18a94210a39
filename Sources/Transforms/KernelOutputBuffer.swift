import Foundation

/// Output buffers for the kernels of Transforms (GGML blocks, integer dequantization): large ones are backed by transparent huge pages on Linux, as numpy
/// backs its own large arrays (`madvise(MADV_HUGEPAGE)` for 4 MiB and more), so that filling them costs one
/// page fault per 2 MiB rather than one per 4 KiB.
enum KernelOutputBuffer {
    /// Buffers at least this large get the huge-page hint.
    static let hugePageThreshold = 4 << 20

    /// Asks the kernel to back the 2 MiB-aligned interior of `[start, start + byteCount)` with huge pages; call
    /// before the first write. A hint only: no effect off Linux, or when transparent huge pages are disabled.
    static func adviseHugePages(_ start: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
            guard byteCount >= hugePageThreshold else { return }
            let hugePage = UInt(2 << 20)
            let first = (UInt(bitPattern: start) + hugePage - 1) & ~(hugePage - 1)
            let end = (UInt(bitPattern: start) + UInt(byteCount)) & ~(hugePage - 1)
            guard end > first, let aligned = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(aligned, Int(end - first), 14)  // MADV_HUGEPAGE
        #endif
    }

    /// `byteCount` bytes filled by `fill` (which must write every byte), without zeroing them first.
    static func data(byteCount: Int, _ fill: (UnsafeMutableRawPointer) -> Void) -> Data {
        guard byteCount > 0, let buffer = malloc(byteCount) else { return Data(count: byteCount) }
        adviseHugePages(buffer, byteCount: byteCount)
        fill(buffer)
        return Data(bytesNoCopy: buffer, count: byteCount, deallocator: .free)
    }

    /// `count` Floats filled by `fill` (which must write every element).
    static func floats(count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                adviseHugePages(UnsafeMutableRawPointer(base), byteCount: count * 4)
                fill(base)
            }
            initialized = count
        }
    }
}
