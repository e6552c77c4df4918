import Randomness

/// Seeded 2-D gradient noise (Perlin-style) and its fractal sum: the smooth random part of every field.
///
/// Coordinates are in degrees (longitude scaled by `lonScale` so features are roughly round at
/// mid-latitudes); `frequency` is in cycles per degree. Values lie in about [-1, 1].
struct SmoothNoise: Sendable {
    /// The lattice hash seed (one per field).
    let seed: UInt64
    /// Cycles per degree of the first octave.
    let frequency: Double
    /// Number of octaves, each at twice the frequency of the previous one.
    let octaves: Int
    /// Amplitude ratio between successive octaves.
    let persistence: Double

    /// Longitude compression that makes a degree of longitude about as long as a degree of latitude near 35 N.
    static let lonScale = 0.82

    /// Eight unit gradient directions (a fixed table keeps the noise free of trigonometry).
    private static let gradients: [(Double, Double)] = [
        (1, 0), (-1, 0), (0, 1), (0, -1),
        (0.707_106_781_186_547_5, 0.707_106_781_186_547_5), (-0.707_106_781_186_547_5, 0.707_106_781_186_547_5),
        (0.707_106_781_186_547_5, -0.707_106_781_186_547_5), (-0.707_106_781_186_547_5, -0.707_106_781_186_547_5)
    ]

    /// Noise for `seed` and a field name, so each field draws from its own lattice.
    init(seed: UInt64, field: String, frequency: Double, octaves: Int = 4, persistence: Double = 0.5) {
        precondition(octaves >= 1, "SmoothNoise needs at least one octave")
        self.seed = SplitMix64.mix(seed ^ SeededGenerator.streamHash(field))
        self.frequency = frequency
        self.octaves = octaves
        self.persistence = persistence
    }

    /// The fractal sum at a point, normalised to about [-1, 1].
    func callAsFunction(lon: Double, lat: Double) -> Double {
        var x = lon * SmoothNoise.lonScale * frequency
        var y = lat * frequency
        var amplitude = 1.0
        var total = 0.0
        var norm = 0.0
        for octave in 0..<octaves {
            total += amplitude * gradientNoise(x: x, y: y, octave: UInt64(octave))
            norm += amplitude
            amplitude *= persistence
            // Offsets keep the lattices of successive octaves from sharing their origin.
            x = x * 2 + 17.31
            y = y * 2 - 9.77
        }
        return total / norm * 1.45
    }

    /// One octave of gradient noise in lattice units.
    private func gradientNoise(x: Double, y: Double, octave: UInt64) -> Double {
        let fx = x.rounded(.down)
        let fy = y.rounded(.down)
        let ix = Int64(fx)
        let iy = Int64(fy)
        let dx = x - fx
        let dy = y - fy
        let u = SmoothNoise.fade(dx)
        let v = SmoothNoise.fade(dy)
        let n00 = dot(ix, iy, dx, dy, octave)
        let n10 = dot(ix + 1, iy, dx - 1, dy, octave)
        let n01 = dot(ix, iy + 1, dx, dy - 1, octave)
        let n11 = dot(ix + 1, iy + 1, dx - 1, dy - 1, octave)
        let a = n00 + u * (n10 - n00)
        let b = n01 + u * (n11 - n01)
        return a + v * (b - a)
    }

    /// The lattice gradient at (ix, iy) dotted with the offset.
    private func dot(_ ix: Int64, _ iy: Int64, _ dx: Double, _ dy: Double, _ octave: UInt64) -> Double {
        let h = SplitMix64.mix(
            seed ^ (UInt64(bitPattern: ix) &* 0x9E37_79B9_7F4A_7C15)
                ^ (UInt64(bitPattern: iy) &* 0xC2B2_AE3D_27D4_EB4F) ^ (octave &* 0x1656_67B1_9E37_79F9))
        let g = SmoothNoise.gradients[Int(h >> 61)]
        return g.0 * dx + g.1 * dy
    }

    /// Perlin's quintic fade curve.
    private static func fade(_ t: Double) -> Double { t * t * t * (t * (t * 6 - 15) + 10) }
}
