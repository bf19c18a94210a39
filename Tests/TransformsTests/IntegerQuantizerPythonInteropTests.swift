import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

/// The `quant` stage's decoded values against a numpy evaluation of the grid formulas of ``IntegerQuantizer``
/// (scale, zero point, `np.round`, clip, dequantize), element for element. Runs only when WEIGHTPACK_PYTHON names a
/// Python interpreter with numpy.
@Suite(
    .enabled(
        if: PythonInterpreter.path(from: "WEIGHTPACK_PYTHON") != nil, "set WEIGHTPACK_PYTHON to a Python with numpy"))
struct IntegerQuantizerPythonInteropTests {
    /// argv: values file (little-endian Float32), group size, bits, sym|asym, f32|f16. Prints the decoded
    /// values as little-endian Float32 hex.
    private static let script = """
        import sys
        import numpy as np
        values = np.fromfile(sys.argv[1], dtype="<f4")
        group, bits, mode, scale_type = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        g = values.reshape(-1, group)
        zero = np.float32(0)
        if mode == "sym":
            qmax = np.float32(2 ** (bits - 1) - 1)
            s = np.abs(g).max(axis=1) / qmax
        else:
            levels = np.float32(2 ** bits - 1)
            lo = np.minimum(g.min(axis=1), zero)
            hi = np.maximum(g.max(axis=1), zero)
            s = ((hi.astype(np.float64) - lo.astype(np.float64)) / float(levels)).astype(np.float32)
        assert np.all((s == 0) | (s >= np.finfo(np.float32).tiny))  # no subnormal scales in this data
        if scale_type == "f16":
            h = s.astype(np.float16)
            up = h.astype(np.float32) < s
            h[up] = np.nextafter(h[up], np.float16(np.inf))
            s = h.astype(np.float32)
        safe = np.where(s == 0, np.float32(1), s)[:, None]
        if mode == "sym":
            q = np.clip(np.round(g / safe), -qmax, qmax).astype(np.int8)  # the stored codes
            q[s == 0] = 0
            out = q.astype(np.float32) * s[:, None]
        else:
            z = np.clip(np.round(-lo / safe[:, 0]), zero, levels)
            q = np.clip(np.round(g / safe) + z[:, None], zero, levels).astype(np.int16)  # the stored codes
            z = z.astype(np.int16)
            q[s == 0] = 0
            z[s == 0] = 0
            out = (q - z[:, None]).astype(np.float32) * s[:, None]
        print(out.astype("<f4").tobytes().hex())
        """

    /// Groups of very different magnitudes, one-sided groups, zeros, and values on grid ties.
    private static func sampleValues() -> [Float] {
        var generator = SplitMix64(seed: 2024)
        var values: [Float] = []
        for group in 0..<16 {
            let magnitude = Float([1e-3, 0.05, 1, 40][group % 4])
            var slice = generator.floats(count: 32, magnitude: magnitude)
            switch group % 5 {
            case 1: slice = slice.map(abs)  // all non-negative
            case 2: slice = slice.map { -abs($0) }  // all non-positive
            case 3: slice = (0..<32).map { Float($0 % 15 - 7) * 0.5 }  // ties at max 3.5: w / s = k / 2
            case 4: slice[0..<16] = ArraySlice(repeating: 0, count: 16)
            default: break
            }
            values += group == 15 ? [Float](repeating: 0, count: 32) : slice
        }
        return values
    }

    @Test(arguments: ["sym", "asym"], ["f32", "f16"])
    func int4Group32DecodesAsNumpy(mode: String, scale: String) throws {
        let python = try #require(PythonInterpreter.path(from: "WEIGHTPACK_PYTHON"))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let values = Self.sampleValues()
        let path = folder.path("values.f32")
        try Data(values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } })
            .write(to: URL(fileURLWithPath: path))
        let output = try PythonInterpreter.run(python, script: Self.script, arguments: [path, "32", "4", mode, scale])
        let hex = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let quantizer = try IntegerQuantizer(recipeArguments: ["int4", mode, "group=32", "scale=\(scale)"])
        let shape: Shape = [8, 64]
        let encoded = try quantizer.encode(values, shape: shape, tensorName: "w")
        let decoded = try IntegerQuantizer.decode(
            encoded.sections, parameters: encoded.parameters, shape: shape, tensorName: "w")
        let ours = decoded.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
            .map { String(format: "%02x", $0) }.joined()
        #expect(ours == hex, "int4 \(mode) group=32 scale=\(scale)")
    }
}
