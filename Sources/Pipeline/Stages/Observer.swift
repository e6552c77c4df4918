import Cartography
import Foundation

/// Receives stage changes, progress and notes while a pipeline runs (the CLI draws bars).
/// It is the map stage's `MapObserver` (stage changes, `mapTileStored`), whose progress and notes are
/// an `ExperimentObserver`'s, so the experiment engine and the map stage report through it.
public protocol PipelineObserver: MapObserver {}

/// An observer that ignores everything (tests, library use).
public final class SilentObserver: PipelineObserver {
    /// Creates a silent observer.
    public init() {}
    public func stageStarted(_ name: String) {}
    public func progress(_ label: String, done: Int, total: Int, detail: String) {}
    public func note(_ text: String) {}
}
