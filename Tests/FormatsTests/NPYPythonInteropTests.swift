import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// `.npy` and `.npz` files we write, loaded by numpy itself. Runs only when WEIGHTPACK_PYTHON names a Python
/// interpreter with numpy installed, e.g. `WEIGHTPACK_PYTHON=/path/to/venv/bin/python`.
@Suite(.enabled(if: ReferencePython.path != nil, "set WEIGHTPACK_PYTHON to a Python with numpy"))
struct NPYPythonInteropTests {
    /// Checks each `.npz` with `zipfile.testzip` (every CRC), loads each path with `np.load` and prints, per array: dtype name, shape, little-endian C-order bytes,
    /// and (for `.npy`) the bytes `np.save` writes for the loaded array.
    private static let script = """
        import io, json, sys, zipfile
        import numpy as np

        def describe(array):
            little = array.astype(array.dtype.newbyteorder("<")) if array.dtype.itemsize > 1 else array
            saved = io.BytesIO()
            np.save(saved, array)
            return {"dtype": array.dtype.name, "shape": list(array.shape),
                    "hex": little.tobytes(order="C").hex(), "saved": saved.getvalue().hex()}

        result = {}
        for path in sys.argv[1:]:
            if path.endswith(".npz"):
                with zipfile.ZipFile(path) as archive:
                    assert archive.testzip() is None, "bad CRC"
                with np.load(path, allow_pickle=False) as archive:
                    result[path] = [[name, describe(archive[name])] for name in archive.files]
            else:
                result[path] = [["", describe(np.load(path, allow_pickle=False))]]
        print(json.dumps(result))
        """

    private struct Loaded: Decodable {
        var dtype: String
        var shape: [Int]
        var hex: String
        var saved: String
    }

    private enum Named: Decodable {
        case entry(String, Loaded)

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            self = .entry(try container.decode(String.self), try container.decode(Loaded.self))
        }

        var name: String { if case .entry(let name, _) = self { name } else { "" } }
        var loaded: Loaded { if case .entry(_, let loaded) = self { loaded } else { fatalError() } }
    }

    private static let numpyNames: [DType: String] = [
        .bool: "bool", .uint8: "uint8", .int8: "int8", .int16: "int16", .uint16: "uint16", .float16: "float16",
        .int32: "int32", .uint32: "uint32", .float32: "float32", .float64: "float64", .int64: "int64",
        .uint64: "uint64",
    ]

    private func load(_ paths: [String]) throws -> [String: [Named]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ReferencePython.path))
        process.arguments = ["-c", Self.script] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python exited with \(process.terminationStatus)")
        return try JSONDecoder().decode([String: [Named]].self, from: data)
    }

    /// Every dtype numpy has (not bf16) in shapes `[]`, `[0]`, `[3]`, `[2, 3]`, `[1, 2, 1, 3]`, random bytes.
    private func sampleTensors() throws -> [Tensor] {
        var generator = SplitMix64(seed: 0x9E5A)
        let shapes: [Shape] = [[], [0], [3], [2, 3], [1, 2, 1, 3]]
        var tensors: [Tensor] = []
        for (index, dtype) in DType.allCases.enumerated() where dtype.npyDescr != nil {
            for (shapeIndex, shape) in shapes.enumerated() where (index + shapeIndex) % 2 == 0 || shape.count == 2 {
                let data = (0..<(try shape.byteCount(of: dtype))).map { _ in
                    dtype == .bool ? UInt8(generator.int(below: 2)) : generator.byte()
                }
                tensors.append(
                    try Tensor(name: "\(dtype.name)_\(shapeIndex)", dtype: dtype, shape: shape, data: Data(data)))
            }
        }
        return tensors
    }

    private func check(_ loaded: Loaded, against tensor: Tensor) {
        #expect(loaded.dtype == Self.numpyNames[tensor.dtype], "\(tensor.name)")
        #expect(loaded.shape == tensor.shape.dimensions, "\(tensor.name)")
        #expect(loaded.hex == NPYGolden.hex(tensor.data), "\(tensor.name)")
    }

    @Test func numpyLoadsEveryNPYWeWriteAndSavesTheSameBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tensors = try sampleTensors()
        var paths: [String] = []
        for tensor in tensors {
            let path = folder.path(tensor.name + ".npy")
            try NPYWriter.write(tensor, to: path)
            paths.append(path)
        }
        let loaded = try load(paths)
        for (tensor, path) in zip(tensors, paths) {
            let entry = try #require(loaded[path]?.first?.loaded, "\(path)")
            check(entry, against: tensor)
            let ours = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(entry.saved == NPYGolden.hex(ours), "np.save differs for \(tensor.name)")
        }
    }

    @Test(arguments: [false, true])
    func numpyLoadsOurNPZArchivesWithTheSameNamesOrderAndValues(compressed: Bool) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var tensors = try sampleTensors()
        for (index, name) in ["layers.0/q_proj.weight", "ñandú🙂", "with space", "x.npy"].enumerated() {
            tensors[index].name = name
        }
        let collection = try TensorCollection(tensors: tensors)
        let path = folder.path(compressed ? "ours_compressed.npz" : "ours.npz")
        try NPZWriter.write(collection, to: path, compressed: compressed)
        let members = try #require(try load([path])[path])
        #expect(members.map(\.name) == collection.names)
        for member in members {
            let tensor = try #require(collection[member.name], "unexpected member '\(member.name)'")
            check(member.loaded, against: tensor)
        }
    }
}
