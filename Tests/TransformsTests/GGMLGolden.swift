import Foundation
import TestSupport
import Transforms

/// The quantization goldens fixtures/make_gguf_fixtures.py wrote with gguf-py 0.19.0: Float32 inputs and the
/// bytes `gguf.quants.quantize` made of them; block bytes and the Float32 values `gguf.quants.dequantize`
/// made of them; and each tensor of the golden GGUF file with its dequantized values.
enum GGMLGolden {
    struct Quantize: Decodable {
        /// Case name → Float32 little-endian hex.
        var inputs: [String: String]
        /// GGML type name → case name → quantized hex.
        var expected: [String: [String: String]]
    }

    struct DequantizeCases: Decodable {
        struct Case: Decodable {
            var format: String
            var bytesHex: String
            var expectedHex: String

            enum CodingKeys: String, CodingKey {
                case format
                case bytesHex = "bytes_hex"
                case expectedHex = "expected_hex"
            }
        }
        var cases: [Case]
    }

    /// The tensors of `gguf/valid/golden.json`'s files, as far as these tests need them.
    struct GGUFSidecar: Decodable {
        struct File: Decodable { var tensors: [Tensor] }
        struct Tensor: Decodable {
            var name: String
            var type: String
            var ne: [Int]
            var bytesHex: String
            var valuesHex: String?

            enum CodingKeys: String, CodingKey {
                case name, type, ne
                case bytesHex = "bytes_hex"
                case valuesHex = "values_hex"
            }
        }
        var files: [File]
    }

    static func quantize() throws -> Quantize {
        try JSONDecoder().decode(Quantize.self, from: Data(contentsOf: Fixtures.url("gguf/quants/quantize.json")))
    }

    static func dequantize() throws -> [DequantizeCases.Case] {
        try JSONDecoder().decode(
            DequantizeCases.self, from: Data(contentsOf: Fixtures.url("gguf/quants/dequantize.json"))
        ).cases
    }

    static func ggufTensors() throws -> [GGUFSidecar.Tensor] {
        try JSONDecoder().decode(GGUFSidecar.self, from: Data(contentsOf: Fixtures.url("gguf/valid/golden.json")))
            .files.flatMap(\.tensors)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for character in hex.utf8 {
            let nibble = character <= UInt8(ascii: "9") ? character - UInt8(ascii: "0") : (character | 0x20) - 87
            if let value = high {
                out.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Little-endian Float32 hex as values.
    static func floats(_ hex: String) -> [Float] {
        let raw = bytes(hex)
        return stride(from: 0, to: raw.count, by: 4).map { index in
            Float(bitPattern: raw[index..<(index + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
    }

    /// Float32 values as little-endian hex (bit patterns, so -0 and NaN payloads compare exactly).
    static func hex(_ values: [Float]) -> String {
        hex(values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } })
    }
}
