import Foundation
import Mapping
import SoilData
import TextFormat

/// The map stage's checks of the stored tiles before any map is assembled from them: every tile present
/// and intact (its checksum verified), and every mapped value finite and inside the property's valid range.
extension MapStage {
    /// Notes each tile of `tiles` stored but damaged (named with its folder), which the run predicts again.
    static func reportDamaged(_ tiles: [Int], store: TileStore, observer: MapObserver) {
        for t in tiles {
            guard let reason = store.damage(t) else { continue }
            observer.note("tile \(t) ('\(store.tileFolder(t))') is damaged (\(reason)); predicting it again")
        }
    }

    /// An error naming the missing and damaged tiles of `plan` in `store` and the commands that predict
    /// them again (`socmap predict <file> --shard i/n` of the shards that own them, then `--merge`);
    /// nothing when every tile is there and intact.
    static func checkStoredTiles(plan: MapPlan, store: TileStore, file: String) throws {
        var missing: [Int] = []
        var damaged: [(tile: Int, reason: String)] = []
        for t in plan.tiles.indices {
            if !store.exists(t) {
                missing.append(t)
            } else if let reason = store.damage(t) {
                damaged.append((t, reason))
            }
        }
        guard !missing.isEmpty || !damaged.isEmpty else { return }
        let list = { (tiles: [Int]) in
            tiles.prefix(8).map(String.init).joined(separator: ", ") + (tiles.count > 8 ? ", ..." : "")
        }
        var parts: [String] = []
        if let first = damaged.first {
            parts.append(
                "tile \(first.tile) ('\(store.tileFolder(first.tile))') is damaged (\(first.reason))"
                    + (damaged.count > 1 ? " and \(damaged.count - 1) more (tiles \(list(damaged.map(\.tile))))" : ""))
        }
        if !missing.isEmpty {
            parts.append(
                "\(missing.count == 1 ? "tile \(missing[0]) is" : "tiles \(list(missing)) are") not predicted yet")
        }
        let bad = (missing + damaged.map(\.tile)).sorted()
        let commands: [String]
        if let n = store.shards {
            commands = Set(bad.map { $0 % n }).sorted().map { "`socmap predict \(file) --shard \($0 + 1)/\(n)`" }
        } else {
            commands = ["`socmap predict \(file) --shard 1/1`"]
        }
        throw MapStageError(
            .tiles, file: store.folder,
            message: """
                \(bad.count) of \(plan.tiles.count) tiles cannot be merged: \(parts.joined(separator: "; ")); \
                no map was written. Predict them again (the missing shards) with \
                \(commands.joined(separator: " and ")), then run `socmap predict \(file) --merge` again
                """
        )
    }

    /// An error naming the model, depth, tile and cell of the first mapped value that is not finite, or
    /// (a depth's map) outside `range` (`profiles.valid_range`); nothing when every value is plausible.
    /// A cell is mapped when some depth's map has a value there; then every layer but the DI and AOA must.
    static func checkValues(
        plan: MapPlan, store: TileStore, layout: TileLayers, range: ValidRange?, model: String,
        depths: [String], unit: String, modelFolder: String, file: String
    ) throws {
        var checked = (0..<layout.depths).map { (layout.prediction($0), $0, "map") }
        for d in 0..<layout.depths {
            if let l = layout.spread(d) { checked.append((l, d, "CV spread")) }
            if let l = layout.lower(d) { checked.append((l, d, "lower interval bound")) }
            if let l = layout.upper(d) { checked.append((l, d, "upper interval bound")) }
            if let l = layout.median(d) { checked.append((l, d, "median (Q50)")) }
        }
        for (t, window) in plan.tiles.enumerated() {
            let layers = try store.read(t, cells: window.cellCount)
            for k in 0..<window.cellCount {
                guard (0..<layout.depths).contains(where: { !layers[layout.prediction($0)][k].isNaN }) else {
                    continue
                }
                for (l, d, what) in checked {
                    let v = layers[l][k]
                    let outside = what != "CV spread" && range.map { !$0.contains(Double(v)) } == true
                    guard !v.isFinite || outside else { continue }
                    let cell = "cell (column \(window.col + k % window.width), row \(window.row + k / window.width))"
                    let value = v.isFinite ? "\(NumberText.significant(Double(v), 6)) \(unit)" : "\(v)"
                    let rule = v.isFinite ? "outside profiles.valid_range \(range!)" : "not a finite number"
                    throw MapStageError(
                        .values, file: modelFolder,
                        message: """
                            the \(model) model's \(what) of depth \(depths[d]) holds \(value) at \(cell) of tile \
                            \(t) ('\(store.tileFolder(t))'), \(rule); no map was written. If the model's files \
                            were damaged, restore them or retrain with `socmap run \(file)`; if the model predicts \
                            this itself, widen profiles.valid_range when the property can take such values, or \
                            retrain with other settings (e.g. train.log1p: true for a skewed property)
                            """
                    )
                }
            }
        }
    }
}
