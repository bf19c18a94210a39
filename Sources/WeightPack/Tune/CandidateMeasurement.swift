import Formats
import Foundation
import TensorCore

/// Measures candidate recipes on one tensor: encodes it exactly as `pack` would, decodes it back, and compares.
struct CandidateMeasurement: Sendable {
    let chain = StageChain()

    /// The point of `recipe` on `tensor`, or `nil` when the recipe does not apply to it (a group that does not
    /// divide the rows, a low-rank split that would not save bytes, non-finite values for a lossy stage, ...).
    func measure(_ tensor: Tensor, recipeText: String, recipe: Recipe) -> RateDistortionPoint? {
        try? Self.measureThrowing(tensor, recipeText: recipeText, recipe: recipe, chain: chain)
    }

    /// The point of `recipe` on `tensor`.
    /// - Throws: the stage's error when the recipe does not apply.
    static func measureThrowing(_ tensor: Tensor, recipeText: String, recipe: Recipe, chain: StageChain) throws
        -> RateDistortionPoint
    {
        let encoded = try chain.encode(tensor, recipe: recipe)
        let record = WPKTensorRecord(
            name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, stages: encoded.stages, offset: 0,
            length: encoded.storedByteCount, checksum: "")
        let decoded = try chain.decode(encoded.storedBytes, record: record)
        let comparison = TensorComparison(reference: tensor, candidate: decoded)
        return RateDistortionPoint(
            recipe: recipeText, storedBytes: encoded.storedByteCount,
            snrDecibels: comparison.bitExact ? .infinity : comparison.snrDecibels)
    }
}
