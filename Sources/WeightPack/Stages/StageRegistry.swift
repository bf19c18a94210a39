import TensorCore
import Transforms

/// The value transforms a chain may name, by stage name.
///
/// ``standard`` holds every transform of this version; tests may build registries of their own.
public struct StageRegistry: Sendable {
    /// Transform types by their `stageName`.
    public var transforms: [String: any ValueTransform.Type]

    /// Creates a registry of `types`.
    public init(_ types: [any ValueTransform.Type]) {
        transforms = Dictionary(types.map { ($0.stageName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every value transform WeightPack ships (docs/FORMAT.md §5).
    public static let standard = StageRegistry(StandardStages.valueTransforms)

    /// The transform type recorded as `name`, or `nil`.
    public func transform(named name: String) -> (any ValueTransform.Type)? { transforms[name] }
}
