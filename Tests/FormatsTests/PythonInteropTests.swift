import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// Files we write, loaded by the reference library. Runs only when WEIGHTPACK_PYTHON names a Python
/// interpreter with numpy and safetensors installed, e.g. `WEIGHTPACK_PYTHON=/path/to/venv/bin/python`.
enum ReferencePython {
    /// The interpreter named by WEIGHTPACK_PYTHON, when it exists and is executable.
    static let path: String? = {
        guard let path = ProcessInfo.processInfo.environment["WEIGHTPACK_PYTHON"], !path.isEmpty,
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        return path
    }()
}

@Suite(.enabled(if: ReferencePython.path != nil, "set WEIGHTPACK_PYTHON to a Python with safetensors"))
struct PythonInteropTests {

    /// Loads the file with `safetensors.numpy.load_file`, prints each tensor's dtype, shape and raw bytes, the
    /// metadata, and the bytes `safetensors.numpy.save` writes for the same tensors and metadata.
    private static let script = """
        import json, sys
        from safetensors import safe_open
        from safetensors.numpy import load_file, save
        path = sys.argv[1]
        tensors = load_file(path)
        with safe_open(path, framework="np") as f:
            metadata = f.metadata()
        print(json.dumps({
            "tensors": {name: {"dtype": str(array.dtype), "shape": list(array.shape),
                               "hex": array.tobytes().hex()} for name, array in tensors.items()},
            "metadata": metadata,
            "resaved": save(tensors, metadata=metadata).hex(),
        }))
        """

    private struct Loaded: Decodable {
        struct Entry: Decodable {
            var dtype: String
            var shape: [Int]
            var hex: String
        }
        var tensors: [String: Entry]
        var metadata: [String: String]?
        var resaved: String
    }

    private static let numpyNames: [DType: String] = [
        .bool: "bool", .uint8: "uint8", .int8: "int8", .int16: "int16", .uint16: "uint16", .float16: "float16",
        .int32: "int32", .uint32: "uint32", .float32: "float32", .float64: "float64", .int64: "int64",
        .uint64: "uint64",
    ]

    private func run(_ path: String) throws -> Loaded {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ReferencePython.path))
        process.arguments = ["-c", Self.script, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python exited with \(process.terminationStatus)")
        return try JSONDecoder().decode(Loaded.self, from: data)
    }

    private func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Every dtype numpy can load (not bf16), with scalar, empty and escaped names; one metadata key, since the
    /// reference writes two or more keys in a random (hash) order.
    private func sampleCollection() throws -> TensorCollection {
        var generator = SplitMix64(seed: 314)
        var tensors: [Tensor] = []
        let shapes: [Shape] = [[2, 3], [], [0], [1], [4]]
        for (index, dtype) in DType.allCases.enumerated() where dtype != .bfloat16 {
            let shape = shapes[index % shapes.count]
            let data = (0..<(try shape.byteCount(of: dtype))).map { _ in
                dtype == .bool ? UInt8(generator.int(below: 2)) : generator.byte()
            }
            let floatSafe = dtype.isFloatingPoint ? try Self.finite(dtype, shape) : Data(data)
            tensors.append(try Tensor(name: "t.\(dtype.name).é\"\\", dtype: dtype, shape: shape, data: floatSafe))
        }
        return try TensorCollection(tensors: tensors, metadata: ["format": "np"])
    }

    private static func finite(_ dtype: DType, _ shape: Shape) throws -> Data {
        let count = try shape.elementCount()
        return try Tensor(
            name: "x", shape: shape, float32Values: (0..<count).map { Float($0) * -1.25 + 0.5 }, dtype: dtype
        ).data
    }

    @Test func referenceLoadsEveryTensorWeWriteBitForBit() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let collection = try sampleCollection()
        let path = folder.path("ours.safetensors")
        try SafetensorsWriter.write(collection, to: path)
        let loaded = try run(path)
        #expect(loaded.tensors.count == collection.tensors.count)
        #expect(loaded.metadata == collection.metadata)
        for tensor in collection.tensors {
            let entry = try #require(loaded.tensors[tensor.name], "missing '\(tensor.name)'")
            #expect(entry.dtype == Self.numpyNames[tensor.dtype], "\(tensor.name)")
            #expect(entry.shape == tensor.shape.dimensions, "\(tensor.name)")
            #expect(entry.hex == hex(tensor.data), "\(tensor.name)")
        }
    }

    @Test func referenceReserializesOurFileToTheSameBytes() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let collection = try sampleCollection()
        let path = folder.path("ours.safetensors")
        try SafetensorsWriter.write(collection, to: path)
        let loaded = try run(path)
        #expect(loaded.resaved == hex(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}
