import Foundation

extension ByteShuffle {
    /// Elements split per step of ``planes(of:width:count:rotate:releasing:)`` before `release` is called: 16 MiB
    /// of input for every width.
    static let stepByteCount = 16 << 20

    /// Splits `bytes` into `width` planes of `count` bytes, each plane written in place into its own buffer (no
    /// scratch copy), a step of ``stepByteCount`` input bytes at a time, calling `release` after each step.
    static func planes(of bytes: Data, width: Int, count: Int, rotate: Bool, releasing release: ((Range<Int>) -> Void)?)
        -> [Data]
    {
        let buffers = (0..<width).map { _ in UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1)) }
        let step = max(1, stepByteCount / width)
        bytes.withUnsafeBytes { source in
            for start in stride(from: 0, to: count, by: step) {
                let end = min(start + step, count)
                split(
                    UnsafeRawBufferPointer(rebasing: source[(start * width)..<(end * width)]),
                    into: buffers.map { $0 + start }, width: width, count: end - start, rotate: rotate)
                release?((start * width)..<(end * width))
            }
        }
        return buffers.map { buffer in
            Data(bytesNoCopy: buffer, count: count, deallocator: .custom { pointer, _ in pointer.deallocate() })
        }
    }

    /// Calls `body` with a pointer to each plane's bytes.
    static func withPlanes(_ planes: [Data], _ body: ([UnsafePointer<UInt8>]) -> Void) {
        var pointers: [UnsafePointer<UInt8>] = []
        func visit(_ index: Int) {
            if index == planes.count {
                body(pointers)
                return
            }
            planes[index].withUnsafeBytes { raw in
                pointers.append(raw.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(placeholder()))
                visit(index + 1)
            }
        }
        visit(0)
    }

    /// A pointer for empty planes, never dereferenced (the kernels run `count = 0` times).
    private static func placeholder() -> UnsafeMutablePointer<UInt8> {
        UnsafeMutablePointer(bitPattern: 1)!
    }

    /// Writes byte `k` of every (rotated) element of `source` to `planes[k]`.
    static func split(
        _ source: UnsafeRawBufferPointer, into planes: [UnsafeMutablePointer<UInt8>], width: Int, count: Int,
        rotate: Bool
    ) {
        guard count > 0, let base = source.baseAddress else { return }
        switch width {
        case 1:
            planes[0].update(from: base.assumingMemoryBound(to: UInt8.self), count: count)
        case 2:
            let (p0, p1) = (planes[0], planes[1])
            let shift: UInt16 = rotate ? 1 : 0
            for i in 0..<count {
                let value = base.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self).littleEndian
                let word = value &<< shift | value &>> (16 &- shift)
                p0[i] = UInt8(truncatingIfNeeded: word)
                p1[i] = UInt8(truncatingIfNeeded: word &>> 8)
            }
        case 4:
            let (p0, p1, p2, p3) = (planes[0], planes[1], planes[2], planes[3])
            let shift: UInt32 = rotate ? 1 : 0
            for i in 0..<count {
                let value = base.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self).littleEndian
                let word = value &<< shift | value &>> (32 &- shift)
                p0[i] = UInt8(truncatingIfNeeded: word)
                p1[i] = UInt8(truncatingIfNeeded: word &>> 8)
                p2[i] = UInt8(truncatingIfNeeded: word &>> 16)
                p3[i] = UInt8(truncatingIfNeeded: word &>> 24)
            }
        default:
            let shift: UInt64 = rotate ? 1 : 0
            for i in 0..<count {
                let value = base.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self).littleEndian
                let word = value &<< shift | value &>> (64 &- shift)
                for k in 0..<8 { planes[k][i] = UInt8(truncatingIfNeeded: word &>> UInt64(k &* 8)) }
            }
        }
    }

    /// Reassembles (and rotates back) the elements from their planes into `target`.
    static func merge(
        _ planes: [UnsafePointer<UInt8>], into target: UnsafeMutableRawBufferPointer, width: Int, count: Int,
        rotate: Bool
    ) {
        guard count > 0, let base = target.baseAddress else { return }
        switch width {
        case 1:
            base.assumingMemoryBound(to: UInt8.self).update(from: planes[0], count: count)
        case 2:
            let (p0, p1) = (planes[0], planes[1])
            let shift: UInt16 = rotate ? 1 : 0
            for i in 0..<count {
                let word = UInt16(p0[i]) | UInt16(p1[i]) &<< 8
                let value = word &>> shift | word &<< (16 &- shift)
                base.storeBytes(of: value.littleEndian, toByteOffset: i &* 2, as: UInt16.self)
            }
        case 4:
            let (p0, p1, p2, p3) = (planes[0], planes[1], planes[2], planes[3])
            let shift: UInt32 = rotate ? 1 : 0
            for i in 0..<count {
                let word = UInt32(p0[i]) | UInt32(p1[i]) &<< 8 | UInt32(p2[i]) &<< 16 | UInt32(p3[i]) &<< 24
                let value = word &>> shift | word &<< (32 &- shift)
                base.storeBytes(of: value.littleEndian, toByteOffset: i &* 4, as: UInt32.self)
            }
        default:
            let shift: UInt64 = rotate ? 1 : 0
            for i in 0..<count {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(planes[k][i]) &<< UInt64(k &* 8) }
                let value = word &>> shift | word &<< (64 &- shift)
                base.storeBytes(of: value.littleEndian, toByteOffset: i &* 8, as: UInt64.self)
            }
        }
    }
}
