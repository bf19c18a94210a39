import Foundation
import TensorCore
import Testing
import Transforms

struct Int8DequantizerTests {
    private static let goldenParameters = ["granularity": "per_channel", "rows": "2", "columns": "3"]

    @Test func decodesTheGoldenBytesAsCodeTimesScale() throws {
        let decoded = try Int8Dequantizer.decode(
            Data(Int8QuantizerTests.goldenBytes), parameters: Self.goldenParameters, elementCount: 6, tensorName: "w")
        #expect(decoded == [127, -64, 0, -254, 128, 0])
    }

    @Test func decodesASlicedDataWhoseIndicesDoNotStartAtZero() throws {
        let padded = Data([0xEE, 0xEE, 0xEE] + Int8QuantizerTests.goldenBytes)
        let slice = padded[3...]
        let decoded = try Int8Dequantizer.decode(
            slice, parameters: Self.goldenParameters, elementCount: 6, tensorName: "w")
        #expect(decoded == [127, -64, 0, -254, 128, 0])
    }

    @Test(arguments: [-1, 1, -14, 100])
    func rejectsAPayloadOfTheWrongByteCount(delta: Int) throws {
        var bytes = Int8QuantizerTests.goldenBytes
        if delta < 0 { bytes.removeLast(-delta) } else { bytes += [UInt8](repeating: 0, count: delta) }
        let error = #expect(throws: TransformError.self) {
            try Int8Dequantizer.decode(Data(bytes), parameters: Self.goldenParameters, elementCount: 6, tensorName: "w")
        }
        #expect(error?.code == .corruptPayload)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("holds \(14 + delta) bytes") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("2 scales and 6 codes need 2 × 4 + 6") == true, "\(error?.message ?? "")")
    }

    @Test func rejectsRowsTimesColumnsThatDifferFromTheElementCount() throws {
        let error = #expect(throws: TransformError.self) {
            try Int8Dequantizer.decode(
                Data(Int8QuantizerTests.goldenBytes), parameters: Self.goldenParameters, elementCount: 5,
                tensorName: "w")
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("'rows' × 'columns' = 2 × 3") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("5 elements") == true, "\(error?.message ?? "")")
    }

    /// `rows` must be an integer in `0...(Int.max / 4)` and `columns` a non-negative integer.
    static let badParameters: [([String: String], String)] = [
        (["columns": "3"], "rows"),
        (["rows": "2"], "columns"),
        (["rows": "two", "columns": "3"], "rows"),
        (["rows": "2", "columns": "1.5"], "columns"),
        (["rows": "", "columns": "3"], "rows"),
        (["rows": "-2", "columns": "-3"], "rows"),
        (["rows": "2", "columns": "-3"], "columns"),
        (["rows": "2", "columns": " 3"], "columns"),
        // Beyond Int.max / 4, so 4 × rows cannot be formed: refused before any allocation or multiplication.
        (["rows": "9223372036854775807", "columns": "3"], "rows"),
        (["rows": "2305843009213693952", "columns": "0"], "rows"),
        (["rows": "2", "columns": "9223372036854775808"], "columns"),
    ]

    @Test(arguments: badParameters)
    func rejectsMissingNonIntegerOrOutOfRangeParameters(parameters: [String: String], key: String) throws {
        let error = #expect(throws: TransformError.self) {
            try Int8Dequantizer.decode(
                Data(Int8QuantizerTests.goldenBytes), parameters: parameters, elementCount: 6, tensorName: "w")
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.tensorName == "w")
        #expect(error?.message.contains("parameter '\(key)' as an integer in 0...") == true, "\(error?.message ?? "")")
    }

    @Test func rejectsRowsTimesColumnsThatOverflow() throws {
        // columns = Int.max is in range on its own; rows × columns overflows and is refused, not trapped.
        let error = #expect(throws: TransformError.self) {
            try Int8Dequantizer.decode(
                Data(Int8QuantizerTests.goldenBytes), parameters: ["rows": "2", "columns": "9223372036854775807"],
                elementCount: 6, tensorName: "w")
        }
        #expect(error?.code == .invalidParameter)
        #expect(error?.tensorName == "w")
        #expect(
            error?.message
                == "int8 parameters 'rows' × 'columns' = 2 × 9223372036854775807, but the shape has 6 elements")
    }

    @Test(arguments: [(2_305_843_009_213_693_951, 0, 0), (2_305_843_009_213_693_951, 1, 2_305_843_009_213_693_951)])
    func rowsAtTheLimitAreCheckedAgainstTheByteCountWithoutOverflow(rows: Int, columns: Int, elementCount: Int) throws {
        // rows = Int.max / 4 passes the range check; 4 × rows + elementCount is huge (or overflows) and the
        // payload is 14 bytes, so the byte count check refuses it before anything is allocated.
        let error = #expect(throws: TransformError.self) {
            try Int8Dequantizer.decode(
                Data(Int8QuantizerTests.goldenBytes), parameters: ["rows": String(rows), "columns": String(columns)],
                elementCount: elementCount, tensorName: "w")
        }
        #expect(error?.code == .corruptPayload)
        #expect(error?.message.contains("holds 14 bytes") == true, "\(error?.message ?? "")")
    }

    @Test func decodesAnEmptyTensor() throws {
        let output = try Int8Quantizer().encode([], shape: [0, 4], tensorName: "e")
        let decoded = try Int8Dequantizer.decode(
            output.bytes, parameters: output.parameters, elementCount: 0, tensorName: "e")
        #expect(decoded.isEmpty)
    }

    @Test func emptyTensorsFollowTheSpecRowCount() throws {
        // docs/FORMAT.md §5.1: rows = the first dimension, so a [4, 0] tensor has 4 scales and 0 codes.
        let output = try Int8Quantizer().encode([], shape: [4, 0], tensorName: "e")
        #expect(output.parameters == ["granularity": "per_channel", "rows": "4", "columns": "0"])
        #expect(output.bytes == Data(count: 16))
        let decoded = try Int8Dequantizer.decode(
            Data(count: 16), parameters: ["granularity": "per_channel", "rows": "4", "columns": "0"],
            elementCount: 0,
            tensorName: "e")
        #expect(decoded.isEmpty)
    }

    @Test func anEmptyTensorWithNoRowsHasNoScales() throws {
        let output = try Int8Quantizer().encode([], shape: [0, 4], tensorName: "e")
        #expect(output.parameters == ["granularity": "per_channel", "rows": "0", "columns": "4"])
        #expect(output.bytes.isEmpty)
    }
}
