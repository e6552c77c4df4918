import Experiments
import Foundation
import Models
import Randomness
import Runtime
import XCTest

final class ExperimentTests: XCTestCase {
    final class Recorder: ExperimentObserver {
        var notes: [String] = []
        func progress(_ label: String, done: Int, total: Int, detail: String) {}
        func note(_ text: String) { notes.append(text) }
    }

    func experiment(
        _ folder: String, settings: ModelSettings = quickForest, seed: UInt64 = 11, channels: ChannelChoice = .all,
        finals: Bool = true
    ) throws -> Experiment {
        let data = smallData()
        let plan = try FoldPlan.make(data, spec: FoldSpec(folds: 3, seed: 5))
        let variants = [
            Variant(name: "rf", model: .rf, settings: settings, channels: channels, seeds: SeedStream(root: seed)),
            Variant(
                name: "rf-ab", model: .rf, settings: settings, channels: .fixed([0, 1]), seeds: SeedStream(root: seed))
        ]
        return try Experiment(
            data: data, plan: plan, variants: variants, finals: finals, store: UnitStore(folder: folder, tag: "t"))
    }

    func testFit_savesEveryUnit_andAFreshExperimentReusesThemToTheSameHeldOutPredictions() throws {
        let scratch = ScratchFolder()
        let first = try experiment(scratch.path)
        XCTAssertEqual(
            first.units.map(\.name),
            [
                "cv_fold01_rf", "cv_fold01_rf-ab", "cv_fold02_rf", "cv_fold02_rf-ab",
                "cv_fold03_rf", "cv_fold03_rf-ab", "final_rf", "final_rf-ab"
            ])
        let observer = Recorder()
        let (trained, reused) = try first.fit(first.units, observer: observer, owner: "this test")
        XCTAssertEqual(trained, 8)
        XCTAssertEqual(reused, 0)
        let heldOut = try first.heldOut("rf")
        XCTAssertTrue(heldOut.allSatisfy(\.isFinite), "every sample held out once")
        XCTAssertNotEqual(heldOut, try first.heldOut("rf-ab"), "the channel subset changes the predictions")

        let again = try experiment(scratch.path)
        let second = Recorder()
        XCTAssertEqual(try again.fit(again.units, observer: second, owner: "this test").trained, 0)
        XCTAssertTrue(
            second.notes.contains("training: 8 of 8 units saved by an earlier run of this test; 0 to train"),
            "\(second.notes)")
        XCTAssertEqual(try again.heldOut("rf"), heldOut)
    }

    func testFingerprint_changesWithTheSeedSettingsAndChannels_onlyForTheUnitsConcerned() throws {
        let scratch = ScratchFolder()
        let base = try experiment(scratch.path)
        var deeper = quickForest
        deeper.trees = 12
        let other = try experiment(scratch.path, settings: deeper)
        let reseeded = try experiment(scratch.path, seed: 12)
        for u in base.units {
            XCTAssertNotEqual(base.fingerprint(u), other.fingerprint(u))
            XCTAssertNotEqual(base.fingerprint(u), reseeded.fingerprint(u))
        }
        // Only rf's channels change: rf-ab's units keep their fingerprints.
        let narrowed = try experiment(scratch.path, channels: .fixed([0, 2]))
        for u in base.units {
            XCTAssertEqual(base.fingerprint(u) == narrowed.fingerprint(u), u.variant == "rf-ab", u.name)
        }
        // A killed unit (a partial folder) is never read, and a damaged record is fitted again.
        try base.fit([base.units[0]], observer: Recorder(), owner: "t")
        let record = (base.store.unitFolder(base.units[0].name) as NSString).appendingPathComponent("unit.json")
        try Data("{".utf8).write(to: URL(fileURLWithPath: record))
        XCTAssertNil(base.saved(base.units[0]))
        XCTAssertEqual(try base.fit([base.units[0]], observer: Recorder(), owner: "t").trained, 1)
    }

    func testClaims_aUnitHeldByAnotherProcessIsWaitedFor_notFittedTwice() throws {
        let scratch = ScratchFolder()
        let e = try experiment(scratch.path, finals: false)
        let unit = e.units[0]
        let held = try XCTUnwrap(e.store.claim(unit.name, wait: false))
        XCTAssertNil(try e.store.claim(unit.name, wait: false), "a claimed unit cannot be claimed again")
        // While the unit is held, the others are fitted; the held one waits until it is released,
        // and is then fitted (the holder did not save it).
        let group = DispatchGroup()
        nonisolated(unsafe) var result: (trained: Int, reused: Int)?
        nonisolated(unsafe) let shared = e
        DispatchQueue.global().async(group: group) {
            result = try? shared.fit(shared.units, observer: Recorder(), owner: "t")
        }
        let deadline = Date().addingTimeInterval(30)
        while e.units.dropFirst().contains(where: { e.saved($0) == nil }) && Date() < deadline { usleep(1_000) }
        XCTAssertNil(e.saved(unit), "the held unit waits")
        held.release()
        group.wait()
        XCTAssertEqual(result?.trained, 6)
        XCTAssertNotNil(e.saved(unit))
    }

    func testPartsAndMerge_namesMissingUnitsAndTheCommands() throws {
        let scratch = ScratchFolder()
        let e = try experiment(scratch.path)
        XCTAssertThrowsError(try e.checkComplete(file: "p.yaml", command: "socmap run p.yaml")) { error in
            XCTAssertEqual((error as? ExperimentError)?.kind, .missingUnits)
            XCTAssertTrue("\(error)".contains("8 of 8 training units are not saved"), "\(error)")
            XCTAssertTrue("\(error)".contains("No part has run"), "\(error)")
        }
        let part = Share(index: 0, count: 2)
        try e.startPart(part, file: "p.yaml")
        try e.fit(e.units(of: part), observer: Recorder(), owner: "t")
        XCTAssertThrowsError(try e.checkComplete(file: "p.yaml", command: "socmap run p.yaml")) { error in
            XCTAssertTrue("\(error)".contains("Rerun socmap run p.yaml --part 2/2"), "\(error)")
            XCTAssertFalse("\(error)".contains("--part 1/2"), "\(error)")
        }
        // A part of another owner's file is refused.
        let stranger = try Experiment(
            data: e.data, plan: e.plan, variants: e.variants, finals: true,
            store: UnitStore(folder: scratch.path, tag: "other"))
        XCTAssertThrowsError(try stranger.startPart(Share(index: 1, count: 2), file: "q.yaml")) { error in
            XCTAssertEqual((error as? ExperimentError)?.kind, .parts)
        }
        try e.fit(e.units(of: Share(index: 1, count: 2)), observer: Recorder(), owner: "t")
        XCTAssertNoThrow(try e.checkComplete(file: "p.yaml", command: "socmap run p.yaml"))
    }
}
