import Codecs
import Foundation
import TensorCore
import Transforms

/// One tensor after its stage chain: the bytes to store and the chain that produced them.
struct EncodedTensor: Sendable {
    var tensor: Tensor
    var stages: [StageDescriptor]
    var storedBytes: Data
}

/// Runs one tensor through the stages ``PackOptions`` call for.
struct TensorEncoder: Sendable {
    let options: PackOptions
    let codec: (any ByteCodec)?
    /// The codec for payloads of at least ``largePayloadByteCount``: zstd with worker threads on a multi-core
    /// machine. Its frames decode like any other zstd frame; the bytes depend only on the payload size and
    /// level, not on the machine (one worker count for all), so packing stays deterministic.
    let largeCodec: (any ByteCodec)?
    /// Payloads this large (4 MiB) are compressed by ``largeCodec``.
    static let largePayloadByteCount = 4 << 20

    init(options: PackOptions) throws(WeightPackError) {
        self.options = options
        codec = try options.codec.makeCodec()
        if case .zstd(let level) = options.codec {
            do { largeCodec = try ZstdCodec(level: level, workers: 2) } catch {
                throw WeightPackError(.invalidOption, error.message)
            }
        } else {
            largeCodec = codec
        }
    }

    /// True when `tensor` is quantized under these options: a non-empty float tensor with enough dimensions.
    func quantizes(_ tensor: Tensor) -> Bool {
        options.quantization == .int8 && tensor.dtype.isFloatingPoint && tensor.elementCount > 0
            && tensor.shape.count >= options.minimumQuantizedDimensions
    }

    /// Encodes `tensor`: quantize when eligible, then apply the codec when it saves bytes.
    /// - Throws: `WeightPackError` naming the tensor (e.g. NaN in a tensor to quantize).
    func encode(_ tensor: Tensor) throws(WeightPackError) -> EncodedTensor {
        do {
            var stages: [StageDescriptor] = []
            var bytes = tensor.data
            if quantizes(tensor) {
                let output = try Int8Quantizer().encode(
                    tensor.float32Values(), shape: tensor.shape, tensorName: tensor.name)
                bytes = output.bytes
                stages.append(
                    StageDescriptor(
                        name: Int8Quantizer.stageName, parameters: output.parameters, outputByteCount: bytes.count))
            }
            if let smallCodec = codec, !bytes.isEmpty {
                let codec = bytes.count >= Self.largePayloadByteCount ? (largeCodec ?? smallCodec) : smallCodec
                let compressed = try bytes.withUnsafeBytes { raw throws -> [UInt8] in try codec.encode(raw) }
                if compressed.count < bytes.count {
                    bytes = Data(compressed)
                    stages.append(
                        StageDescriptor(name: codec.name, parameters: codec.parameters, outputByteCount: bytes.count))
                }
            }
            return EncodedTensor(tensor: tensor, stages: stages, storedBytes: bytes)
        } catch {
            throw WeightPackError(wrapping: error, path: nil, tensorName: tensor.name)
        }
    }
}
