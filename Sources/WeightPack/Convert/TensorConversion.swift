import Foundation
import TensorCore

/// Dtype changes applied to decoded tensors on their way to another file.
enum TensorConversion {
    /// A decoded tensor in its source dtype: lossy stages decode to Float32, which is converted back so that
    /// the new file records the dtype it stores. Block-quantized sources (`storageType` set) stay Float32.
    static func restoringSourceDType(_ tensor: Tensor, info: TensorInfo) throws -> Tensor {
        guard tensor.dtype != info.dtype, info.storageType == nil else { return tensor }
        return try converting(tensor, to: info.dtype)
    }

    /// `tensor` with its elements converted to the float dtype `dtype` (round to nearest even when narrowing).
    static func converting(_ tensor: Tensor, to dtype: DType) throws -> Tensor {
        guard tensor.dtype != dtype else { return tensor }
        return try Tensor(name: tensor.name, shape: tensor.shape, float32Values: tensor.float32Values(), dtype: dtype)
    }
}
