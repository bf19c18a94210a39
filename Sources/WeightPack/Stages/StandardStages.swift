import Transforms

/// The value transforms of this version, in the order `--help` lists them.
enum StandardStages {
    static let valueTransforms: [any ValueTransform.Type] = [
        IntegerQuantizer.self, GGMLBlockTransform.self, EntropyCodedQuantizer.self, WeightClustering.self,
        MagnitudePruning.self, LowRankSplit.self,
    ]
}
