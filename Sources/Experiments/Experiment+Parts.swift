import Runtime

/// Parts and merge: a part records itself in the store, a merge checks that every unit is saved.
extension Experiment {
    /// Refuses part `share` when another part of the store ran another file (another owner tag);
    /// then records this part. `file` names the file this part runs.
    public func startPart(_ share: Share, file: String) throws {
        let others = store.partRecords().filter { !($0.part == share.index + 1 && $0.of == share.count) }
        if let other = others.first(where: { $0.pipeline != store.tag }) {
            throw ExperimentError(
                .parts, path: file,
                message: """
                    part \(other.part)/\(other.of) of this output folder ran the pipeline file '\(other.file)' \
                    with other contents (hash \(other.pipeline), this file \(store.tag)). \
                    Every part of one run must use the same pipeline file and models; \
                    to start the run over, remove '\(store.folder)' once before the job array
                    """
            )
        }
        try store.recordPart(share, file: file)
    }

    /// Checks before a merge that every unit is saved from these inputs; the error names the parts
    /// that ran another file, the missing units and the commands that fit them (`command` is the
    /// command a part runs without its `--part i/n`, e.g. "socmap run pipeline.yaml").
    public func checkComplete(file: String, command: String) throws {
        let records = store.partRecords()
        if let other = records.first(where: { $0.pipeline != store.tag }) {
            throw ExperimentError(
                .parts, path: file,
                message: """
                    part \(other.part)/\(other.of) ran the pipeline file '\(other.file)' with other contents (hash \
                    \(other.pipeline), this file \(store.tag)); every part and the merge must use the same pipeline \
                    file and models. Rerun that part with this file: \(command) --part \(other.part)/\(other.of) \
                    (remove '\(store.folder)' to start the parts over)
                    """
            )
        }
        let missing = units.filter { saved($0) == nil }
        guard !missing.isEmpty else { return }
        let describe = missing.map { u -> String in
            if let reason = store.damage(u.name) {
                return "\(u.label) (damaged: \(reason), in '\(store.unitFolder(u.name))')"
            }
            if let other = store.otherTag(u.name) {
                return "\(u.label) (made from another pipeline file, hash \(other))"
            }
            return store.exists(u.name) ? "\(u.label) (made from other data)" : u.label
        }
        var message =
            "\(missing.count) of \(units.count) training units are not saved: \(describe.joined(separator: ", ")). "
        let counts = Set(records.map(\.of))
        if let n = counts.count == 1 ? counts.first : nil {
            let parts = (0..<n).filter { i in !Set(units(of: Share(index: i, count: n))).isDisjoint(with: missing) }
            message +=
                "Rerun " + parts.map { "\(command) --part \($0 + 1)/\(n)" }.joined(separator: "; ")
                + " (a rerun keeps the units already saved), then merge again"
        } else if counts.isEmpty {
            message += """
                No part has run: run \(command) --part i/n for i = 1..n first, or \(command) \
                without --merge to train in one process
                """
        } else {
            message += """
                The parts ran with different counts (\(counts.sorted().map { "n = \($0)" }.joined(separator: ", "))); \
                run the missing units with \(command) without --merge, or rerun every part with one n
                """
        }
        throw ExperimentError(.missingUnits, path: store.folder, message: message)
    }
}
