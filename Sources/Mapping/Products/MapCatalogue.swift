import Foundation
import RasterIO
import TextFormat

extension MapProducts {
    /// The maps of one prediction, in the layer order of its tiles (`TileLayers`): a map
    /// per depth, then with the CV spread each depth's SD, then with an interval its lower and upper bounds, medians
    /// and uncertainties; with their
    /// band descriptions, the map sets (titles, ramps, contact sheets) and the QGIS project.
    public struct Catalogue: Sendable, Equatable {
        /// One map file.
        public struct Layer: Sendable, Equatable {
            /// Base name, e.g. "soc_0-5cm_cv_sd" (the GeoTIFF is "<name>.tif").
            public var name: String
            /// The band description, e.g. "SOC 0-5cm (g/kg), transfer model: SD of the CV models".
            public var description: String
            /// The depth label the map shows, e.g. "0-5cm" ("all depths" for the DI and AOA).
            public var depth: String
            /// How the layer is stored (Float32 maps; the AOA a Byte mask).
            public var format = LayerFormat()
        }

        /// The depth label of maps that hold for every depth (the DI and the AOA).
        public static let allDepths = "all depths"

        /// The map files in tile-layer order.
        public let layers: [Layer]
        /// The tile layout these maps are read from.
        public let layout: TileLayers
        /// The sets drawn together: the depth maps, then the SD (with the spread), then the lower and
        /// upper bounds, the medians and the uncertainties (with an interval).
        public let sets: [MapSet]
        /// Base name of the QGIS project, e.g. "soc_maps".
        public let projectName: String
        /// The project's title, e.g. "sample: SOC maps".
        public let projectTitle: String
        /// The unit of every map.
        public let unit: String
        /// Point layers added to the project above the maps (the held-out sites of cross-validation).
        public var points: [QGISProject.PointLayer] = []

        /// The catalogue of `name`'s maps (`predict.name`) of `property` in `unit` by the model called
        /// `model`, one per depth label; `spread` adds the CV models' SD maps; `interval` (a level) adds
        /// the bounds of the prediction interval (named by their quantiles, "_q05" / "_q95" for 0.9) and
        /// the median ("_q50"), which share one colour range with the depth maps, and the uncertainty
        /// ("_uncertainty", (Q95 − Q05) / Q50); `applicability` adds one dissimilarity index
        /// map and one area-of-applicability mask for all depths, and `expectedError` (with it) each depth's
        /// expected RMSE from the DI ("_expected_rmse"); `runName` titles the project.
        public init(
            name: String, property: String, unit: String, model: String, depths: [String], spread: Bool,
            interval level: Double? = nil, applicability: Bool = false, expectedError: Bool = false, runName: String
        ) {
            precondition(!depths.isEmpty, "MapProducts.Catalogue needs at least one depth")
            let bases = depths.map { MapNames.depthMap(name: name, depthLabel: $0) }
            let described = depths.map { "\(property) \($0) (\(unit)), \(model) model" }
            let titles = depths.map(MapNames.depthTitle(label:))
            func layers(_ names: [String], _ suffix: String) -> [Layer] {
                zip(zip(names, described), depths).map { Layer(name: $0.0, description: $0.1 + suffix, depth: $1) }
            }
            func set(
                _ title: String, _ names: [String], ramp: ColourRamp, sheet: String, rangeGroup: String? = nil
            ) -> MapSet {
                MapSet(
                    title: title, maps: zip(names, titles).map { Map(name: $0, title: $1) }, unit: unit, ramp: ramp,
                    contactSheet: MapNames.contactSheet(sheet), rangeGroup: rangeGroup)
            }
            var all = layers(bases, "")
            let valueRange = "\(name) values"
            var sets = [
                set("\(property) (\(unit)), \(model)", bases, ramp: .socDefault, sheet: name, rangeGroup: valueRange)
            ]
            if spread {
                let sd = bases.map(MapNames.spread)
                all += layers(sd, ": spread (SD) of the CV models")
                sets += [set("Spread (SD) of the CV models", sd, ramp: .uncertainty, sheet: MapNames.spread(name))]
            }
            if let level {
                precondition(
                    level > 0 && level < 1, "MapProducts.Catalogue: interval level \(level) must lie in (0, 1)")
                let lowerQ = (1 - level) / 2
                let upperQ = (1 + level) / 2
                let percent = { (p: Double) in NumberText.trimmed(p * 100, maxDecimals: 1, nonFinite: "?") }
                let interval = "\(percent(level)) % prediction interval"
                let lower = bases.map { MapNames.quantile($0, lowerQ) }
                let upper = bases.map { MapNames.quantile($0, upperQ) }
                let median = bases.map { MapNames.quantile($0, 0.5) }
                let uncertainty = bases.map(MapNames.uncertainty)
                let fraction = { (p: Double) in NumberText.trimmed(p, maxDecimals: 4, nonFinite: "?") }
                let ratio = "(Q\(fraction(upperQ)) - Q\(fraction(lowerQ))) / Q0.5"
                all +=
                    layers(lower, ": lower bound (\(percent(lowerQ)) %) of the \(interval)")
                    + layers(upper, ": upper bound (\(percent(upperQ)) %) of the \(interval)")
                    + layers(median, ": median (Q0.5) of the predictive distribution")
                    + zip(zip(uncertainty, described), depths).map {
                        Layer(
                            name: $0.0, description: $0.1 + ": uncertainty \(ratio)", depth: $1,
                            format: LayerFormat(unit: ""))
                    }
                sets += [
                    set(
                        "Lower bound (\(percent(lowerQ)) %) of the \(interval)", lower, ramp: .socDefault,
                        sheet: MapNames.quantile(name, lowerQ), rangeGroup: valueRange),
                    set(
                        "Upper bound (\(percent(upperQ)) %) of the \(interval)", upper, ramp: .socDefault,
                        sheet: MapNames.quantile(name, upperQ), rangeGroup: valueRange),
                    set(
                        "Median (Q0.5) of the predictive distribution", median, ramp: .socDefault,
                        sheet: MapNames.quantile(name, 0.5), rangeGroup: valueRange),
                    MapSet(
                        title: "Uncertainty \(ratio) of the \(interval)",
                        maps: zip(uncertainty, titles).map { Map(name: $0, title: $1) }, unit: "ratio",
                        ramp: .uncertainty, contactSheet: MapNames.contactSheet(MapNames.uncertainty(name)))
                ]
            }
            if applicability {
                let di = MapNames.dissimilarity(name)
                let aoa = MapNames.applicability(name)
                all += [
                    Layer(
                        name: di,
                        description:
                            "Dissimilarity index of the covariates to the training sites (Meyer & Pebesma 2021)",
                        depth: Self.allDepths, format: LayerFormat(unit: "")),
                    Layer(
                        name: aoa, description: "Area of applicability: 1 inside (DI <= threshold), 0 outside",
                        depth: Self.allDepths, format: .mask)
                ]
                sets += [
                    MapSet(
                        title: "Dissimilarity index", maps: [Map(name: di, title: "all depths")], unit: "DI",
                        ramp: .viridis, contactSheet: MapNames.contactSheet(di)),
                    MapSet(
                        title: "Area of applicability", maps: [Map(name: aoa, title: "all depths")],
                        unit: "0 outside, 1 inside", ramp: .applicability, range: ValueRange(min: 0, max: 1),
                        contactSheet: MapNames.contactSheet(aoa))
                ]
            }
            if expectedError {
                let names = bases.map(MapNames.expectedError)
                all += layers(names, ": expected RMSE from the dissimilarity index (cross-validation error profile)")
                sets += [
                    set(
                        "Expected RMSE from the dissimilarity index", names, ramp: .uncertainty,
                        sheet: MapNames.expectedError(name))
                ]
            }
            layout = TileLayers(
                depths: depths.count, spread: spread, bounds: level != nil, applicability: applicability,
                expectedError: expectedError)
            precondition(
                all.count == layout.count, "MapProducts.Catalogue: \(all.count) maps for \(layout.count) tile layers")
            self.layers = all
            self.sets = sets
            self.unit = unit
            projectName = MapNames.project(name)
            projectTitle = "\(runName): \(property) maps"
        }
    }

    /// Writes a catalogue's maps from the finished tiles of `store` into `folder` (created): a
    /// cloud-optimised GeoTIFF per layer with `provenance.metadata(depth:)` of the layer's depth (its
    /// `Provenance.Key.depth` and that depth's CV scores), then
    /// the styles, quick-looks, contact sheets and project (`write(sets:)`). Returns the file names
    /// written. `progress` receives a step name, items done and items in all. `derive` runs once the
    /// COGs are written (e.g. `ProfileProducts.run` on them): the maps it writes into the folder and
    /// returns as sets get their styles and quick-looks and join the project, after the catalogue's.
    public static func assemble(
        _ catalogue: Catalogue, plan: MapPlan, store: TileStore, provenance: Provenance,
        folder: String, progress: ((_ step: String, _ done: Int, _ total: Int) -> Void)? = nil,
        derive: ((_ folder: String) throws -> (sets: [MapSet], files: [String]))? = nil
    )
        throws -> [String]
    {
        precondition(
            store.layers == catalogue.layout.count,
            "MapProducts.assemble: \(store.layers) tile layers for \(catalogue.layout.count) maps")
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let staging = catalogue.layers.map { (folder as NSString).appendingPathComponent(".\($0.name).assembling.tif") }
        defer {
            for s in staging {
                try? fm.removeItem(atPath: s)
                try? fm.removeItem(atPath: s + ".aux.xml")
            }
        }
        try MapAssembler.write(
            plan: plan, store: store, paths: staging, descriptions: catalogue.layers.map(\.description),
            unit: catalogue.unit, metadata: [:], formats: catalogue.layers.map(\.format)
        ) { done, total in
            progress?("assemble", done, total)
        }
        // One COG per layer, the layers spread over Compute's workers (each file is written by
        // one thread from its own staging copy, so the bytes do not depend on the thread count).
        var done = 0
        let layers = catalogue.layers
        try EachFile.run(
            layers.count,
            { k in
                let layer = layers[k]
                try COG.write(
                    from: staging[k], to: (folder as NSString).appendingPathComponent(layer.name + ".tif"),
                    metadata: provenance.metadata(depth: layer.depth),
                    overviewResampling: layer.format.overviewResampling)
            },
            finished: { _ in
                done += 1
                progress?("cloud-optimised GeoTIFFs", done, layers.count)
            })
        var files = layers.map { $0.name + ".tif" }
        let derived = try derive?(folder) ?? (sets: [], files: [])
        files += derived.files
        let written = try write(
            sets: catalogue.sets + derived.sets, folder: folder, projectName: catalogue.projectName,
            title: catalogue.projectTitle, points: catalogue.points
        ) { done, total in
            progress?("styles and quick-looks", done, total)
        }
        return files + written.files
    }
}
