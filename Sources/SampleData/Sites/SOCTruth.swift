import Foundation

/// The known function that generates the sample data's soil organic carbon (g/kg) from the
/// covariates of a site's cell and depth. The README prints the same formula.
///
///     ln S0 = b0 + 1.4 (NDVI - 0.45) - 0.035 (T - 10) + 0.25 ln(clamp(AI, 0.05, 3) / 0.6)
///            + 0.4 sigmoid((elevation - 3000) / 300) + 0.006 (clay - 20) + soil-type effect
///     SOC(d) = S0 (f + (1 - f) exp(-d / k)),  f = 0.18,  k = 18 + 14 exp(-AI) cm
///
/// A horizon's expected value is the mean of SOC(d) over its depths; the observed value is that
/// times lognormal noise exp(sigma z - sigma^2 / 2), sigma = 0.45.
enum SOCTruth {
    /// b0, chosen so that the mean 0-5 cm SOC of the default sites is about 20 g/kg.
    static let intercept = 2.78
    /// f: the fraction of surface SOC that does not decay with depth.
    static let floorFraction = 0.18
    /// sigma of the multiplicative lognormal noise.
    static let noiseSigma = 0.45

    /// The covariates the truth depends on (values of the site's cell on the main grid, as written).
    struct Inputs: Sendable, Equatable {
        var ndvi: Double
        var temperature: Double
        var aridity: Double
        var elevation: Double
        var clay: Double
        var soilType: SoilType

        /// Picks the inputs out of a surface sample.
        init(_ s: SurfaceSample) {
            ndvi = s.ndvi
            temperature = s.temperature
            aridity = s.aridity
            elevation = s.elevation
            clay = s.clay
            soilType = s.soilType
        }
    }

    /// S0: SOC at the surface (g/kg).
    static func surface(_ x: Inputs) -> Double {
        let ai = clamp(x.aridity, 0.05, 3)
        let logS =
            intercept + 1.4 * (x.ndvi - 0.45) - 0.035 * (x.temperature - 10) + 0.25 * log(ai / 0.6)
            + 0.4 * sigmoid((x.elevation - 3000) / 300) + 0.006 * (x.clay - 20) + x.soilType.socEffect
        return exp(logS)
    }

    /// k: the e-folding depth (cm) of the decaying part; deeper in dry land.
    static func decayDepth(_ x: Inputs) -> Double { 18 + 14 * exp(-x.aridity) }

    /// SOC (g/kg) at depth `d` cm.
    static func value(_ x: Inputs, depth d: Double) -> Double {
        let k = decayDepth(x)
        return surface(x) * (floorFraction + (1 - floorFraction) * exp(-d / k))
    }

    /// Mean SOC (g/kg) over the depths top...bottom cm (closed form of the integral).
    static func mean(_ x: Inputs, top: Double, bottom: Double) -> Double {
        precondition(bottom > top, "SOCTruth.mean: bottom \(bottom) must be below top \(top)")
        let k = decayDepth(x)
        let decay = k * (exp(-top / k) - exp(-bottom / k)) / (bottom - top)
        return surface(x) * (floorFraction + (1 - floorFraction) * decay)
    }
}
