import Testing
import Transforms

struct TransformErrorTests {
    @Test func descriptionNamesTheTensorWhenKnown() {
        let named = TransformError(.corruptPayload, "int8 stage holds 3 bytes", tensorName: "w")
        #expect(named.description == "tensor 'w': int8 stage holds 3 bytes")
        let anonymous = TransformError(.invalidParameter, "stage 'int8' needs parameter 'rows'")
        #expect(anonymous.description == "stage 'int8' needs parameter 'rows'")
        #expect(anonymous.tensorName == nil)
    }

    @Test func codesReadSubjectThenProblem() {
        #expect(TransformError.Code.nonFiniteValues.rawValue == "nonFiniteValues")
        #expect(TransformError.Code.invalidParameter.description == "invalidParameter")
        #expect(TransformError.Code.corruptPayload == TransformError.Code(rawValue: "corruptPayload"))
    }

    @Test func stageNameIsInt8() {
        #expect(Int8Quantizer.stageName == "int8")
        #expect(Int8Quantizer.Granularity.allCases.map(\.rawValue) == ["per_channel", "per_tensor"])
    }
}
