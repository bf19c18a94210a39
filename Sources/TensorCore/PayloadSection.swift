import Foundation

/// One stream of a tensor's encoded payload: what a stage produced and the next stage takes.
///
/// A payload is an ordered list of sections. It starts as one section holding the tensor's elements; a value
/// transform (quantization, clustering, pruning, low-rank) replaces the float section it takes with the
/// sections it produces; an entropy stage codes every section separately. A payload holds at most one
/// section of float values still open to a lossy stage. The stored layout of a payload is in docs/FORMAT.md §5.
public struct PayloadSection: Sendable, Equatable {
    /// What a section's bytes are.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// Elements of `dtype` in row-major order, little-endian, `shape.elementCount × dtype.byteWidth` bytes.
        /// A floating-point `elements` section is the input of the next value transform.
        case elements(DType, Shape)
        /// Opaque bytes in a stage's own layout. `symbolWidth` (1, 2 or 4 bytes) is the width of the
        /// little-endian signed integers an entropy coder should model them as.
        case bytes(symbolWidth: Int)

        /// Symbol width in bytes for entropy coders: the element width for `elements`.
        public var symbolWidth: Int {
            switch self {
            case .elements(let dtype, _): dtype.byteWidth
            case .bytes(let width): width
            }
        }

        /// True for a floating-point `elements` section.
        public var holdsFloatValues: Bool {
            if case .elements(let dtype, _) = self { return dtype.isFloatingPoint }
            return false
        }

        public var description: String {
            switch self {
            case .elements(let dtype, let shape): "\(dtype.name)\(shape)"
            case .bytes(let width): "bytes(width \(width))"
            }
        }
    }

    /// What the bytes are.
    public var kind: Kind
    /// The section's bytes.
    public var bytes: Data

    /// Creates a section.
    public init(kind: Kind, bytes: Data) {
        self.kind = kind
        self.bytes = bytes
    }

    /// A float32 section of `shape` holding `values` (little-endian).
    public init(float32 values: [Float], shape: Shape) {
        kind = .elements(.float32, shape)
        bytes = values.withUnsafeBytes { Data($0) }
    }
}
