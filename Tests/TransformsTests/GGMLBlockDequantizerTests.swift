import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

/// Our dequantizer against gguf-py's `gguf.quants.dequantize`, bit for bit.
struct GGMLBlockDequantizerTests {
    @Test func everyGoldenBlockDecodesToGGUFPysValues() throws {
        let cases = try GGMLGolden.dequantize()
        #expect(Set(cases.map(\.format)) == Set(GGMLBlockFormat.allCases.map(\.ggmlTypeName)))
        for golden in cases {
            let format = try #require(GGMLBlockFormat(ggmlTypeName: golden.format))
            let bytes = Data(GGMLGolden.bytes(golden.bytesHex))
            let count = bytes.count / format.bytesPerBlock * 32
            let values = try GGMLBlockDequantizer.dequantize(bytes, as: format, elementCount: count, tensorName: "w")
            #expect(GGMLGolden.hex(values) == golden.expectedHex, "\(golden.format)")
        }
    }

    @Test func everyDecodableTensorOfTheGoldenGGUFDecodesToGGUFPysValues() throws {
        var checked: Set<String> = []
        for tensor in try GGMLGolden.ggufTensors() {
            let bytes = Data(GGMLGolden.bytes(tensor.bytesHex))
            let count = tensor.ne.reduce(1, *)
            guard let expected = tensor.valuesHex else {
                let error = #expect(throws: TransformError.self) {
                    try GGMLBlockDequantizer.dequantize(
                        bytes, ggmlTypeName: tensor.type, elementCount: count, tensorName: tensor.name)
                }
                if tensor.type == "Q4_K" {
                    #expect(error?.code == .unsupportedFormat)
                    #expect(error?.message.contains("Q4_K") == true)
                    #expect(error?.tensorName == tensor.name)
                }
                continue
            }
            let values = try GGMLBlockDequantizer.dequantize(
                bytes, ggmlTypeName: tensor.type, elementCount: count, tensorName: tensor.name)
            #expect(GGMLGolden.hex(values) == expected, "\(tensor.name)")
            checked.insert(tensor.type)
        }
        #expect(checked == ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"])
    }

    @Test(arguments: GGMLBlockFormat.allCases)
    func wrongByteCountIsACorruptPayload(format: GGMLBlockFormat) throws {
        for count in [0, format.bytesPerBlock - 1, format.bytesPerBlock + 1, 3 * format.bytesPerBlock] {
            let error = try #require(throws: TransformError.self) {
                try GGMLBlockDequantizer.dequantize(Data(count: count), as: format, elementCount: 64, tensorName: "w")
            }
            #expect(error.code == .corruptPayload)
            #expect(error.message.contains("\(count) bytes given"))
            #expect(error.message.contains("\(2 * format.bytesPerBlock)"))
        }
    }

    @Test(arguments: [-32, 16, 33, Int.max])
    func elementCountNotAMultipleOf32IsRefused(count: Int) throws {
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockDequantizer.dequantize(Data(count: 34), as: .q8_0, elementCount: count, tensorName: "w")
        }
        #expect(error.code == .blockSizeNotDivisor)
    }

    @Test func hugeElementCountIsRefusedWithoutOverflow() throws {
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockDequantizer.dequantize(Data(count: 34), as: .q8_0, elementCount: Int.max - 31, tensorName: "w")
        }
        #expect(error.code == .corruptPayload)
    }

    @Test func plainTypesWidenExactly() throws {
        let f16 = Data([0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00])  // 1, -2, 2^-24
        #expect(
            try GGMLBlockDequantizer.dequantize(f16, ggmlTypeName: "F16", elementCount: 3, tensorName: "w")
                == [1, -2, 0x1p-24])
        let bf16 = Data([0x80, 0x3F, 0x40, 0xC0])  // 1, -3
        #expect(
            try GGMLBlockDequantizer.dequantize(bf16, ggmlTypeName: "BF16", elementCount: 2, tensorName: "w")
                == [1, -3])
        let f32 = Data([0x00, 0x00, 0xC0, 0x3F])  // 1.5
        #expect(
            try GGMLBlockDequantizer.dequantize(f32, ggmlTypeName: "F32", elementCount: 1, tensorName: "w") == [1.5])
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockDequantizer.dequantize(f32, ggmlTypeName: "F16", elementCount: 1, tensorName: "w")
        }
        #expect(error.code == .corruptPayload)
    }

    @Test(arguments: ["Q4_K", "IQ2_XS", "I32", "type 99", ""])
    func otherTypesAreRefusedNamingTheType(name: String) throws {
        let error = try #require(throws: TransformError.self) {
            try GGMLBlockDequantizer.dequantize(Data(), ggmlTypeName: name, elementCount: 0, tensorName: "w")
        }
        #expect(error.code == .unsupportedFormat)
        #expect(error.message.contains("GGML type \(name) cannot be dequantized"))
        #expect(error.message.contains("Q5_1"))
    }
}
