/// An ordered set of uniquely named tensors with the string metadata of the file they came from.
public struct TensorCollection: Sendable, Equatable {
    /// The tensors, in file order.
    public private(set) var tensors: [Tensor]
    /// Free-form string metadata (safetensors' `__metadata__`, carried through `.wpk`).
    public var metadata: [String: String]
    private var indexByName: [TensorNameKey: Int]

    /// Creates a collection.
    /// - Throws: `CoreError.Code.duplicateTensorName` when two tensors share a name.
    public init(tensors: [Tensor] = [], metadata: [String: String] = [:]) throws(CoreError) {
        self.tensors = []
        self.metadata = metadata
        self.indexByName = [:]
        for tensor in tensors { try append(tensor) }
    }

    /// Adds a tensor at the end.
    /// - Throws: `CoreError.Code.duplicateTensorName` when the name is taken.
    public mutating func append(_ tensor: Tensor) throws(CoreError) {
        guard indexByName[TensorNameKey(tensor.name)] == nil else {
            throw CoreError(.duplicateTensorName, "a tensor of this name is already present", tensorName: tensor.name)
        }
        indexByName[TensorNameKey(tensor.name)] = tensors.count
        tensors.append(tensor)
    }

    /// The tensor named `name` (compared byte for byte), or `nil`.
    public subscript(name: String) -> Tensor? {
        indexByName[TensorNameKey(name)].map { tensors[$0] }
    }

    /// Tensor names in file order.
    public var names: [String] { tensors.map(\.name) }

    public static func == (lhs: TensorCollection, rhs: TensorCollection) -> Bool {
        lhs.tensors == rhs.tensors && lhs.metadata == rhs.metadata
    }
}
