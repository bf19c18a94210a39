/// How far a long operation (pack, convert, verify) has come, reported after each tensor.
public struct ProgressUpdate: Sendable, Equatable {
    /// Tensors finished.
    public var tensorsDone: Int
    /// Tensors in all.
    public var tensorCount: Int
    /// Source bytes (element bytes at the source dtype) finished.
    public var bytesDone: Int
    /// Source bytes in all.
    public var byteCount: Int

    /// Creates an update.
    public init(tensorsDone: Int, tensorCount: Int, bytesDone: Int, byteCount: Int) {
        self.tensorsDone = tensorsDone
        self.tensorCount = tensorCount
        self.bytesDone = bytesDone
        self.byteCount = byteCount
    }
}

/// Receives progress; called on the working thread after each tensor, so it must return quickly.
public typealias ProgressHandler = (ProgressUpdate) -> Void
