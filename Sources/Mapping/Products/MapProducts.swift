import FileIO
import Foundation
import RasterIO

/// The GIS files that accompany finished map GeoTIFFs in one folder: a .qml beside each map, a
/// PNG quick-look per map, a contact sheet per set and one QGIS project opening every map.
public enum MapProducts {
    /// One map file of a set.
    public struct Map: Sendable, Equatable {
        /// Base name of the map and its companions, e.g. "soc_0-5cm" (the GeoTIFF is "<name>.tif").
        public var name: String
        /// The heading in pictures and the layer tree's label, e.g. "0-5 cm".
        public var title: String

        /// Creates a map entry.
        public init(name: String, title: String) {
            precondition(
                !name.isEmpty && !name.contains("/"), "MapProducts.Map: name '\(name)' must be a plain file base name")
            self.name = name
            self.title = title
        }
    }

    /// Maps that share a colour ramp, a range and a unit, e.g. the six depths, or their CV spread.
    public struct MapSet: Sendable, Equatable {
        /// The group name in the project and the contact sheet's title, e.g. "Soil organic carbon".
        public var title: String
        /// The maps, top of the layer tree first.
        public var maps: [Map]
        /// The unit, e.g. "g/kg".
        public var unit: String
        /// The colour ramp.
        public var ramp: ColourRamp
        /// The shared range; nil picks the 2-98 % range of all maps' values, rounded outward.
        public var range: ValueRange?
        /// File name of the set's contact sheet, e.g. "soc_contact_sheet.png".
        public var contactSheet: String
        /// Sets with the same group and no given range share one range, taken from all their maps
        /// (e.g. the depth maps and their interval bounds); nil: the set's own range.
        public var rangeGroup: String?

        /// Creates a set.
        public init(
            title: String, maps: [Map], unit: String, ramp: ColourRamp = .socDefault, range: ValueRange? = nil,
            contactSheet: String, rangeGroup: String? = nil
        ) {
            precondition(!maps.isEmpty, "MapProducts.MapSet '\(title)' needs at least one map")
            self.title = title
            self.maps = maps
            self.unit = unit
            self.ramp = ramp
            self.range = range
            self.contactSheet = contactSheet
            self.rangeGroup = rangeGroup
        }
    }

    /// What was written: file names relative to the folder, and the range used per set.
    public struct Written: Sendable, Equatable {
        /// File names written, in order.
        public var files: [String]
        /// The range each set was drawn with, in the order of the sets.
        public var ranges: [ValueRange]
    }

    /// Writes, in `folder` where every "<name>.tif" already is: "<name>.qml" and "<name>.png" per map,
    /// each set's contact sheet, and "<projectName>.qgs" with one group per set. Throws when a map is
    /// missing, its CRS or grid cannot be read, or a set has no valid value to take a range from.
    /// `points` go into the project above the maps. `progress` receives the maps styled and drawn so far.
    public static func write(
        sets: [MapSet], folder: String, projectName: String, title: String,
        points: [QGISProject.PointLayer] = [],
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> Written {
        precondition(!sets.isEmpty, "MapProducts.write needs at least one map set")
        var files: [String] = []
        var ranges: [ValueRange] = []
        var layers: [QGISProject.Layer] = []
        var projectGrid: Grid?
        func paths(_ set: MapSet) -> [String] {
            set.maps.map { (folder as NSString).appendingPathComponent($0.name + ".tif") }
        }
        for path in sets.flatMap(paths) where !FileManager.default.fileExists(atPath: path) {
            throw MappingError(
                "map '\(path)' does not exist", path: path,
                hint: "Write the maps (COG.write) before their styles, pictures and project")
        }
        let total = sets.reduce(0) { $0 + $1.maps.count }
        var done = 0
        progress?(0, total)
        var groupRanges: [String: ValueRange?] = [:]
        for set in sets where set.range == nil {
            guard let group = set.rangeGroup, groupRanges[group] == nil else { continue }
            groupRanges[group] = try ValueRange.percentiles(
                ofMaps: sets.filter { $0.rangeGroup == group && $0.range == nil }
                    .flatMap(paths))?.rounded()
        }
        for set in sets {
            let paths = paths(set)
            let range: ValueRange
            if let given = set.range {
                range = given
            } else if let group = set.rangeGroup, let shared = groupRanges[group] ?? nil {
                range = shared
            } else if let found = try ValueRange.percentiles(ofMaps: paths) {
                range = found.rounded()
            } else {
                throw MappingError(
                    "the maps of '\(set.title)' hold no valid value to take a colour range from",
                    path: paths.first, hint: "Check the predictions, or give the set a range")
            }
            ranges.append(range)
            let style = QGISStyle(range: range, unit: set.unit, ramp: set.ramp)
            var panels: [QuickLook.Panel] = []
            for (map, path) in zip(set.maps, paths) {
                try AtomicFile.write(style.qml, to: (folder as NSString).appendingPathComponent(map.name + ".qml"))
                files.append(map.name + ".qml")
                let panel = try QuickLook.panel(fromMap: path, title: map.title)
                panels.append(panel)
                try QuickLook.png(
                    values: panel.values, width: panel.width, height: panel.height, min: range.min,
                    max: range.max, ramp: set.ramp, title: "\(set.title) \(map.title)", unit: set.unit,
                    to: (folder as NSString).appendingPathComponent(map.name + ".png"))
                files.append(map.name + ".png")
                layers.append(
                    QGISProject.Layer(
                        name: map.name, path: map.name + ".tif", style: style,
                        stylePath: map.name + ".qml", group: set.title))
                if projectGrid == nil { projectGrid = try RasterDataset(path: path).grid() }
                done += 1
                progress?(done, total)
            }
            try QuickLook.contactSheet(
                panels: panels, min: range.min, max: range.max, ramp: set.ramp, unit: set.unit,
                title: set.title, to: (folder as NSString).appendingPathComponent(set.contactSheet))
            files.append(set.contactSheet)
        }
        let grid = projectGrid!
        let project = QGISProject.qgs(layers: layers, points: points, crs: grid.crs, extent: grid.extent, title: title)
        try AtomicFile.write(project, to: (folder as NSString).appendingPathComponent(projectName + ".qgs"))
        files.append(projectName + ".qgs")
        return Written(files: files, ranges: ranges)
    }
}
