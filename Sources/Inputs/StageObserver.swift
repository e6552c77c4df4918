/// Receives stage changes, progress and notes while a stage runs (the pipeline's observer is one; the CLI
/// draws bars).
public protocol StageObserver: AnyObject {
    /// A stage starts.
    func stageStarted(_ name: String)
    /// Progress within the current stage, with a short detail such as the current loss.
    func progress(_ label: String, done: Int, total: Int, detail: String)
    /// A line worth showing the user.
    func note(_ text: String)
}

extension StageObserver {
    /// Progress without detail.
    public func progress(_ label: String, done: Int, total: Int) {
        progress(label, done: done, total: total, detail: "")
    }
}
