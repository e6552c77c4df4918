/// Climate zones of the synthetic China (class codes 1...8, 0 = nodata), derived from temperature,
/// precipitation and the Tibetan plateau.
enum ClimateZone: UInt8, CaseIterable, Sendable {
    case tropical = 1
    case subtropical, warmTemperate, temperate, coldTemperate, semiArid, arid, plateau

    /// The category name written to the raster.
    var name: String {
        switch self {
        case .tropical: "Tropical humid"
        case .subtropical: "Subtropical humid"
        case .warmTemperate: "Warm temperate"
        case .temperate: "Temperate"
        case .coldTemperate: "Cold temperate"
        case .semiArid: "Temperate semi-arid"
        case .arid: "Arid desert"
        case .plateau: "Tibetan plateau"
        }
    }

    /// The zone for a cell's climate (the thresholds are part of the documented truth).
    static func classify(
        temperature t: Double, precipitation p: Double, elevation e: Double, plateauness: Double
    ) -> ClimateZone {
        if e > 3000 && plateauness > 0.3 { return .plateau }
        if p < 200 { return .arid }
        if p < 400 && t < 14 { return .semiArid }
        if t >= 21 { return .tropical }
        if t >= 14 { return .subtropical }
        if t >= 9 { return .warmTemperate }
        if t >= 1.5 { return .temperate }
        return .coldTemperate
    }
}

/// Soil types of the synthetic China (class codes 1...10, 0 = nodata), named after the Genetic Soil
/// Classification of China with the nearest WRB reference groups.
enum SoilType: UInt8, CaseIterable, Sendable {
    case latosol = 1
    case redYellowEarth, paddy, fluvoAquic, brownForest, blackChernozem, loess, chestnut, desert, alpine

    /// The category name written to the raster.
    var name: String {
        switch self {
        case .latosol: "Latosols (Ferralsols)"
        case .redYellowEarth: "Red and yellow earths (Acrisols)"
        case .paddy: "Paddy soils (Anthrosols)"
        case .fluvoAquic: "Fluvo-aquic and cinnamon soils (Fluvisols, Cambisols)"
        case .brownForest: "Brown and dark-brown forest soils (Luvisols)"
        case .blackChernozem: "Black soils and chernozems (Phaeozems, Chernozems)"
        case .loess: "Loessial soils (Calcisols)"
        case .chestnut: "Chestnut soils (Kastanozems)"
        case .desert: "Desert and aeolian soils (Arenosols, Gypsisols)"
        case .alpine: "Alpine meadow and steppe soils (Leptosols, Cryosols)"
        }
    }

    /// Additive effect on ln(SOC) in the truth function (part of the documented truth).
    var socEffect: Double {
        switch self {
        case .latosol: -0.10
        case .redYellowEarth: -0.05
        case .paddy: 0.25
        case .fluvoAquic: -0.25
        case .brownForest: 0.15
        case .blackChernozem: 0.45
        case .loess: -0.35
        case .chestnut: -0.05
        case .desert: -0.55
        case .alpine: 0.35
        }
    }

    /// The soil type from climate, relief and land use; `jitter` (about -1...1) blurs the boundaries.
    static func classify(
        temperature t: Double, precipitation p: Double, elevation e: Double, plateauness: Double,
        loessness: Double, cropland: Double, lon: Double, jitter: Double
    ) -> SoilType {
        let p = p * (1 + 0.25 * jitter)
        let t = t + 1.5 * jitter
        if e > 3100 && plateauness > 0.3 { return .alpine }
        if p < 180 { return .desert }
        if loessness > 0.45 - 0.2 * jitter && p < 650 { return .loess }
        if p < 380 { return t < 8 && lon > 110 && e < 800 ? .blackChernozem : .chestnut }
        if t >= 21 { return .latosol }
        if t >= 13 && p > 750 { return cropland > 45 + 20 * jitter ? .paddy : .redYellowEarth }
        if t >= 9 && p > 1000 { return .redYellowEarth }
        if t >= 9 { return cropland > 50 ? .fluvoAquic : .brownForest }
        if lon > 115 && t < 6 && p < 750 && e < 600 { return .blackChernozem }
        return .brownForest
    }
}
