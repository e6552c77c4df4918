import Experiments
import Foundation
import Inputs

/// Receives stage changes, progress and notes while a pipeline runs (the CLI draws bars): the data
/// stages' `StageObserver`, and an `ExperimentObserver`, so the experiment engine reports through it.
public protocol PipelineObserver: StageObserver, ExperimentObserver {
    /// The map stage stored a tile: `done` of the `total` tiles of this process's share are finished
    /// (tiles of an earlier, interrupted run included). Throwing stops the stage at once with the
    /// stored tiles kept, as an interruption would (tests stop a prediction this way). Does nothing by default.
    func mapTileStored(done: Int, total: Int) throws
}

extension PipelineObserver {
    /// Does nothing: the map stage goes on.
    public func mapTileStored(done: Int, total: Int) throws {}
}

/// An observer that ignores everything (tests, library use).
public final class SilentObserver: PipelineObserver {
    /// Creates a silent observer.
    public init() {}
    public func stageStarted(_ name: String) {}
    public func progress(_ label: String, done: Int, total: Int, detail: String) {}
    public func note(_ text: String) {}
}
