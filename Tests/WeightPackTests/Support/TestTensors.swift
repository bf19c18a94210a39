import Formats
import Foundation
import TensorCore
import TestSupport

/// Tensors built in Swift from seeded generators, and the safetensors files that hold them.
enum TestTensors {
    /// A Float32 (or f16 / bf16 / f64) tensor of uniform values in `-magnitude...magnitude`.
    static func random(
        _ name: String, _ shape: Shape, dtype: DType = .float32, magnitude: Float = 1, seed: UInt64
    ) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        let values = generator.floats(count: try shape.elementCount(), magnitude: magnitude)
        return try Tensor(name: name, shape: shape, float32Values: values, dtype: dtype)
    }

    /// A float tensor from explicit values.
    static func floats(_ name: String, _ shape: Shape, _ values: [Float], dtype: DType = .float32) throws -> Tensor {
        try Tensor(name: name, shape: shape, float32Values: values, dtype: dtype)
    }

    /// An integer tensor whose elements are `values`, stored little-endian as `T`.
    static func integers<T: FixedWidthInteger>(_ name: String, _ shape: Shape, _ values: [T], dtype: DType) throws
        -> Tensor
    {
        var writer = ByteWriter()
        for value in values { writer.writeIntegerLE(value) }
        return try Tensor(name: name, dtype: dtype, shape: shape, data: Data(writer.bytes))
    }

    /// `count` bytes from the generator: incompressible.
    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var generator = SplitMix64(seed: seed)
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A Float64 tensor of uniform values in `-1...1`.
    static func randomFloat64(_ name: String, _ shape: Shape, seed: UInt64) throws -> Tensor {
        var generator = SplitMix64(seed: seed)
        var writer = ByteWriter()
        for _ in 0..<(try shape.elementCount()) {
            writer.writeIntegerLE(Double.random(in: -1...1, using: &generator).bitPattern)
        }
        return try Tensor(name: name, dtype: .float64, shape: shape, data: Data(writer.bytes))
    }

    /// Writes `tensors` with `metadata` as a safetensors file at `path`.
    static func writeSafetensors(_ tensors: [Tensor], metadata: [String: String] = [:], to path: String) throws {
        try SafetensorsWriter.write(TensorCollection(tensors: tensors, metadata: metadata), to: path)
    }

    /// Every tensor of the safetensors file at `path`, with its metadata.
    static func readSafetensors(_ path: String) throws -> TensorCollection {
        try SafetensorsReader(path: path).readAll()
    }

    /// A small model: a 2-D weight, a 1-D bias, an integer tensor and a bool mask.
    static func smallModel(seed: UInt64 = 1) throws -> [Tensor] {
        [
            try random("encoder.layer.0.attention.query.weight", [16, 24], magnitude: 0.5, seed: seed),
            try random("encoder.layer.0.attention.query.bias", [24], magnitude: 0.1, seed: seed + 1),
            try integers("embeddings.position_ids", [1, 40], (0..<40).map(Int64.init), dtype: .int64),
            try integers("attention.mask", [8], [1, 0, 1, 1, 0, 0, 1, 0] as [UInt8], dtype: .bool),
        ]
    }
}
