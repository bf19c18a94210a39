extension Array where Element == UInt8 {
    /// Returns the bytes in storage of about their own size when more than an eighth (and 4 KiB) of the
    /// capacity is unused, as after compressing into a worst-case-sized buffer; otherwise returns `self`.
    ///
    /// Keeps a payload of 1 MB that compressed from 1 GB from pinning 1 GB of memory.
    /// - Complexity: O(n) when it copies, O(1) otherwise.
    func shrunkToFit() -> [UInt8] {
        let unused = capacity - count
        guard unused > Swift.max(4096, count / 8) else { return self }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            initializedCount = buffer.initialize(fromContentsOf: self)
        }
    }
}
