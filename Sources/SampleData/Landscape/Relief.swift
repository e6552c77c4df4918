import Foundation

/// The large landforms of the synthetic China: plateaus, basins and mountain ranges (lon/lat degrees, metres).
enum Relief {
    /// Plateaus and basins; the first two (the Tibetan plateau and its eastern part) combine by
    /// maximum, the others add.
    static let domes: [Dome] = [
        Dome(lon: 88.0, lat: 32.9, rLon: 12.0, rLat: 4.6, height: 3300, flatness: 3),  // Tibetan plateau
        Dome(lon: 99.5, lat: 31.5, rLon: 3.2, rLat: 3.0, height: 2900, flatness: 2),  // eastern Tibet, Hengduan
        Dome(lon: 104.0, lat: 25.8, rLon: 4.2, rLat: 2.6, height: 1700, flatness: 2),  // Yunnan-Guizhou plateau
        Dome(lon: 108.5, lat: 37.0, rLon: 4.0, rLat: 2.4, height: 1200, flatness: 2),  // Loess plateau
        Dome(lon: 113.0, lat: 42.6, rLon: 9.0, rLat: 2.4, height: 1000, flatness: 2),  // Inner Mongolian plateau
        Dome(lon: 102.0, lat: 41.3, rLon: 6.0, rLat: 1.8, height: 900, flatness: 2),  // Alxa and Gobi
        Dome(lon: 83.0, lat: 39.4, rLon: 6.0, rLat: 1.9, height: -350, flatness: 2),  // Tarim basin
        Dome(lon: 86.5, lat: 45.4, rLon: 3.6, rLat: 1.5, height: -800, flatness: 2),  // Junggar basin
        Dome(lon: 89.6, lat: 42.8, rLon: 1.0, rLat: 0.5, height: -1200),  // Turpan depression
        Dome(lon: 94.8, lat: 37.4, rLon: 3.4, rLat: 1.2, height: -1500, flatness: 2),  // Qaidam basin
        Dome(lon: 105.6, lat: 30.2, rLon: 2.6, rLat: 1.6, height: -700, flatness: 2)  // Sichuan basin
    ]

    /// Mountain ranges.
    static let ridges: [Ridge] = [
        Ridge(
            crest: Polyline(points: [
                (78.5, 32.5), (81.0, 30.3), (85.0, 28.6), (89.0, 28.1), (92.0, 28.2), (95.0, 29.0), (97.0, 28.6)
            ]),
            sigma: 0.55, height: 1900),  // Himalaya
        Ridge(
            crest: Polyline(points: [(75.5, 37.5), (78.0, 36.3), (82.0, 36.0), (86.0, 36.3), (92.0, 35.9), (98.0, 35.2)]
            ),
            sigma: 0.6, height: 1400),  // Kunlun
        Ridge(
            crest: Polyline(points: [(93.5, 39.2), (97.5, 38.8), (101.5, 37.6), (103.0, 37.0)]),
            sigma: 0.55, height: 1900),  // Qilian
        Ridge(
            crest: Polyline(points: [(75.0, 40.6), (80.0, 42.0), (84.5, 43.0), (88.0, 43.0), (94.5, 42.8)]),
            sigma: 0.6, height: 3000),  // Tian Shan
        Ridge(
            crest: Polyline(points: [(86.5, 48.6), (89.5, 47.1), (91.5, 45.6)]),
            sigma: 0.6, height: 1800),  // Altai
        Ridge(
            crest: Polyline(points: [(104.0, 34.0), (108.0, 33.8), (112.0, 33.5)]),
            sigma: 0.45, height: 1500),  // Qinling
        Ridge(
            crest: Polyline(points: [(98.6, 30.5), (99.4, 27.6), (100.2, 25.3)]),
            sigma: 0.8, height: 1500),  // Hengduan
        Ridge(
            crest: Polyline(points: [(119.5, 42.5), (120.5, 46.0), (122.0, 49.5), (123.0, 52.5)]),
            sigma: 0.8, height: 900),  // Greater Khingan
        Ridge(
            crest: Polyline(points: [(126.0, 41.2), (128.0, 42.3), (130.0, 44.5)]),
            sigma: 0.8, height: 1000),  // Changbai
        Ridge(
            crest: Polyline(points: [(113.5, 35.0), (114.0, 37.5), (114.8, 40.0), (117.5, 40.9)]),
            sigma: 0.45, height: 1100),  // Taihang and Yan
        Ridge(
            crest: Polyline(points: [(110.0, 25.3), (113.0, 25.2), (116.0, 25.2), (118.0, 27.0), (119.6, 29.0)]),
            sigma: 0.9, height: 800),  // Nanling and Wuyi
        Ridge(
            crest: Polyline(points: [(108.2, 28.5), (110.0, 30.5), (111.2, 31.8)]),
            sigma: 0.6, height: 1000)  // Wuling and Daba
    ]

    /// Regional base level: high in the west, low plains in the east (metres).
    static func base(lon: Double, lat: Double) -> Double {
        60 + 1100 * sigmoid((103 - lon) / 4) + 250 * sigmoid((lat - 44) / 2) * sigmoid((lon - 118) / 2)
    }

    /// Sum of plateaus, basins and base level (no ridges, no noise).
    static func landforms(lon: Double, lat: Double) -> Double {
        var total = base(lon: lon, lat: lat)
        total += max(domes[0].value(lon: lon, lat: lat), domes[1].value(lon: lon, lat: lat))
        for dome in domes.dropFirst(2) { total += dome.value(lon: lon, lat: lat) }
        return total
    }

    /// Sum of the ridges (orographic relief).
    static func mountains(lon: Double, lat: Double) -> Double {
        var total = 0.0
        for ridge in ridges { total += ridge.value(lon: lon, lat: lat) }
        return total
    }

    /// 0..1: how much a point belongs to the Tibetan plateau.
    static func plateauness(lon: Double, lat: Double) -> Double {
        max(domes[0].shape(lon: lon, lat: lat), domes[1].shape(lon: lon, lat: lat))
    }

    /// 0..1: how much a point belongs to the Loess plateau (silty soils).
    static func loessness(lon: Double, lat: Double) -> Double {
        domes[3].shape(lon: lon, lat: lat)
    }
}

/// Major rivers (lon/lat polylines) for the distance-to-river covariate.
enum Rivers {
    /// Yangtze, Yellow, Pearl, Songhua-Amur and Tarim, coarsely.
    static let major: [Polyline] = [
        Polyline(points: [
            (91.0, 33.5), (95.0, 33.0), (97.5, 31.0), (99.3, 28.0), (100.3, 26.8), (102.5, 26.3),
            (104.6, 28.8), (106.5, 29.6), (109.0, 30.8), (111.3, 30.7), (113.0, 29.8), (114.3, 30.6),
            (116.0, 29.8), (117.5, 30.8), (118.8, 32.1), (121.8, 31.5)
        ]),
        Polyline(points: [
            (96.0, 35.0), (99.0, 35.6), (101.5, 36.0), (103.8, 36.1), (105.5, 37.5), (106.5, 39.5),
            (108.0, 40.8), (111.0, 40.5), (110.5, 38.0), (110.3, 35.5), (112.0, 34.8), (114.5, 34.9),
            (116.5, 36.5), (118.9, 37.7)
        ]),
        Polyline(points: [(102.5, 25.0), (106.0, 24.5), (108.5, 23.5), (111.0, 23.4), (113.5, 22.8)]),
        Polyline(points: [(124.0, 45.0), (126.0, 45.5), (128.5, 45.8), (131.0, 47.0), (132.5, 47.6), (134.7, 48.3)]),
        Polyline(points: [(76.5, 39.5), (79.0, 40.5), (84.0, 41.2), (87.5, 40.5)])
    ]
}

/// Cities for the night-lights covariate: position and size (1 = a large provincial capital).
enum Cities {
    /// Coarse positions of large cities.
    static let all: [(lon: Double, lat: Double, size: Double)] = [
        (116.4, 39.9, 3.0), (121.5, 31.2, 3.0), (113.4, 23.0, 3.0), (114.1, 22.6, 2.2), (104.1, 30.7, 2.0),
        (106.5, 29.6, 1.8), (114.3, 30.6, 2.0), (108.9, 34.3, 1.7), (117.2, 39.1, 1.8), (123.4, 41.8, 1.6),
        (126.6, 45.8, 1.3), (113.6, 34.7, 1.6), (118.8, 32.1, 1.8), (120.2, 30.3, 1.8), (113.0, 28.2, 1.4),
        (102.7, 25.0, 1.2), (87.6, 43.8, 1.0), (103.8, 36.1, 0.9), (91.1, 29.65, 0.5), (117.0, 36.7, 1.4),
        (119.3, 26.1, 1.2), (118.1, 24.5, 1.1), (108.3, 22.8, 1.0), (111.7, 40.8, 0.8), (125.3, 43.9, 1.2),
        (120.4, 36.1, 1.3), (112.5, 37.9, 1.1), (115.9, 28.7, 1.1), (106.7, 26.6, 1.0), (110.3, 20.0, 0.7),
        (101.8, 36.6, 0.7), (106.3, 38.5, 0.7), (117.3, 31.9, 1.3), (114.5, 38.0, 1.2)
    ]
}
