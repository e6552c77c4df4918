import Foundation

/// The transfer model's cross-validated metrics with layers 1...f frozen (one step of the freeze sweep).
public struct FreezeSweepEntry: Sendable, Codable, Equatable {
    /// The number of frozen layers (0 = fine-tune everything, 6 = only the output layer learns).
    public var f: Int
    /// Rows per depth label and `EvaluationTable.allDepths` (the `model` field is informational).
    public var rows: [EvaluationTable.Row]

    /// Makes an entry from rows.
    public init(f: Int, rows: [EvaluationTable.Row]) {
        self.f = f
        self.rows = rows
    }

    /// Takes `model`'s rows (every depth and all depths) from a table cross-validated with F = `f`.
    public init(f: Int, table: EvaluationTable, model: String) {
        precondition(
            table.models.contains(model), "FreezeSweepEntry: model '\(model)' is not in the table (\(table.models))")
        self.init(f: f, rows: table.rows.filter { $0.model == model })
    }

    /// The row at `depth` (a depth label or `EvaluationTable.allDepths`), if present.
    public func row(depth: String) -> EvaluationTable.Row? {
        rows.first { $0.depth == depth }
    }
}
