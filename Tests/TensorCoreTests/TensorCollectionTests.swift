import Foundation
import Testing

@testable import TensorCore

struct TensorCollectionTests {
    private func tensor(_ name: String, _ value: UInt8 = 0) -> Tensor {
        try! Tensor(name: name, dtype: .uint8, shape: [1], data: Data([value]))
    }

    @Test func keepsFileOrderAndLooksUpByName() throws {
        let collection = try TensorCollection(
            tensors: [tensor("z", 1), tensor("a", 2), tensor("m", 3)], metadata: ["format": "pt"])
        #expect(collection.names == ["z", "a", "m"])
        #expect(collection["a"]?.data == Data([2]))
        #expect(collection["missing"] == nil)
        #expect(collection.metadata == ["format": "pt"])
    }

    @Test func initRejectsDuplicateNames() {
        let error = #expect(throws: CoreError.self) {
            try TensorCollection(tensors: [tensor("w"), tensor("b"), tensor("w", 9)])
        }
        #expect(error?.code == .duplicateTensorName)
        #expect(error?.tensorName == "w")
    }

    @Test func appendRejectsATakenNameAndKeepsTheCollectionUnchanged() throws {
        var collection = try TensorCollection(tensors: [tensor("w", 1)])
        let error = #expect(throws: CoreError.self) { try collection.append(tensor("w", 2)) }
        #expect(error?.code == .duplicateTensorName)
        #expect(collection.names == ["w"])
        #expect(collection["w"]?.data == Data([1]))
        try collection.append(tensor("b", 3))
        #expect(collection.names == ["w", "b"])
    }

    @Test func equalityComparesTensorsInOrderAndMetadata() throws {
        let first = try TensorCollection(tensors: [tensor("a"), tensor("b")], metadata: ["k": "v"])
        #expect(first == (try TensorCollection(tensors: [tensor("a"), tensor("b")], metadata: ["k": "v"])))
        #expect(first != (try TensorCollection(tensors: [tensor("b"), tensor("a")], metadata: ["k": "v"])))
        #expect(first != (try TensorCollection(tensors: [tensor("a"), tensor("b")], metadata: [:])))
        #expect(first != (try TensorCollection(tensors: [tensor("a"), tensor("b", 1)], metadata: ["k": "v"])))
    }

    /// File formats name tensors by bytes: "é" (U+00E9) and "e" + U+0301 are two tensors in safetensors,
    /// although Swift's `String ==` calls them equal (canonical equivalence).
    @Test func canonicallyEquivalentNamesAreDistinctTensors() throws {
        let precomposed = tensor("\u{E9}", 1)
        let decomposed = tensor("e\u{301}", 2)
        #expect(precomposed.name == decomposed.name)  // what makes String-keyed lookups merge them
        let collection = try TensorCollection(tensors: [precomposed, decomposed])
        #expect(collection.tensors.count == 2)
        #expect(collection["\u{E9}"]?.data == Data([1]))
        #expect(collection["e\u{301}"]?.data == Data([2]))
    }
}
