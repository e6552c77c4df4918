import Evaluation
import FileIO
import Foundation
import SoilData
import TextFormat

/// The evaluation's held-out predictions read back from its predictions.csv (`socmap predict`: the
/// expected-error profile and the interval coverage inside and outside the area of applicability need
/// them), after checking the file is the one the evaluation wrote: its SHA-256 must equal the one
/// intervals.json recorded.
enum HeldOutTable {
    /// The rows of `path` for `models` (each one's prediction and, when written, its interval bounds at `level`),
    /// depths as indices into `depthLabels`. Throws naming the file when it changed since the evaluation
    /// wrote it, or a column, depth or number is not what the evaluation writes.
    static func read(
        path: String, sha256: String, models: [String], depthLabels: [String], level: Double, pipeline: String
    ) throws -> [HeldOutPrediction] {
        func damaged(_ what: String) -> MapStageError {
            MapStageError(
                .evaluation, file: path,
                message: """
                    \(what); the held-out predictions are not read from it. Run `socmap run \(pipeline)` again to \
                    rewrite the evaluation
                    """)
        }
        let hash: String
        do { hash = try SHA256Hasher.hex(fileAt: path) } catch { throw damaged("cannot read it (\(error))") }
        guard hash == sha256 else {
            throw damaged("it changed since the evaluation wrote it (its SHA-256 differs from intervals.json's)")
        }
        let table: CSVTable
        do { table = try CSVTable(path: path) } catch { throw damaged("\(error)") }
        func column(_ name: String) throws -> Int {
            guard let c = table.header.firstIndex(of: name) else { throw damaged("it has no column '\(name)'") }
            return c
        }
        let (site, depth, fold, observed) = (
            try column("site"), try column("depth"), try column("fold"), try column("observed")
        )
        let columns = try models.map { model in
            (
                model: model, predicted: try column(model),
                lower: table.header.firstIndex(of: model + "_" + QuantileText.name((1 - level) / 2)),
                upper: table.header.firstIndex(of: model + "_" + QuantileText.name((1 + level) / 2))
            )
        }
        let depthIndex = Dictionary(uniqueKeysWithValues: depthLabels.enumerated().map { ($1, $0) })
        func number(_ row: Int, _ c: Int) throws -> Double {
            let text = table.rows[row][c]
            if text == "NA" { return .nan }
            guard let x = Double(text) else {
                throw damaged("line \(table.lines[row]): '\(text)' in column '\(table.header[c])' is not a number")
            }
            return x
        }
        var out: [HeldOutPrediction] = []
        out.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() {
            guard let d = depthIndex[row[depth]], let f = Int(row[fold]) else {
                throw damaged("line \(table.lines[r]): depth '\(row[depth])' or fold '\(row[fold])' is not the run's")
            }
            var p = HeldOutPrediction(
                siteID: row[site], depth: d, fold: f, observed: try number(r, observed), predicted: [:])
            for c in columns {
                let value = try number(r, c.predicted)
                if value.isFinite { p.predicted[c.model] = value }
                if let lower = c.lower, let upper = c.upper {
                    let (lo, hi) = (try number(r, lower), try number(r, upper))
                    if lo.isFinite, hi.isFinite { p.bounds[c.model] = IntervalBounds(lower: lo, upper: hi) }
                }
            }
            out.append(p)
        }
        return out
    }
}
