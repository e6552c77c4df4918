import Experiments

/// Receives the map stage's stage changes, progress, notes and stored tiles (the pipeline's
/// `PipelineObserver` refines it; the CLI draws bars). Its progress and notes are an `ExperimentObserver`'s.
public protocol MapObserver: ExperimentObserver {
    /// A stage starts.
    func stageStarted(_ name: String)
    /// The map stage stored a tile: `done` of the `total` tiles of this process's share are finished
    /// (tiles of an earlier, interrupted run included). Throwing stops the stage at once with the
    /// stored tiles kept, as an interruption would (tests stop a prediction this way). Does nothing by default.
    func mapTileStored(done: Int, total: Int) throws
}

extension MapObserver {
    /// Progress without detail.
    public func progress(_ label: String, done: Int, total: Int) {
        progress(label, done: done, total: total, detail: "")
    }

    /// Does nothing: the map stage goes on.
    public func mapTileStored(done: Int, total: Int) throws {}
}
