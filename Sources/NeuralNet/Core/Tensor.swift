/// A dense Float32 tensor: row-major and contiguous, images in NCHW order
/// (batch, channel, row, column); vectors of features are [batch, features].
public struct Tensor: Sendable, Equatable {
    /// Size of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The values in row-major order; `data.count == shape.product`.
    public var data: [Float]

    /// A tensor with the given shape and values (row-major).
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(
            shape.reduce(1, *) == data.count,
            "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor whose values are written by `body` into uninitialised storage of `shape.product` floats.
    @inlinable
    public init(shape: [Int], unsafeUninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        let data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
        self.init(shape: shape, data: data)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    /// Number of values.
    public var count: Int { data.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The same values seen with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(
            newShape.reduce(1, *) == count,
            "Tensor.reshaped: cannot view shape \(shape) as \(newShape)")
        return Tensor(shape: newShape, data: data)
    }

    /// Sets every value to zero, keeping the shape.
    public mutating func zero() {
        data.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { base.update(repeating: 0, count: buffer.count) }
        }
    }

    /// The value at a multi-dimensional index (slow; for tests and small look-ups).
    public subscript(_ index: Int...) -> Float {
        get { data[flatIndex(index)] }
        set { data[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) has the wrong rank for shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "Tensor: index \(index) out of range for shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }
}
