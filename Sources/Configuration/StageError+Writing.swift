import FileIO

extension StageError {
    /// Runs a write into a run's output folder, turning a system error into one that names the file and
    /// the folder to check (the one wording of a failed output write), reported for `stage`.
    public static func writing<T>(into output: String, stage: Stage = .write, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as FileWriteError {
            throw StageError(
                stage: stage, file: e.path,
                message: "\(e.message); check that the output folder '\(output)' is writable and the disk has room")
        }
    }
}
