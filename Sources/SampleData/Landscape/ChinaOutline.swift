import Foundation

/// A coarse, hand-drawn outline of China in longitude/latitude (WGS84 degrees): the land mask of
/// the sample data. Plausible, not a boundary of record.
enum ChinaOutline {
    /// Mainland boundary, clockwise from the northern tip on the Amur. Vertices `coastRange`
    /// (Yalu mouth to the Vietnamese border) are sea coast; the rest are land borders.
    static let mainland: [(lon: Double, lat: Double)] = [
        (122.3, 53.5), (125.5, 53.0), (127.0, 50.5), (128.5, 49.6), (130.6, 48.9),
        (132.5, 47.7), (134.7, 48.3), (134.0, 46.8), (133.1, 45.1), (131.8, 45.2),
        (131.0, 44.8), (131.3, 43.4), (130.6, 42.4), (129.0, 42.1), (128.0, 41.5),
        (126.5, 41.6), (124.3, 39.9),
        // Coast: Liaodong, Bohai, Shandong, Jiangsu, Zhejiang, Fujian, Guangdong, Guangxi.
        (122.2, 39.5), (121.2, 38.8), (122.0, 40.2), (121.0, 40.9), (119.5, 39.8),
        (118.0, 39.1), (117.7, 38.5), (118.9, 37.6), (119.5, 37.1), (120.7, 37.8),
        (122.6, 37.4), (120.3, 36.0), (119.3, 35.0), (120.3, 34.0), (120.9, 32.6),
        (121.9, 31.7), (121.9, 30.9), (121.0, 30.4), (122.0, 29.9), (121.5, 28.5),
        (120.4, 27.2), (119.6, 26.0), (118.8, 25.0), (118.1, 24.5), (116.7, 23.3),
        (114.3, 22.5), (113.5, 22.2), (112.0, 21.7), (110.4, 21.2), (110.2, 20.3),
        (109.7, 21.4), (108.5, 21.6), (108.0, 21.5),
        // Land border: Vietnam, Laos, Myanmar, India, Nepal, Bhutan, Pakistan, Central Asia, Mongolia, Russia.
        (106.7, 22.0), (105.3, 23.3), (103.9, 22.6), (102.3, 22.6), (101.2, 21.2),
        (100.2, 21.5), (99.2, 22.1), (98.8, 23.2), (97.6, 23.9), (98.0, 25.0),
        (98.7, 27.5), (97.3, 28.2), (96.2, 29.0), (94.6, 29.3), (93.0, 28.0),
        (91.7, 27.8), (89.6, 28.0), (88.9, 27.3), (86.0, 28.0), (84.0, 28.6),
        (81.2, 30.0), (79.5, 31.0), (78.7, 32.5), (79.0, 34.3), (77.8, 35.5),
        (75.4, 36.9), (74.6, 37.1), (74.9, 38.5), (73.6, 39.5), (76.3, 40.4),
        (78.4, 41.4), (80.2, 42.1), (80.8, 43.2), (80.4, 45.0), (82.5, 45.3),
        (83.0, 47.2), (85.5, 47.1), (87.3, 49.1), (88.9, 48.1), (90.5, 46.5),
        (91.0, 45.0), (93.5, 44.9), (95.4, 44.3), (96.4, 42.7), (100.0, 42.6),
        (105.0, 41.6), (107.0, 42.3), (110.4, 42.6), (111.9, 43.7), (114.5, 44.9),
        (116.5, 46.4), (117.4, 46.6), (119.7, 47.0), (118.5, 47.9), (115.6, 47.9),
        (116.2, 49.0), (117.8, 49.5), (119.2, 50.1), (120.7, 52.5)
    ]

    /// Indices into `mainland` of the sea coast (inclusive).
    static let coastRange = 16...49

    /// Hainan island.
    static let hainan: [(lon: Double, lat: Double)] = [
        (108.6, 19.2), (109.2, 20.0), (110.0, 20.1), (110.7, 20.0), (111.0, 19.6),
        (110.5, 18.7), (109.5, 18.2), (108.7, 18.5)
    ]

    /// Large lakes, cut out of the land mask as ellipses: centre and semi-axes in degrees.
    static let lakes: [(lon: Double, lat: Double, rLon: Double, rLat: Double)] = [
        (100.2, 36.9, 0.38, 0.20),  // Qinghai Lake
        (116.3, 29.1, 0.22, 0.30),  // Poyang
        (112.9, 29.3, 0.20, 0.15),  // Dongting
        (120.2, 31.2, 0.17, 0.17)  // Tai
    ]

    /// Every land polygon.
    static let polygons: [[(lon: Double, lat: Double)]] = [mainland, hainan]

    /// True when the point lies on land (inside a polygon, outside the lakes).
    static func isLand(lon: Double, lat: Double) -> Bool {
        guard lon > 72, lon < 136, lat > 17, lat < 54 else { return false }
        for lake in lakes {
            let u = (lon - lake.lon) / lake.rLon
            let v = (lat - lake.lat) / lake.rLat
            if u * u + v * v <= 1 { return false }
        }
        return polygons.contains { contains($0, lon: lon, lat: lat) }
    }

    /// Even-odd point-in-polygon test.
    static func contains(_ polygon: [(lon: Double, lat: Double)], lon: Double, lat: Double) -> Bool {
        var inside = false
        var j = polygon.count - 1
        for i in 0..<polygon.count {
            let a = polygon[i]
            let b = polygon[j]
            if (a.lat > lat) != (b.lat > lat) {
                let crossLon = a.lon + (lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon)
                if lon < crossLon { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Sea-coast segments (mainland coast and all of Hainan) as pairs of points.
    static let coastSegments: [((lon: Double, lat: Double), (lon: Double, lat: Double))] = {
        var segments: [((lon: Double, lat: Double), (lon: Double, lat: Double))] = []
        for i in coastRange.lowerBound..<coastRange.upperBound {
            segments.append((mainland[i], mainland[i + 1]))
        }
        for i in 0..<hainan.count {
            segments.append((hainan[i], hainan[(i + 1) % hainan.count]))
        }
        return segments
    }()

    /// Approximate distance (km) from a point to the nearest sea coast.
    static func distanceToCoastKm(lon: Double, lat: Double) -> Double {
        let kmPerDegLat = 111.2
        let kmPerDegLon = 111.2 * cos(lat * .pi / 180)
        var best = Double.infinity
        for (a, b) in coastSegments {
            let ax = (a.lon - lon) * kmPerDegLon
            let ay = (a.lat - lat) * kmPerDegLat
            let bx = (b.lon - lon) * kmPerDegLon
            let by = (b.lat - lat) * kmPerDegLat
            let ex = bx - ax
            let ey = by - ay
            let len2 = ex * ex + ey * ey
            let t = len2 > 0 ? min(1, max(0, -(ax * ex + ay * ey) / len2)) : 0
            let px = ax + t * ex
            let py = ay + t * ey
            best = min(best, (px * px + py * py).squareRoot())
        }
        return best
    }

    /// Points along every polygon edge (`perEdge` per edge), for bounding boxes in other CRSs.
    static func densifiedBoundary(perEdge: Int = 8) -> [(lon: Double, lat: Double)] {
        var points: [(lon: Double, lat: Double)] = []
        for polygon in polygons {
            for i in 0..<polygon.count {
                let a = polygon[i]
                let b = polygon[(i + 1) % polygon.count]
                for k in 0..<perEdge {
                    let t = Double(k) / Double(perEdge)
                    points.append((a.lon + t * (b.lon - a.lon), a.lat + t * (b.lat - a.lat)))
                }
            }
        }
        return points
    }
}
