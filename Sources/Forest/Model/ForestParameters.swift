// Hyper-parameters of a random forest, with scikit-learn's meanings.

/// Hyper-parameters of a `RandomForest` (the names follow scikit-learn's RandomForestRegressor).
public struct ForestParameters: Sendable, Equatable, Codable {
    /// Number of trees (model.md: 500).
    public var trees: Int
    /// Features tried at each split, drawn at random without replacement (capped at the feature
    /// count when fitting). As in scikit-learn, features found constant in a node do not count.
    public var maxFeatures: Int
    /// Least number of distinct training rows in a leaf (bootstrap duplicates count once, as in scikit-learn).
    public var minSamplesLeaf: Int
    /// Whether each tree learns from a bootstrap sample (n rows drawn with replacement) rather than every row.
    public var bootstrap: Bool
    /// Deepest level a tree may grow to (the root is depth 0); nil grows until the leaves are pure or too small.
    public var maxDepth: Int?
    /// Seed of every random choice: the same seed and data give the same forest, byte for byte.
    public var seed: UInt64

    /// Parameters with model.md's defaults for everything but `maxFeatures` and `seed`.
    public init(
        trees: Int = 500, maxFeatures: Int, minSamplesLeaf: Int = 10, bootstrap: Bool = true,
        maxDepth: Int? = nil, seed: UInt64 = 0
    ) {
        self.trees = trees
        self.maxFeatures = maxFeatures
        self.minSamplesLeaf = minSamplesLeaf
        self.bootstrap = bootstrap
        self.maxDepth = maxDepth
        self.seed = seed
    }

    /// Checks the values, naming the bad one; called by `RandomForest.fit`.
    func validate() {
        precondition(trees >= 1, "ForestParameters.trees must be at least 1, got \(trees)")
        precondition(maxFeatures >= 1, "ForestParameters.maxFeatures must be at least 1, got \(maxFeatures)")
        precondition(minSamplesLeaf >= 1, "ForestParameters.minSamplesLeaf must be at least 1, got \(minSamplesLeaf)")
        if let maxDepth {
            precondition(maxDepth >= 0, "ForestParameters.maxDepth must be nil or at least 0, got \(maxDepth)")
        }
    }
}
