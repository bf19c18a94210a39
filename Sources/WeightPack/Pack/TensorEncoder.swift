import Foundation
import TensorCore
import Transforms

/// Runs each tensor through the recipe ``PackPlan`` chose for it.
struct TensorEncoder: Sendable {
    let plan: PackPlan
    let chain = StageChain()

    /// Encodes `tensor` through its planned recipe.
    ///
    /// With `nonFinite` other than `.error`, a tensor that a lossy stage refuses for NaN or infinity is encoded
    /// again: with those elements set to 0 (as Float32), or with the recipe's lossless stages only.
    /// - Parameter releaseInput: passed to ``StageChain/encode(_:recipe:releaseInput:populateInput:)``.
    /// - Parameter populateInput: passed likewise.
    /// - Throws: `WeightPackError` naming the tensor (e.g. NaN in a tensor to quantize under `.error`).
    func encode(
        _ tensor: Tensor, nonFinite: PackOptions.NonFinitePolicy = .error,
        releaseInput: ((Range<Int>) -> Void)? = nil, populateInput: ((Range<Int>) -> Void)? = nil
    ) throws(WeightPackError) -> EncodedTensor {
        let recipe = plan.recipe(for: tensor.name)
        do {
            return try chain.encode(
                tensor, recipe: recipe, releaseInput: releaseInput, populateInput: populateInput)
        } catch let error as TransformError where error.code == .nonFiniteValues && nonFinite != .error {
            do {
                var values = try tensor.float32Values()
                let count = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                switch nonFinite {
                case .zero:
                    for index in values.indices where !values[index].isFinite { values[index] = 0 }
                    var encoded = try chain.encode(
                        try Tensor(name: tensor.name, shape: tensor.shape, float32Values: values), recipe: recipe)
                    encoded.tensor = tensor
                    encoded.nonFiniteNote = "\(count) NaN or infinite elements set to 0"
                    return encoded
                case .keepFloat, .error:
                    var encoded = try chain.encode(tensor, recipe: recipe.losslessPart)
                    encoded.nonFiniteNote = "\(count) NaN or infinite elements: kept as float"
                    return encoded
                }
            } catch { throw WeightPackError(wrapping: error, path: nil, tensorName: tensor.name) }
        } catch {
            var wrapped = WeightPackError(wrapping: error, path: nil, tensorName: tensor.name)
            if (error as? TransformError)?.code == .nonFiniteValues {
                wrapped.message += " (pack --nan zero sets them to 0; --nan keep-float keeps this tensor lossless)"
            }
            throw wrapped
        }
    }
}
