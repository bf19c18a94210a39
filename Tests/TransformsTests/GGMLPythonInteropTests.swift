import Foundation
import TestSupport
import Testing
import Transforms

/// Our GGML block quantizer and dequantizer against gguf-py's on fresh random data. Runs only when
/// WEIGHTPACK_GGUF_PYTHON names a Python interpreter with the gguf package installed.
@Suite(.enabled(if: GGMLInteropPython.path != nil, "set WEIGHTPACK_GGUF_PYTHON to a Python with gguf"))
struct GGMLPythonInteropTests {
    /// argv[1]: Float32 input file; argv[2]: random block bytes file. Prints, per format, the quantized input
    /// and the dequantized random blocks (with their scales made finite), as hex.
    private static let script = """
        import json, sys
        import numpy as np
        from gguf import GGMLQuantizationType as Q
        from gguf.constants import GGML_QUANT_SIZES
        from gguf.quants import quantize, dequantize
        values = np.fromfile(sys.argv[1], dtype="<f4")
        raw = np.fromfile(sys.argv[2], dtype=np.uint8)
        out = {}
        for qtype in [Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1]:
            size = GGML_QUANT_SIZES[qtype][1]
            blocks = raw[: len(raw) // size * size].reshape(-1, size).copy()
            blocks[:, 1] &= 0xBB  # binary16 exponents below 0x1E: finite scales and minimums
            blocks[:, 3] &= 0xBB
            out[qtype.name] = {
                "quantized": quantize(values.reshape(-1, 256), qtype).tobytes().hex(),
                "blocks": blocks.tobytes().hex(),
                "dequantized": dequantize(blocks.reshape(1, -1), qtype).astype("<f4").tobytes().hex(),
            }
        print(json.dumps(out))
        """

    private struct Result: Decodable {
        var quantized: String
        var blocks: String
        var dequantized: String
    }

    /// Blocks of very different scales, with zero runs and repeated values, as weights come.
    private static func sampleValues(seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        var values: [Float] = []
        for block in 0..<(256 * 8 / 32) {
            let magnitude: Float = [1e-4, 0.02, 1, 300, 6e4][block % 5]
            var slice = generator.floats(count: 32, magnitude: magnitude)
            if block % 7 == 3 { slice[0..<16] = ArraySlice(repeating: 0, count: 16) }
            if block % 11 == 5 { slice = Array(repeating: slice[0], count: 32) }
            values += slice
        }
        return values
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func quantizedBytesAndDequantizedValuesEqualGGUFPys(seed: UInt64) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let values = Self.sampleValues(seed: seed)
        var generator = SplitMix64(seed: seed &* 31)
        let raw = Data((0..<(24 * 40)).map { _ in generator.byte() })
        let valuesPath = folder.path("values.f32")
        let rawPath = folder.path("blocks.bin")
        try Data(values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } })
            .write(to: URL(fileURLWithPath: valuesPath))
        try raw.write(to: URL(fileURLWithPath: rawPath))
        let output = try GGMLInteropPython.run(Self.script, [valuesPath, rawPath])
        let results = try JSONDecoder().decode([String: Result].self, from: output)
        for format in GGMLBlockFormat.allCases {
            let result = try #require(results[format.ggmlTypeName])
            let ours = try GGMLBlockQuantizer.quantize(values, as: format, tensorName: "w")
            #expect(GGMLGolden.hex(ours) == result.quantized, "\(format) quantize, seed \(seed)")
            let blocks = Data(GGMLGolden.bytes(result.blocks))
            let decoded = try GGMLBlockDequantizer.dequantize(
                blocks, as: format, elementCount: blocks.count / format.bytesPerBlock * 32, tensorName: "w")
            #expect(GGMLGolden.hex(decoded) == result.dequantized, "\(format) dequantize, seed \(seed)")
        }
    }
}

/// The interpreter named by WEIGHTPACK_GGUF_PYTHON.
enum GGMLInteropPython {
    static let path = PythonInterpreter.path(from: "WEIGHTPACK_GGUF_PYTHON")

    static func run(_ script: String, _ arguments: [String]) throws -> Data {
        try PythonInterpreter.run(try #require(path), script: script, arguments: arguments)
    }
}
