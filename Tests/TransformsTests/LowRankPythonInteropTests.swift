import Foundation
import TensorCore
import TestSupport
import Testing
import Transforms

/// Our LAPACK singular values against numpy's `np.linalg.svd` on fixed seeded matrices. Runs only when
/// WEIGHTPACK_PYTHON names a Python interpreter with numpy installed.
@Suite(.enabled(if: LowRankInteropPython.path != nil, "set WEIGHTPACK_PYTHON to a Python with numpy"))
struct LowRankPythonInteropTests {
    /// argv[1]: Float32 little-endian matrix file; argv[2], argv[3]: rows, columns. Prints the singular values
    /// of the matrix widened to Float64, as JSON.
    private static let script = """
        import json, sys
        import numpy as np
        rows, columns = int(sys.argv[2]), int(sys.argv[3])
        matrix = np.fromfile(sys.argv[1], dtype="<f4").reshape(rows, columns).astype(np.float64)
        print(json.dumps(np.linalg.svd(matrix, compute_uv=False).tolist()))
        """

    @Test(arguments: [(Shape([37, 23]), UInt64(1)), (Shape([16, 3, 20]), UInt64(2)), (Shape([5, 64]), UInt64(3))])
    func singularValuesEqualNumpys(shape: Shape, seed: UInt64) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var generator = SplitMix64(seed: seed)
        let values = generator.floats(count: try shape.elementCount(), magnitude: 2)
        let rows = shape.dimensions[0]
        let columns = values.count / rows
        let path = folder.path("matrix.f32")
        try Data(values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } })
            .write(to: URL(fileURLWithPath: path))
        let output = try PythonInterpreter.run(
            try #require(LowRankInteropPython.path), script: Self.script,
            arguments: [path, String(rows), String(columns)])
        let reference = try JSONDecoder().decode([Double].self, from: output)
        let ours = try LowRankSplit.singularValues(of: values, shape: shape, tensorName: "w")
        #expect(ours.count == min(rows, columns))
        #expect(reference.count == ours.count)
        let largest = try #require(reference.first)
        for (index, (mine, theirs)) in zip(ours, reference).enumerated() {
            #expect(abs(mine - theirs) <= 1e-10 * largest, "s_\(index): \(mine) against numpy's \(theirs)")
        }
    }
}

/// The interpreter named by WEIGHTPACK_PYTHON.
enum LowRankInteropPython {
    static let path = PythonInterpreter.path(from: "WEIGHTPACK_PYTHON")
}
