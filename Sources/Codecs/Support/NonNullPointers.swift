/// Calls `body` with `buffer`'s base address, or with the address of a local byte when `buffer` is empty and
/// has none, so that C functions which reject a null pointer (even with a zero size) get a valid one.
///
/// `body` must read at most `buffer.count` bytes.
func withNonNullBaseAddress<Result>(
    of buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawPointer) -> Result
) -> Result {
    if let baseAddress = buffer.baseAddress { return body(baseAddress) }
    var placeholder: UInt8 = 0
    return withUnsafeMutablePointer(to: &placeholder) { body(UnsafeRawPointer($0)) }
}

/// Calls `body` with `buffer`'s base address, or with the address of a local byte when `buffer` is empty and
/// has none (as `[UInt8](unsafeUninitializedCapacity: 0)` may give).
///
/// `body` must write at most `buffer.count` bytes.
func withNonNullBaseAddress<Result>(
    of buffer: UnsafeMutableBufferPointer<UInt8>, _ body: (UnsafeMutableRawPointer) -> Result
) -> Result {
    if let baseAddress = buffer.baseAddress { return body(UnsafeMutableRawPointer(baseAddress)) }
    var placeholder: UInt8 = 0
    return withUnsafeMutablePointer(to: &placeholder) { body(UnsafeMutableRawPointer($0)) }
}
