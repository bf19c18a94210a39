import TensorCore
import Testing

@testable import Formats

struct FormatErrorTests {
    @Test(arguments: [
        (CoreError.Code.shapeOverflow, FormatError.Code.shapeOverflow),
        (.negativeDimension, .shapeOverflow),
        (.byteCountMismatch, .byteCountMismatch),
        (.duplicateTensorName, .duplicateTensorName),
        (.unexpectedEnd, .invalidHeader),
        (.unsupportedDType, .invalidHeader),
    ])
    func wrappingACoreErrorMapsItsCodeAndKeepsContext(core: CoreError.Code, expected: FormatError.Code) {
        let wrapped = FormatError(CoreError(core, "inner message", tensorName: "w", byteOffset: 40), path: "m.st")
        #expect(wrapped.code == expected)
        #expect(wrapped.message == "inner message")
        #expect(wrapped.tensorName == "w")
        #expect(wrapped.byteOffset == 40)
        #expect(wrapped.path == "m.st")
    }

    @Test func explicitTensorNameWinsOverTheWrappedOne() {
        let wrapped = FormatError(CoreError(.shapeOverflow, "x", tensorName: "inner"), tensorName: "outer")
        #expect(wrapped.tensorName == "outer")
    }

    @Test func atPathSetsThePathOnlyWhenMissing() {
        let error = FormatError(.invalidHeader, "bad")
        #expect(error.at(path: "a.safetensors").path == "a.safetensors")
        #expect(error.at(path: "a.safetensors").at(path: "b.safetensors").path == "a.safetensors")
    }

    @Test func descriptionJoinsPathTensorAndOffset() {
        #expect(FormatError(.invalidJSON, "bad").description == "bad")
        let full = FormatError(
            .byteCountMismatch, "needs 32", path: "model.safetensors", tensorName: "w", byteOffset: 8)
        #expect(full.description == "model.safetensors, tensor 'w', byte 8: needs 32")
    }
}
