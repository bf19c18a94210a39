/// One array in an `.npz` archive: the ZIP member `name + ".npy"` and its validated `.npy` header.
///
/// The sizes are the ZIP central directory's, already checked against the reader's limit and against the
/// size the header implies (`header.dataOffset` + element count × item size).
public struct NPZEntry: Sendable, Equatable {
    /// The tensor's name: the member name without its `.npy` suffix (`layers/0.w.npy` → `layers/0.w`).
    public var name: String
    /// The member's `.npy` header.
    public var header: NPYHeader
    /// Bytes the member occupies in the archive (equal to ``uncompressedByteCount`` when stored).
    public var compressedByteCount: Int
    /// Bytes of the member's `.npy` file once inflated: header plus elements.
    public var uncompressedByteCount: Int
    /// True for a deflated member (`np.savez_compressed`), false for a stored one (`np.savez`).
    public var isCompressed: Bool

    /// Creates an entry from already validated fields.
    public init(
        name: String, header: NPYHeader, compressedByteCount: Int, uncompressedByteCount: Int, isCompressed: Bool
    ) {
        self.name = name
        self.header = header
        self.compressedByteCount = compressedByteCount
        self.uncompressedByteCount = uncompressedByteCount
        self.isCompressed = isCompressed
    }
}
