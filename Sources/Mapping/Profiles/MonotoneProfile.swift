/// The optional correction of the depth maps (`predict.depth_consistency.enforce_monotone`): going
/// down the profile, each depth's value is capped at the (already capped) value of the depth above,
/// so values never rise with depth. A cell's value is only compared with the depth right above it
/// when both are valid. Counts what it changed per depth; applied window by window.
public struct MonotoneProfile: Sendable, Equatable {
    /// What changed at one depth.
    public struct Change: Sendable, Equatable {
        /// The depth label.
        public var label: String
        /// Cells lowered.
        public var cells = 0
        /// Sum of the decreases (property's unit), for the mean.
        public var total = 0.0
        /// The largest decrease.
        public var largest = 0.0
        /// Mean decrease over the lowered cells (NaN: none).
        public var mean: Double { cells > 0 ? total / Double(cells) : .nan }
    }

    /// One entry per depth, top first (the top depth never changes).
    public private(set) var changes: [Change]
    /// Cells with a value at any depth, and of those, cells where any depth was lowered.
    public private(set) var cellsValid = 0
    public private(set) var cellsChanged = 0

    /// Starts the count for maps of `labels`, top first.
    public init(labels: [String]) {
        changes = labels.map { Change(label: $0) }
    }

    /// Caps `values[d][i]` (depth d's values over a window, non-finite for nodata) in place.
    public mutating func apply(_ values: inout [[Float]]) {
        precondition(
            values.count == changes.count,
            "MonotoneProfile.apply: \(values.count) depth layers for \(changes.count) depths")
        let n = values.first?.count ?? 0
        for i in 0..<n {
            var changed = false
            var valid = values[0][i].isFinite
            for d in 1..<max(1, values.count) {
                let upper = values[d - 1][i]
                let value = values[d][i]
                guard value.isFinite else { continue }
                valid = true
                guard upper.isFinite, value > upper else { continue }
                let decrease = Double(value) - Double(upper)
                values[d][i] = upper
                changes[d].cells += 1
                changes[d].total += decrease
                changes[d].largest = max(changes[d].largest, decrease)
                changed = true
            }
            if valid { cellsValid += 1 }
            if changed { cellsChanged += 1 }
        }
    }
}
