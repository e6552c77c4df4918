import Foundation
import Models
import Randomness
import Runtime
import TestSupport
import XCTest

@testable import Experiments

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

    func testDamagedUnits_editedRecordOrWeightsOrTruncated_areNeverUsed_reported_andFittedAgain() throws {
        let scratch = ScratchFolder()
        let e = try experiment(scratch.path)
        try e.fit(e.units, observer: Recorder(), owner: "t")
        let heldOut = try e.heldOut("rf")
        let fold = e.units.first { $0.name == "cv_fold02_rf" }!
        let final = e.units.first { $0.name == "final_rf" }!
        let store = e.store
        // An edited number in a fold unit's held-out predictions (same size).
        let record = (store.unitFolder(fold.name) as NSString).appendingPathComponent("unit.json")
        let text = try String(contentsOfFile: record, encoding: .utf8)
        let digit = text.range(of: "\"heldOut\":[")!.upperBound.utf16Offset(in: text) + 2
        try Damage.flipByte(record) { _ in digit }
        // The final unit's saved model, one byte flipped in place; another fold's truncated.
        let model = store.modelFolder(final.name)
        let weights = UnitStore.files(in: model).first!
        try Damage.flipByte((model as NSString).appendingPathComponent(weights))
        let truncatedUnit = e.units.first { $0.name == "cv_fold03_rf-ab" }!
        let truncated = (store.unitFolder(truncatedUnit.name) as NSString).appendingPathComponent("unit.json")
        try Damage.truncate(truncated)

        // A fresh process (a new store) never uses them: the merge names each, damaged, with its folder.
        let fresh = try experiment(scratch.path)
        XCTAssertNil(fresh.saved(fold))
        XCTAssertEqual(fresh.store.damage(fold.name), "unit.json does not match its checksum")
        XCTAssertEqual(fresh.store.damage(final.name), "model/\(weights) does not match its checksum")
        XCTAssertThrowsError(try fresh.heldOut("rf")) { error in
            XCTAssertTrue("\(error)".contains("fold 2 rf is damaged (unit.json does not match"), "\(error)")
        }
        XCTAssertThrowsError(try fresh.checkComplete(file: "p.yaml", command: "socmap run p.yaml")) { error in
            XCTAssertTrue("\(error)".contains("3 of 8 training units are not saved"), "\(error)")
            XCTAssertTrue(
                "\(error)".contains(
                    "fold 2 rf (damaged: unit.json does not match its checksum, in '\(store.unitFolder(fold.name))')"),
                "\(error)")
            XCTAssertTrue("\(error)".contains("final rf (damaged: model/"), "\(error)")
            XCTAssertTrue(FileManager.default.fileExists(atPath: store.unitFolder(fold.name)), "the named path stays")
        }
        // Following the advice (run again) fits exactly the damaged units, says so, and restores the bytes.
        let observer = Recorder()
        XCTAssertEqual(try fresh.fit(fresh.units, observer: observer, owner: "t").trained, 3)
        XCTAssertTrue(
            observer.notes.contains {
                $0.hasPrefix("training unit fold 2 rf in '\(store.unitFolder(fold.name))' is damaged")
            }, "\(observer.notes)")
        XCTAssertEqual(try fresh.heldOut("rf"), heldOut)
        XCTAssertNil(fresh.store.damage(fold.name))
        XCTAssertNoThrow(try fresh.checkComplete(file: "p.yaml", command: "socmap run p.yaml"))
    }
}
