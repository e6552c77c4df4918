/// Which grid a covariate raster is written on.
enum GridPlacement: String, Sendable {
    /// The main Albers grid at the chosen resolution.
    case main
    /// The Albers CRS at twice the resolution (exercises resampling).
    case coarse
    /// Longitude/latitude (EPSG:4326) at resolution / 100 km degrees (exercises reprojection).
    case geographic
}

/// One continuous covariate raster of the sample data.
struct ContinuousCovariate: Sendable {
    /// File stem and band description, e.g. "elevation".
    let name: String
    /// Unit written to the band.
    let unit: String
    /// One line for the README and the band metadata.
    let summary: String
    /// Decimal places kept (values are rounded, which helps DEFLATE).
    let decimals: Int
    /// The grid the raster is written on.
    let placement: GridPlacement
    /// Picks the value out of a surface sample.
    let value: @Sendable (SurfaceSample) -> Double
}

/// One categorical covariate raster (UInt8 codes, 0 = nodata, named categories).
struct CategoricalCovariate: Sendable {
    /// File stem and band description.
    let name: String
    /// One line for the README.
    let summary: String
    /// Category names by code (index 0 is the nodata class, named "").
    let categories: [String]
    /// Picks the class code out of a surface sample.
    let code: @Sendable (SurfaceSample) -> UInt8
}

/// The covariates of the sample data, in the order they are written.
enum CovariateCatalog {
    /// Continuous covariates (26).
    static let continuous: [ContinuousCovariate] = [
        .init(
            name: "elevation", unit: "m",
            summary: "Elevation above sea level (Tibetan plateau, basins, mountain ranges)", decimals: 0,
            placement: .main
        ) { $0.elevation },
        .init(
            name: "slope", unit: "degree", summary: "Mean slope (sub-cell relief, steep in mountains)", decimals: 2,
            placement: .main
        ) { $0.slope },
        .init(
            name: "northness", unit: "1", summary: "Cosine of aspect, damped to 0 on flats", decimals: 3,
            placement: .main
        ) { $0.northness },
        .init(
            name: "eastness", unit: "1", summary: "Sine of aspect, damped to 0 on flats", decimals: 3, placement: .main
        ) { $0.eastness },
        .init(
            name: "twi", unit: "1", summary: "Topographic wetness index (high on flat lowlands)", decimals: 2,
            placement: .main
        ) { $0.twi },
        .init(
            name: "roughness", unit: "m",
            summary:
                "Terrain roughness: sub-cell relief plus the mean absolute elevation difference to points 3 km away",
            decimals: 0, placement: .main
        ) { $0.roughness },
        .init(
            name: "temperature", unit: "degC",
            summary: "Mean annual air temperature (latitude, lapse rate 5.8 K/km, plateau heating)", decimals: 1,
            placement: .main
        ) { $0.temperature },
        .init(
            name: "temperature_range", unit: "degC", summary: "Annual temperature range (continentality)", decimals: 1,
            placement: .main
        ) { $0.temperatureRange },
        .init(
            name: "precipitation", unit: "mm/year",
            summary: "Mean annual precipitation, decreasing to the north-west; EPSG:4326 grid", decimals: 0,
            placement: .geographic
        ) { $0.precipitation },
        .init(name: "pet", unit: "mm/year", summary: "Potential evapotranspiration", decimals: 0, placement: .main) {
            $0.pet
        },
        .init(name: "aridity", unit: "1", summary: "Aridity index, precipitation / PET", decimals: 3, placement: .main)
        { $0.aridity },
        .init(
            name: "solar_radiation", unit: "MJ/m2/year",
            summary: "Global solar radiation (high on the plateau, low in the Sichuan basin); coarse grid", decimals: 0,
            placement: .coarse
        ) { $0.solarRadiation },
        .init(name: "lst_day", unit: "degC", summary: "Daytime land-surface temperature", decimals: 1, placement: .main)
        { $0.lstDay },
        .init(
            name: "ndvi", unit: "1", summary: "Annual mean NDVI (precipitation and temperature driven)", decimals: 3,
            placement: .main
        ) { $0.ndvi },
        .init(name: "evi", unit: "1", summary: "Annual mean EVI", decimals: 3, placement: .main) { $0.evi },
        .init(name: "npp", unit: "gC/m2/year", summary: "Net primary production", decimals: 0, placement: .main) {
            $0.npp
        },
        .init(
            name: "cropland", unit: "%", summary: "Cropland fraction (flat, low, wet, eastern land)", decimals: 1,
            placement: .main
        ) { $0.cropland },
        .init(
            name: "night_lights", unit: "DN", summary: "Night-time lights (cities, 0-63)", decimals: 0, placement: .main
        ) { $0.nightLights },
        .init(
            name: "dist_river", unit: "km", summary: "Distance to a river (major rivers plus a noise network)",
            decimals: 1, placement: .main
        ) { $0.distRiver },
        .init(name: "dist_coast", unit: "km", summary: "Distance to the sea coast", decimals: 1, placement: .main) {
            $0.distCoast
        },
        .init(name: "clay", unit: "%", summary: "Topsoil clay content", decimals: 1, placement: .main) { $0.clay },
        .init(name: "sand", unit: "%", summary: "Topsoil sand content", decimals: 1, placement: .main) { $0.sand },
        .init(
            name: "silt", unit: "%", summary: "Topsoil silt content (100 - clay - sand)", decimals: 1, placement: .main
        ) { $0.silt },
        .init(
            name: "ph", unit: "pH", summary: "Topsoil pH in water (acid south, alkaline north-west)", decimals: 2,
            placement: .main
        ) { $0.ph },
        .init(name: "bulk_density", unit: "g/cm3", summary: "Topsoil bulk density", decimals: 2, placement: .main) {
            $0.bulkDensity
        },
        .init(name: "soil_moisture", unit: "m3/m3", summary: "Mean soil moisture", decimals: 3, placement: .main) {
            $0.soilMoisture
        }
    ]

    /// Categorical covariates (2).
    static let categorical: [CategoricalCovariate] = [
        .init(
            name: "climate_zone", summary: "Climate zone from temperature, precipitation and the plateau",
            categories: [""] + ClimateZone.allCases.map(\.name)
        ) { $0.climateZone.rawValue },
        .init(
            name: "soil_type",
            summary: "Soil type from climate, relief and land use (Chinese genetic classes, WRB in brackets)",
            categories: [""] + SoilType.allCases.map(\.name)
        ) { $0.soilType.rawValue }
    ]
}
