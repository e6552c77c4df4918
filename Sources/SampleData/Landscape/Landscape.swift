import Foundation

/// Every covariate of the synthetic China at one point, already rounded to the precision written
/// to the rasters (so values read back from the files equal these).
struct SurfaceSample: Sendable, Equatable {
    var elevation = 0.0, slope = 0.0, northness = 0.0, eastness = 0.0, twi = 0.0, roughness = 0.0
    var temperature = 0.0, temperatureRange = 0.0, precipitation = 0.0, pet = 0.0, aridity = 0.0
    var solarRadiation = 0.0, lstDay = 0.0, ndvi = 0.0, evi = 0.0, npp = 0.0
    var cropland = 0.0, nightLights = 0.0, distRiver = 0.0, distCoast = 0.0
    var clay = 0.0, sand = 0.0, silt = 0.0, ph = 0.0, bulkDensity = 0.0, soilMoisture = 0.0
    var climateZone = ClimateZone.temperate
    var soilType = SoilType.brownForest
}

/// The synthetic China: smooth seeded noise plus geographic trends, evaluated point by point
/// in longitude/latitude, so rasters on any grid and the sites all see the same surface.
struct Landscape: Sendable {
    private let warpLon, warpLat, relief, temperatureNoise, rangeNoise, rainNoise, solarNoise: SmoothNoise
    private let greenNoise, eviNoise, cropNoise, riverNoise, clayNoise, sandNoise, phNoise, densityNoise: SmoothNoise
    private let moistureNoise, twiNoise, soilJitter, ridgeStrength, steepness: SmoothNoise

    /// Half the finite-difference step for slope and aspect, degrees.
    static let step = 0.03

    /// A landscape for a seed: every noise field draws from its own seeded lattice.
    init(seed: UInt64) {
        func noise(_ name: String, _ frequency: Double, _ octaves: Int, _ persistence: Double = 0.5) -> SmoothNoise {
            SmoothNoise(seed: seed, field: name, frequency: frequency, octaves: octaves, persistence: persistence)
        }
        warpLon = noise("warp-lon", 0.22, 3)
        warpLat = noise("warp-lat", 0.22, 3)
        ridgeStrength = noise("ridge-strength", 0.35, 2)
        steepness = noise("steepness", 1.5, 3)
        relief = noise("relief", 0.6, 6, 0.55)
        temperatureNoise = noise("temperature", 0.3, 3)
        rangeNoise = noise("temperature-range", 0.2, 2)
        rainNoise = noise("precipitation", 0.35, 4)
        solarNoise = noise("solar", 0.3, 3)
        greenNoise = noise("ndvi", 0.8, 4)
        eviNoise = noise("evi", 1.0, 3)
        cropNoise = noise("cropland", 0.9, 3)
        riverNoise = noise("rivers", 1.3, 3, 0.45)
        clayNoise = noise("clay", 0.6, 4)
        sandNoise = noise("sand", 0.6, 4)
        phNoise = noise("ph", 0.5, 3)
        densityNoise = noise("bulk-density", 0.7, 3)
        moistureNoise = noise("soil-moisture", 0.7, 3)
        twiNoise = noise("twi", 2.0, 3)
        soilJitter = noise("soil-type", 0.7, 3)
    }

    /// Elevation (m), its orographic part and the local relief (m), before rounding.
    func elevation(lon: Double, lat: Double) -> (total: Double, mountains: Double, relief: Double) {
        let wl = lon + 0.6 * warpLon(lon: lon, lat: lat)
        let wt = lat + 0.6 * warpLat(lon: lon, lat: lat)
        let landforms = Relief.landforms(lon: wl, lat: wt)
        // Ranges rise and fall along their crests.
        let mountains =
            Relief.mountains(lon: wl, lat: wt) * clamp(0.75 + 0.8 * ridgeStrength(lon: lon, lat: lat), 0.3, 1.3)
        let localRelief = 40 + 0.45 * mountains + 0.1 * max(0, landforms - 300)
        let n = relief(lon: lon, lat: lat)
        return (max(-150, landforms + mountains + localRelief * n), mountains, localRelief)
    }

    /// Every covariate at a point (the point should be on land; values elsewhere are meaningless).
    func sample(lon: Double, lat: Double) -> SurfaceSample {
        var s = SurfaceSample()
        let plateau = Relief.plateauness(lon: lon, lat: lat)
        let loess = Relief.loessness(lon: lon, lat: lat)

        // Relief: elevation, slope and aspect from central differences.
        let (e, mountains, localRelief) = elevation(lon: lon, lat: lat)
        let h = Landscape.step
        let eE = elevation(lon: lon + h, lat: lat).total
        let eW = elevation(lon: lon - h, lat: lat).total
        let eN = elevation(lon: lon, lat: lat + h).total
        let eS = elevation(lon: lon, lat: lat - h).total
        let metresPerDegree = 111_200.0
        let gx = (eE - eW) / (2 * h * metresPerDegree * cos(lat * .pi / 180))
        let gy = (eN - eS) / (2 * h * metresPerDegree)
        let gradient = (gx * gx + gy * gy).squareRoot()
        // Mean slope of a cell: sub-cell relief (steep where the local relief is high) plus the
        // regional gradient.
        let steep = 0.7 + 0.6 * abs(steepness(lon: lon, lat: lat))
        let subCell = localRelief / 3500 * steep
        let slope = atan(subCell + 3 * gradient) * 180 / .pi
        let aspectWeight = min(1, slope / 3)
        s.elevation = round(e, 0)
        s.slope = round(slope, 2)
        s.northness = round(gradient > 0 ? -gy / gradient * aspectWeight : 0, 3)
        s.eastness = round(gradient > 0 ? -gx / gradient * aspectWeight : 0, 3)
        let tanSlope = tan(max(slope, 0.05) * .pi / 180)
        s.twi = round(clamp(4 + 1.6 * log(1 / tanSlope) + 1.2 * twiNoise(lon: lon, lat: lat), 2, 20), 2)
        s.roughness = round(0.3 * localRelief * steep + (abs(eE - e) + abs(eW - e) + abs(eN - e) + abs(eS - e)) / 4, 0)

        // Climate.
        let d = lat - 18
        let t =
            27 - 0.6 * d - 0.006 * d * d - 0.0058 * max(e, 0) + 6 * plateau
            + 0.8 * temperatureNoise(lon: lon, lat: lat)
        let coast = ChinaOutline.distanceToCoastKm(lon: lon, lat: lat)
        let range =
            10 + 0.75 * d + 6 * sigmoid((coast - 400) / 300) - 6 * plateau + 0.8 * rangeNoise(lon: lon, lat: lat)
        var logP = 6.31 + 0.07 * (min(lon, 118) - 116) + 0.02 * max(0, lon - 118) - 0.07 * (lat - 40)
        logP += 0.6 * gaussian(lon, lat, 100, 25, 7, 5.5)  // south-west monsoon
        logP += 0.8 * gaussian(lon, lat, 94, 29, 4, 2)  // Brahmaputra corridor
        logP += 0.4 * Relief.domes[10].shape(lon: lon, lat: lat)  // humid Sichuan basin
        logP += 1.3 * sigmoid((lat - 41.5) / 1.0) * sigmoid((95 - lon) / 3)  // westerlies in the north-west
        logP += 0.00022 * mountains  // orographic rain
        logP -= 1.0 * Relief.domes[6].shape(lon: lon, lat: lat)  // Tarim rain shadow
        logP -= 0.7 * Relief.domes[9].shape(lon: lon, lat: lat)  // Qaidam
        logP -= 0.8 * gaussian(lon, lat, 101, 40.5, 4, 2)  // Alxa deserts
        logP += 0.15 * rainNoise(lon: lon, lat: lat)
        let p = clamp(exp(logP), 15, 2800)
        let solar =
            5200 - 30 * (lat - 30) + 2200 * plateau + 700 * exp(-p / 600)
            - 1300 * gaussian(lon, lat, 106.5, 29, 3.5, 2.5) + 150 * solarNoise(lon: lon, lat: lat)
        let pet = 520 + 36 * max(t, -6) + 380 * exp(-p / 250) + 0.02 * (solar - 5000)
        s.temperature = round(t, 1)
        s.temperatureRange = round(range, 1)
        s.precipitation = round(p, 0)
        s.solarRadiation = round(solar, 0)
        s.pet = round(pet, 0)
        s.aridity = round(p / pet, 3)

        // Vegetation and land use.
        let moist = 1 - exp(-p / 520)
        let warm = sigmoid((t + 6) / 3)
        let bare = sigmoid((e - 4800) / 200)
        let ndvi = clamp(0.06 + 0.8 * moist * warm - 0.2 * bare + 0.05 * greenNoise(lon: lon, lat: lat), 0.01, 0.92)
        s.ndvi = round(ndvi, 3)
        s.evi = round(clamp(0.6 * ndvi - 0.015 + 0.015 * eviNoise(lon: lon, lat: lat), 0, 0.7), 3)
        s.npp = round(1200 * pow(ndvi, 1.4) * sigmoid(t / 4 + 0.5), 0)
        s.lstDay = round(t + 6 + 10 * (1 - ndvi) + 2 * (1 - moist), 1)
        let crop =
            95 * exp(-slope / 3) * sigmoid((1500 - e) / 250) * sigmoid((p - 350) / 80)
            * (0.55 + 0.45 * sigmoid((lon - 100) / 4)) * (0.75 + 0.35 * cropNoise(lon: lon, lat: lat))
        s.cropland = round(clamp(crop, 0, 100), 1)
        var glow = 0.0
        for city in Cities.all {
            let dl = (lon - city.lon) * SmoothNoise.lonScale
            let dt = lat - city.lat
            let sigma = 0.22 * city.size.squareRoot()
            glow += city.size * exp(-(dl * dl + dt * dt) / (2 * sigma * sigma))
        }
        s.nightLights = round(clamp(63 * (1 - exp(-1.2 * glow)) + 4 * s.cropland / 100, 0, 63), 0)
        var major = Double.infinity
        for river in Rivers.major { major = min(major, river.distance(lon: lon, lat: lat) * 111.2) }
        let minor = 40 * abs(riverNoise(lon: lon, lat: lat)) * (1 + 3 * exp(-p / 250))
        s.distRiver = round(min(major, minor), 1)
        s.distCoast = round(coast, 1)

        // Soil properties.
        let wet = sigmoid((p - 700) / 250)
        let clay =
            7 + 22 * wet + 10 * wet * sigmoid((t - 14) / 4)
            + 6 * sigmoid((p - 450) / 120) * sigmoid((8 - t) / 3) - 4 * plateau + 4 * clayNoise(lon: lon, lat: lat)
        s.clay = round(clamp(clay, 2, 60), 1)
        let sand =
            18 + 55 * (1 - sigmoid((p - 280) / 120)) - 25 * loess + 8 * plateau + 6 * sandNoise(lon: lon, lat: lat)
        s.sand = round(clamp(sand, 3, 97 - s.clay), 1)
        s.silt = round(100 - s.clay - s.sand, 1)
        let ph =
            8.5 - 3.4 * sigmoid((p - 900) / 220) - 0.5 * sigmoid((p - 500) / 100) * sigmoid((6 - t) / 2)
            + 0.25 * phNoise(lon: lon, lat: lat)
        s.ph = round(clamp(ph, 4, 9.3), 2)
        let density =
            1.52 - 0.28 * ndvi + 0.002 * (s.sand - 40) - 0.1 * plateau * moist
            + 0.04 * densityNoise(lon: lon, lat: lat)
        s.bulkDensity = round(clamp(density, 0.85, 1.75), 2)
        s.soilMoisture = round(
            clamp(0.04 + 0.36 * (1 - exp(-1.6 * p / pet)) + 0.03 * moistureNoise(lon: lon, lat: lat), 0.02, 0.5), 3)

        // Classes.
        s.climateZone = ClimateZone.classify(temperature: t, precipitation: p, elevation: e, plateauness: plateau)
        s.soilType = SoilType.classify(
            temperature: t, precipitation: p, elevation: e, plateauness: plateau, loessness: loess,
            cropland: s.cropland, lon: lon, jitter: soilJitter(lon: lon, lat: lat))
        return s
    }

    /// An axis-aligned Gaussian bump (sd in degrees) with peak 1.
    private func gaussian(
        _ lon: Double, _ lat: Double, _ cLon: Double, _ cLat: Double, _ sLon: Double, _ sLat: Double
    ) -> Double {
        let u = (lon - cLon) / sLon
        let v = (lat - cLat) / sLat
        return exp(-0.5 * (u * u + v * v))
    }
}

/// `x` rounded half away from zero to `decimals` places (the written precision), never "-0".
func round(_ x: Double, _ decimals: Int) -> Double {
    let scale = pow(10.0, Double(decimals))
    let r = (x * scale).rounded() / scale
    return r == 0 ? 0 : r
}
