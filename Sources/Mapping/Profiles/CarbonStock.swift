/// Soil organic carbon stocks of depth layers, in t/ha (GlobalSoilMap; FAO GSOCmap for 0-30 cm):
///
///     stock (t/ha) = SOC (g/kg) × BD (g/cm³) × (1 − CF) × thickness (cm) × 0.1
///
/// Per hectare (10⁸ cm²) a layer `t` cm thick holds 10⁸ · t cm³ of soil, of which (1 − CF) is fine
/// earth, weighing BD · 10⁸ · t · (1 − CF) g = BD · t · (1 − CF) · 100 t; SOC g/kg is SOC / 1000 of
/// that mass: BD · t · (1 − CF) · SOC · 0.1 t. With SOC in % (10 g/kg) the factor is 1; with BD in
/// kg/m³ BD is divided by 1000 first, in cg/cm³ (SoilGrids' `bdod`) by 100. E.g. 10 g/kg, 1.3 g/cm³,
/// no gravel, 30 cm: 39 t/ha.
public enum CarbonStock {
    /// The unit of the SOC maps.
    public enum SOCUnit: String, Sendable, CaseIterable {
        /// Grams of organic carbon per kilogram of fine earth.
        case gramsPerKilogram = "g/kg"
        /// Mass percent (1 % = 10 g/kg).
        case percent = "%"

        /// Grams per kilogram in one unit.
        public var gramsPerKilogram: Double { self == .percent ? 10 : 1 }
    }

    /// The unit of the bulk density raster.
    public enum BulkDensityUnit: String, Sendable, CaseIterable {
        /// Grams per cubic centimetre (= t/m³).
        case gramsPerCubicCentimetre = "g/cm3"
        /// Centigrams per cubic centimetre (SoilGrids' `bdod`: 1.3 g/cm³ is stored as 130).
        case centigramsPerCubicCentimetre = "cg/cm3"
        /// Kilograms per cubic metre.
        case kilogramsPerCubicMetre = "kg/m3"

        /// g/cm³ in one unit.
        public var gramsPerCubicCentimetre: Double {
            switch self {
            case .gramsPerCubicCentimetre: 1
            case .centigramsPerCubicCentimetre: 0.01
            case .kilogramsPerCubicMetre: 0.001
            }
        }

        /// Bulk densities of soil that can be right, in this unit: 0.05-2.65 g/cm³ (peat about 0.1,
        /// mineral soils 1-1.8, the density of quartz 2.65 as the ceiling).
        public var plausible: ClosedRange<Double> {
            let r = CarbonStock.plausibleBulkDensity
            let f = 1 / gramsPerCubicCentimetre
            return (r.lowerBound * f)...(r.upperBound * f)
        }
    }

    /// The unit of the coarse-fragment raster.
    public enum FractionUnit: String, Sendable, CaseIterable {
        /// A volume fraction 0-1.
        case fraction
        /// Volume percent 0-100.
        case percent = "%"

        /// The fraction of one unit.
        public var fraction: Double { self == .percent ? 0.01 : 1 }
    }

    /// Plausible bulk densities in g/cm³.
    public static let plausibleBulkDensity: ClosedRange<Double> = 0.05...2.65

    /// The stock of a layer in t/ha: `soc` in `socUnit`, `bulkDensity` in g/cm³, `coarseFraction` a
    /// volume fraction 0-1, `thickness` in cm.
    @inlinable
    public static func stock(
        soc: Double, socUnit: SOCUnit, bulkDensity: Double, coarseFraction: Double,
        thickness: Double
    ) -> Double {
        soc * socUnit.gramsPerKilogram * bulkDensity * (1 - coarseFraction) * thickness * 0.1
    }

    /// A summed layer, e.g. 0-30 cm from 0-5, 5-15 and 15-30 cm.
    public struct Sum: Sendable, Equatable {
        /// The label, e.g. "0-30cm".
        public var label: String
        /// Its bottom in cm.
        public var bottom: Double
        /// Indices of the depth intervals it adds up.
        public var members: [Int]
    }

    /// The sums from the surface to each of `bottoms` (cm) that `depths` (top, bottom in cm, in order)
    /// cover without gap or overlap and with a boundary at that bottom; the others are left out.
    public static func sums(depths: [(top: Double, bottom: Double)], bottoms: [Double]) -> [Sum] {
        bottoms.compactMap { bottom in
            var members: [Int] = []
            var reached = 0.0
            for (i, d) in depths.enumerated() where d.top < bottom {
                guard d.top == reached, d.bottom <= bottom else { return nil }
                members.append(i)
                reached = d.bottom
            }
            guard reached == bottom, !members.isEmpty else { return nil }
            return Sum(label: "0-\(Int(bottom))cm", bottom: bottom, members: members)
        }
    }

    /// The GlobalSoilMap / GSOCmap sums: 0-30 cm and 0-100 cm.
    public static let standardSumBottoms: [Double] = [30, 100]
}
