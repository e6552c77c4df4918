import Foundation

/// A seeded source of 64-bit words; the draws derived from it are fixed here (not left to the
/// standard library), so a seed gives the same numbers with every Swift version.
public protocol WordGenerator {
    /// The next 64 random bits.
    mutating func next() -> UInt64
}

extension WordGenerator {
    /// A uniform integer in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    @inlinable
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "next(below:) needs a positive bound, got \(bound)")
        let n = UInt64(bound)
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = next().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal draw (Box–Muller, one value per call, two words).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextUnitDouble(), 0x1p-60)
        let u2 = nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Shuffles `values` in place (Fisher–Yates, from the last element down).
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = next(below: i + 1)
            if i != j { values.swapAt(i, j) }
        }
    }
}
