import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

@Suite("Byte shuffle")
struct ByteShuffleTests {
    private let shuffle = ByteShuffle()

    func roundTrip(_ bytes: Data, dtype: DType) throws -> TransformOutput {
        let output = try shuffle.encode(bytes, dtype: dtype, tensorName: "t")
        let count = bytes.count / dtype.byteWidth
        #expect(
            try ByteShuffle.outputKinds(parameters: output.parameters, dtype: dtype, elementCount: count)
                == output.sections.map(\.kind))
        let decoded = try ByteShuffle.decode(
            output.sections, parameters: output.parameters, dtype: dtype, elementCount: count, tensorName: "t")
        #expect(decoded == bytes, "\(dtype.name)")
        return output
    }

    @Test(arguments: [DType.float16, .bfloat16, .int16, .uint16])
    func every16BitPatternRoundTrips(dtype: DType) throws {
        let patterns = (0...UInt16.max).map { $0 }
        let output = try roundTrip(patterns.withUnsafeBytes { Data($0) }, dtype: dtype)
        #expect(output.sections.count == 2)
        #expect(output.sections.allSatisfy { $0.kind == .bytes(symbolWidth: 1) && $0.bytes.count == 65536 })
    }

    @Test func float32RandomPatternsAndSpecialValuesRoundTrip() throws {
        var generator = SplitMix64(seed: 32)
        var patterns = (0..<100_000).map { _ in UInt32(truncatingIfNeeded: generator.next()) }
        patterns += [
            0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x7F80_0001, 0xFFFF_FFFF, 0x7FBF_FFFF, 0x0000_0001,
            0x807F_FFFF, Float.leastNormalMagnitude.bitPattern, Float.greatestFiniteMagnitude.bitPattern,
        ]
        let output = try roundTrip(patterns.withUnsafeBytes { Data($0) }, dtype: .float32)
        #expect(output.parameters == ["dtype": "f32", "rotation": "1"])
    }

    @Test(arguments: [DType.float64, .int64, .uint64, .int32, .uint32, .int8, .uint8, .bool])
    func otherDtypesRoundTrip(dtype: DType) throws {
        var generator = SplitMix64(seed: UInt64(dtype.byteWidth))
        var bytes = Data((0..<(dtype.byteWidth * 5000)).map { _ in generator.byte() })
        if dtype == .float64 {
            for special in [Double.nan, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
            {
                withUnsafeBytes(of: special.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        let output = try roundTrip(bytes, dtype: dtype)
        #expect(output.sections.count == dtype.byteWidth)
        #expect(output.parameters["rotation"] == (dtype.isFloatingPoint ? "1" : "0"))
    }

    @Test(arguments: [DType.float32, .float16, .int8])
    func emptyTensorRoundTrips(dtype: DType) throws {
        let output = try roundTrip(Data(), dtype: dtype)
        #expect(output.sections.allSatisfy { $0.bytes.isEmpty })
    }

    @Test func float32PlanesHoldRotatedBytesWithTheExponentOnTop() throws {
        // 1.0 = 0x3F800000 rotates to 0x7F000000; -1.0 = 0xBF800000 to 0x7F000001; Float.pi = 0x40490FDA to 0x80921FB4.
        let values: [Float] = [1, -1, .pi]
        let output = try shuffle.encode(values.withUnsafeBytes { Data($0) }, dtype: .float32, tensorName: "t")
        #expect(
            output.sections.map { [UInt8]($0.bytes) } == [
                [0x00, 0x01, 0xB4], [0x00, 0x00, 0x1F], [0x00, 0x00, 0x92], [0x7F, 0x7F, 0x80],
            ])
    }

    @Test func halfPrecisionPlanesHoldRotatedBytes() throws {
        // bf16 1.0 = 0x3F80 -> 0x7F00; f16 1.0 = 0x3C00 -> 0x7800; f16 -2.0 = 0xC000 -> 0x8001.
        let bf16 = try shuffle.encode(Data([0x80, 0x3F]), dtype: .bfloat16, tensorName: "t")
        #expect(bf16.sections.map { [UInt8]($0.bytes) } == [[0x00], [0x7F]])
        let f16 = try shuffle.encode(Data([0x00, 0x3C, 0x00, 0xC0]), dtype: .float16, tensorName: "t")
        #expect(f16.sections.map { [UInt8]($0.bytes) } == [[0x00, 0x01], [0x78, 0x80]])
    }

    @Test func integerPlanesAreNotRotated() throws {
        let output = try shuffle.encode(Data([0x01, 0x02, 0x03, 0x04]), dtype: .int32, tensorName: "t")
        #expect(output.sections.map { [UInt8]($0.bytes) } == [[0x01], [0x02], [0x03], [0x04]])
    }

    @Test func encodeRejectsAPartialElement() {
        let error = #expect(throws: TransformError.self) {
            try shuffle.encode(Data([1, 2, 3]), dtype: .float32, tensorName: "w")
        }
        #expect(error?.code == .corruptPayload)
        #expect(error?.tensorName == "w")
    }

    @Test func decodeRejectsSectionsThatDisagreeWithTheParameters() throws {
        let output = try shuffle.encode(Data(count: 16), dtype: .float32, tensorName: "t")
        let sections = output.sections
        let parameters = output.parameters
        let cases: [(String, [PayloadSection], TransformError.Code)] = [
            ("three planes", Array(sections.dropLast()), .corruptPayload),
            (
                "a short plane",
                [PayloadSection(kind: .bytes(symbolWidth: 1), bytes: Data(count: 3))] + sections.dropFirst(),
                .corruptPayload
            ),
            (
                "a width-2 plane",
                [PayloadSection(kind: .bytes(symbolWidth: 2), bytes: Data(count: 4))] + sections.dropFirst(),
                .corruptPayload
            ),
        ]
        for (label, damaged, code) in cases {
            let error = #expect(throws: TransformError.self, "\(label)") {
                try ByteShuffle.decode(
                    damaged, parameters: parameters, dtype: .float32, elementCount: 4, tensorName: "t")
            }
            #expect(error?.code == code, "\(label)")
        }
        let badParameters: [[String: String]] = [
            ["dtype": "f16", "rotation": "1"], ["dtype": "f32", "rotation": "2"], ["dtype": "f32"], [:],
        ]
        for bad in badParameters {
            let error = #expect(throws: TransformError.self, "\(bad)") {
                try ByteShuffle.decode(sections, parameters: bad, dtype: .float32, elementCount: 4, tensorName: "t")
            }
            #expect(error?.code == .invalidParameter)
        }
        let error = #expect(throws: TransformError.self) {
            try ByteShuffle.outputKinds(parameters: ["dtype": "i8", "rotation": "1"], dtype: .int8, elementCount: 1)
        }
        #expect(error?.code == .invalidParameter, "one-byte elements cannot be rotated")
    }
}
