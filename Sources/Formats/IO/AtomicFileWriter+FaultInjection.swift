import Foundation

extension AtomicFileWriter {
    /// Failures to inject into an ``AtomicFileWriter``'s writes, so that tests can check what a full disk or a
    /// file system without unnamed files leaves behind. The default injects nothing.
    ///
    /// Writers built inside `AtomicFileWriter.$injectedFaults.withValue(_:operation:)` use the value given there,
    /// so a test reaches the writer inside `WPKWriter`, `SafetensorsWriter`, … without a parameter of theirs.
    struct FaultInjection: Sendable {
        /// Bytes the kernel accepts before every further write fails with ``errorNumber``; `nil` for no limit.
        /// A write that crosses the limit writes the bytes up to it, then fails (as a real full disk does).
        var failingAfterByteCount: Int?
        /// The `errno` of the injected failure.
        var errorNumber: Int32 = ENOSPC
        /// `false` makes the writer use a named temporary file even where `O_TMPFILE` works.
        var allowsUnnamedFile = true

        init(failingAfterByteCount: Int? = nil, errorNumber: Int32 = ENOSPC, allowsUnnamedFile: Bool = true) {
            self.failingAfterByteCount = failingAfterByteCount
            self.errorNumber = errorNumber
            self.allowsUnnamedFile = allowsUnnamedFile
        }
    }

    /// The faults that writers created in the current task get; none unless a test binds a value.
    @TaskLocal static var injectedFaults = FaultInjection()
}
