import Foundation
import TensorCore
import TestSupport
import Testing

@testable import Formats

/// gguf-py against our writer. Runs only when WEIGHTPACK_GGUF_PYTHON names a Python interpreter with the gguf
/// package installed, e.g. `WEIGHTPACK_GGUF_PYTHON=/path/to/venv/bin/python`.
enum GGUFReferencePython {
    /// The interpreter named by WEIGHTPACK_GGUF_PYTHON, when it exists and is executable.
    static let path = PythonInterpreter.path(from: "WEIGHTPACK_GGUF_PYTHON")

    /// Runs `script` with `arguments`; returns its standard output.
    static func run(_ script: String, _ arguments: [String]) throws -> Data {
        try PythonInterpreter.run(try #require(path), script: script, arguments: arguments)
    }
}

@Suite(.enabled(if: GGUFReferencePython.path != nil, "set WEIGHTPACK_GGUF_PYTHON to a Python with gguf"))
struct GGUFPythonInteropTests {
    /// Reads argv[1] with GGUFReader and prints each field's types and the bytes it spans, and each tensor;
    /// then writes the spec in argv[2] with GGUFWriter(arch="") to argv[3].
    private static let script = """
        import json, sys
        import numpy as np
        import gguf
        from gguf import GGUFValueType as V, GGMLQuantizationType as Q
        reader = gguf.GGUFReader(sys.argv[1])
        fields = []
        for name, field in reader.fields.items():
            if name.startswith("GGUF."):
                continue
            size = sum(int(part.nbytes) for part in field.parts)
            fields.append({"key": name, "types": [t.name.lower() for t in field.types],
                           "hex": bytes(reader.data[field.offset:field.offset + size]).hex()})
        tensors = [{"name": t.name, "type": Q(t.tensor_type).name, "ne": [int(n) for n in t.shape],
                    "n_bytes": int(t.n_bytes), "offset": int(t.data_offset - reader.data_offset),
                    "hex": bytes(reader.data[t.data_offset:t.data_offset + t.n_bytes]).hex()} for t in reader.tensors]
        spec = json.load(open(sys.argv[2]))
        writer = gguf.GGUFWriter(sys.argv[3], arch="")
        def typed(value):
            if value["type"] == "array":
                return [typed(item) for item in value["elements"]]
            text = value["value"]
            if value["type"] in ("float32", "float64"):
                return float(np.frombuffer(bytes.fromhex(text), dtype="<f4" if value["type"] == "float32" else "<f8")[0])
            if value["type"] == "bool":
                return text == "true"
            if value["type"] == "string":
                return text
            return int(text)
        for entry in spec["metadata"]:
            value = entry["value"]
            sub = V[value["element_type"].upper()] if value["type"] == "array" else None
            if entry["key"] == "general.alignment":  # add_key_value would not change the padding
                writer.add_custom_alignment(typed(value))
                continue
            writer.add_key_value(entry["key"], typed(value), V[value["type"].upper()], sub_type=sub)
        for tensor in spec["tensors"]:
            raw = np.frombuffer(bytes.fromhex(tensor["hex"]), dtype=np.uint8)
            qtype = Q[tensor["type"]]
            shape = list(reversed(tensor["ne"]))
            if qtype == Q.F32:
                writer.add_tensor(tensor["name"], raw.view(np.float32).reshape(shape))
            elif qtype == Q.F16:
                writer.add_tensor(tensor["name"], raw.view(np.float16).reshape(shape))
            else:
                block, size = gguf.GGML_QUANT_SIZES[qtype]
                byte_shape = shape[:-1] + [shape[-1] // block * size]
                writer.add_tensor(tensor["name"], raw.reshape(byte_shape), raw_dtype=qtype)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        print(json.dumps({"alignment": int(reader.alignment), "data_offset": int(reader.data_offset),
                          "fields": fields, "tensors": tensors}))
        """

    private struct Loaded: Decodable {
        struct Field: Decodable {
            var key: String
            var types: [String]
            var hex: String
        }
        struct Tensor: Decodable {
            var name: String
            var type: String
            var ne: [Int]
            var offset: Int
            var hex: String
            var nBytes: Int

            enum CodingKeys: String, CodingKey {
                case name, type, ne, offset, hex
                case nBytes = "n_bytes"
            }
        }
        var alignment: Int
        var dataOffset: Int
        var fields: [Field]
        var tensors: [Tensor]

        enum CodingKeys: String, CodingKey {
            case alignment, fields, tensors
            case dataOffset = "data_offset"
        }
    }

    /// Metadata of every type gguf-py can write: no empty arrays, nested arrays only of the inner types gguf-py
    /// infers (int32, float32, bool, string).
    private static func sampleMetadata(alignment: UInt32?) -> [(key: String, value: GGUFValue)] {
        var metadata: [(key: String, value: GGUFValue)] = []
        if let alignment { metadata.append(("general.alignment", .uint32(alignment))) }
        metadata += [
            ("general.name", .string("wéight🙂pack")), ("empty", .string("")), ("u8", .uint8(255)), ("i8", .int8(-128)),
            ("u16", .uint16(65535)), ("i16", .int16(-32768)), ("u32", .uint32(.max)), ("i32", .int32(.min)),
            ("f32", .float32(-0.1)), ("bool", .bool(true)), ("u64", .uint64(.max)), ("i64", .int64(.min)),
            ("f64", .float64(.pi)),
            ("tokens", .array(elementType: .string, [.string("<s>"), .string(""), .string("é")])),
            ("scores", .array(elementType: .float32, [.float32(0.5), .float32(-1e-30)])),
            ("ids", .array(elementType: .uint64, [.uint64(0), .uint64(.max)])),
            ("flags", .array(elementType: .bool, [.bool(false), .bool(true)])),
            (
                "nested",
                .array(
                    elementType: .array,
                    [
                        .array(elementType: .int32, [.int32(1), .int32(-2)]),
                        .array(elementType: .string, [.string("x")]),
                        .array(elementType: .array, [.array(elementType: .float32, [.float32(2.5)])]),
                    ])
            ),
        ]
        return metadata
    }

    private static func sampleTensors(seed: UInt64) -> [(name: String, shape: Shape, type: GGMLType, bytes: Data)] {
        var generator = SplitMix64(seed: seed)
        func bytes(_ count: Int) -> Data { Data((0..<count).map { _ in generator.byte() }) }
        let f32 = (0..<6).flatMap { index in withUnsafeBytes(of: (Float(index) * 0.25).bitPattern) { Array($0) } }
        return [
            ("token_embd.weight", [2, 3], .f32, Data(f32)),
            ("norm", [4], .f16, Data([0x00, 0x3C, 0x00, 0xC0, 0x00, 0x00, 0x01, 0x00])),
            ("q8", [2, 64], .q8_0, bytes(4 * 34)), ("q4", [3, 32], .q4_0, bytes(3 * 18)),
            ("q4_1", [1, 32], .q4_1, bytes(20)), ("q5_0", [32], .q5_0, bytes(22)),
            ("q5_1", [2, 1, 32], .q5_1, bytes(48)),
            ("bf16", [5], .bf16, bytes(10)), ("k", [256], .q4_k, bytes(144)),
        ]
    }

    private func encoded(_ key: String, _ value: GGUFValue) -> String {
        var writer = ByteWriter()
        GGUFValue.writeString(key, to: &writer)
        writer.writeIntegerLE(value.type.rawValue)
        value.write(to: &writer)
        return GGUFHex.string(writer.bytes)
    }

    /// The JSON spec the script hands to GGUFWriter, in the golden sidecar's value format.
    private func spec(
        _ metadata: [(key: String, value: GGUFValue)],
        _ tensors: [(name: String, shape: Shape, type: GGMLType, bytes: Data)]
    ) throws -> Data {
        func json(_ value: GGUFValue) -> [String: Any] {
            switch value {
            case .array(let elementType, let elements):
                return ["type": "array", "element_type": elementType.name, "elements": elements.map(json)]
            case .float32(let number):
                return [
                    "type": "float32",
                    "value": GGUFHex.string(withUnsafeBytes(of: number.bitPattern.littleEndian) { Array($0) }),
                ]
            case .float64(let number):
                return [
                    "type": "float64",
                    "value": GGUFHex.string(withUnsafeBytes(of: number.bitPattern.littleEndian) { Array($0) }),
                ]
            case .string(let text): return ["type": "string", "value": text]
            default: return ["type": value.type.name, "value": value.description]
            }
        }
        let object: [String: Any] = [
            "metadata": metadata.map { ["key": $0.key, "value": json($0.value)] },
            "tensors": tensors.map {
                [
                    "name": $0.name, "type": $0.type.name, "ne": Array($0.shape.dimensions.reversed()),
                    "hex": GGUFHex.string($0.bytes),
                ]
            },
        ]
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test(arguments: [nil, 8, 64] as [UInt32?])
    func ggufPyReadsWhatWeWriteAndWritesTheSameBytes(alignment: UInt32?) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let metadata = Self.sampleMetadata(alignment: alignment)
        let tensors = Self.sampleTensors(seed: UInt64(alignment ?? 1))
        let ours = folder.path("ours.gguf")
        let theirs = folder.path("theirs.gguf")
        try GGUFWriter.write(metadata: metadata, tensors: tensors, to: ours)
        try spec(metadata, tensors).write(to: URL(fileURLWithPath: folder.path("spec.json")))
        let output = try GGUFReferencePython.run(Self.script, [ours, folder.path("spec.json"), theirs])
        let loaded = try JSONDecoder().decode(Loaded.self, from: output)
        let reader = try GGUFReader(path: ours)
        #expect(loaded.alignment == Int(alignment ?? 32))
        #expect(loaded.dataOffset == reader.dataStart)
        #expect(loaded.fields.map(\.key) == metadata.map(\.key))
        for (field, entry) in zip(loaded.fields, metadata) {
            #expect(field.types.first == entry.value.type.name, "\(entry.key)")
            #expect(field.hex == encoded(entry.key, entry.value), "\(entry.key)")
        }
        #expect(loaded.tensors.map(\.name) == tensors.map(\.name))
        for (found, tensor) in zip(loaded.tensors, tensors) {
            #expect(found.type == tensor.type.name, "\(tensor.name)")
            #expect(found.ne == tensor.shape.dimensions.reversed(), "\(tensor.name)")
            #expect(found.nBytes == tensor.bytes.count, "\(tensor.name)")
            #expect(found.hex == GGUFHex.string(tensor.bytes), "\(tensor.name)")
            #expect(found.offset == reader.tensor(named: tensor.name)?.offset, "\(tensor.name)")
        }
        let theirBytes = try Data(contentsOf: URL(fileURLWithPath: theirs))
        #expect(theirBytes == reader.file.bytes, "GGUFWriter's file differs from ours")
    }
}
