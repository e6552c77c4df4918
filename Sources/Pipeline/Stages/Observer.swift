import Cartography
import Foundation
import Inputs

/// Receives stage changes, progress and notes while a pipeline runs (the CLI draws bars): the data
/// stages' `StageObserver` and the map stage's `MapObserver` (stage changes, `mapTileStored`), whose
/// progress and notes are an `ExperimentObserver`'s, so every stage and the experiment engine report through it.
public protocol PipelineObserver: StageObserver, MapObserver {}

/// An observer that ignores everything (tests, library use).
public final class SilentObserver: PipelineObserver {
    /// Creates a silent observer.
    public init() {}
    public func stageStarted(_ name: String) {}
    public func progress(_ label: String, done: Int, total: Int, detail: String) {}
    public func note(_ text: String) {}
}
