import Foundation
import TensorCore
import Transforms

/// Runs each tensor through the recipe ``PackPlan`` chose for it.
struct TensorEncoder: Sendable {
    let plan: PackPlan
    let chain = StageChain()

    /// Encodes `tensor` through its planned recipe.
    /// - Throws: `WeightPackError` naming the tensor (e.g. NaN in a tensor to quantize).
    /// - Parameter releaseInput: passed to ``StageChain/encode(_:recipe:releaseInput:)``.
    func encode(_ tensor: Tensor, releaseInput: ((Range<Int>) -> Void)? = nil) throws(WeightPackError) -> EncodedTensor
    {
        do {
            return try chain.encode(tensor, recipe: plan.recipe(for: tensor.name), releaseInput: releaseInput)
        } catch {
            throw WeightPackError(wrapping: error, path: nil, tensorName: tensor.name)
        }
    }
}
