/// Weight initialisation like PyTorch's defaults for Conv2d and Linear.
public enum Initializer {
    /// Kaiming-uniform with a = √5 (PyTorch's default for weights, and its bias rule):
    /// values uniform in ±1/√fanIn, drawn in row-major order from `generator`.
    public static func kaimingUniform(shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
        precondition(fanIn > 0, "Initializer.kaimingUniform: fan-in must be positive, got \(fanIn)")
        let bound = 1 / Float(fanIn).squareRoot()
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = generator.nextFloat(in: -bound, bound) }
        return Tensor(shape: shape, data: values)
    }
}
