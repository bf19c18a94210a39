/// A tensor name compared and hashed by its UTF-8 bytes.
///
/// Swift's `String ==` treats canonically equivalent strings as equal ("é" and "e" + U+0301), but weight
/// formats compare names byte for byte: such names are two different tensors. Use this key wherever names
/// are matched, deduplicated or sorted. Ordering is lexicographic over the bytes, as Rust's `String` and the
/// reference safetensors writer order them.
public struct TensorNameKey: Hashable, Comparable, Sendable {
    /// The name's UTF-8 bytes.
    public let bytes: [UInt8]

    /// The key of `name`.
    public init(_ name: String) { bytes = Array(name.utf8) }

    public static func < (lhs: TensorNameKey, rhs: TensorNameKey) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
