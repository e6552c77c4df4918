import Foundation
import Models
import TestSupport
import Workspace
import XCTest

@testable import Configuration
@testable import Pipeline

/// `train.ensemble` and `train.augment` through a whole run: cross-validation, the saved models and the maps.
final class EnsembleAugmentPipelineTests: XCTestCase {
    static func sections(_ extra: String) -> String {
        """
        train:
          models: [transfer, cnn]
          network: {conv_widths: [4, 8, 8], fc_widths: [8, 8, 4], pool: 1}
          epochs: 3
          fine_tune_epochs: 2
          patience: 2
          batch_size: 16
        \(extra)
        evaluate:
          folds: 3
        predict:
          model: transfer
          tile_size: 16
          uncertainty: true
          cv_spread: true

        """
    }

    final class Recorder: PipelineObserver {
        var stages: [String] = []
        func stageStarted(_ name: String) { stages.append(name) }
        func progress(_ label: String, done: Int, total: Int, detail: String) {}
        func note(_ text: String) {}
    }

    func project(_ extra: String) throws -> (TinyProject, PipelineConfig) {
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + Self.sections(extra))
        return (p, try PipelineConfig.load(path: p.pipeline))
    }

    func testKeys_parseAndDefaultToThePaper() throws {
        let (p, config) = try project("  ensemble: 3\n  augment: true\n  augment_exclude: [wet]")
        defer { withExtendedLifetime(p) {} }
        XCTAssertEqual(config.train?.settings.ensemble, 3)
        XCTAssertEqual(config.train?.settings.augment, true)
        XCTAssertEqual(config.train?.settings.augmentExclude, ["wet"])
        let (q, plain) = try project("")
        defer { withExtendedLifetime(q) {} }
        XCTAssertEqual(
            plain.train?.settings,
            ModelSettings().with {
                $0.convWidths = [4, 8, 8]
                $0.fcWidths = [8, 8, 4]
                $0.poolSize = 1
                $0.epochs = 3
                $0.fineTuneEpochs = 2
                $0.patience = 2
                $0.batchSize = 16
            })
        XCTAssertThrowsError(try project("  ensemble: 0")) { XCTAssertTrue("\($0)".contains("ensemble"), "\($0)") }
    }

    func testUnknownExcludedCovariate_isAnErrorNamingTheKeyAndTheCovariates() throws {
        let (p, config) = try project("  augment: true\n  augment_exclude: [aspect]")
        defer { withExtendedLifetime(p) {} }
        XCTAssertThrowsError(try PipelineRunner(config: config).run(overwrite: false)) { error in
            let text = "\(error)"
            XCTAssertTrue(
                text.contains("train.augment_exclude: unknown covariate 'aspect'; the stack's covariates are "), text)
            XCTAssertTrue(text.contains("elev") && text.contains("geo"), text)
        }
    }

    func testEnsembleWithAugmentation_runsCrossValidationModelsAndMaps() throws {
        let (p, config) = try project("  ensemble: 2\n  augment: true\n  augment_exclude: [wet]")
        defer { withExtendedLifetime(p) {} }
        let recorder = Recorder()
        _ = try PipelineRunner(config: config, observer: recorder).run(overwrite: false)
        let layout = OutputLayout(config)
        for kind in [ModelKind.transfer, .cnn] {
            let (model, description) = try ModelStore.load(folder: layout.model(kind))
            XCTAssertEqual(description.members?.count, 1, "\(kind)")
            guard case .network(let m) = model else { return XCTFail("\(kind)") }
            XCTAssertEqual(m.members.count, 2, "\(kind)")
        }
        let (fold, _) = try ModelStore.load(folder: layout.cvModel(.transfer, fold: 1))
        guard case .network(let cv) = fold else { return XCTFail("fold model") }
        XCTAssertEqual(cv.members.count, 2, "the fold models of the CV spread are ensembles too")
        XCTAssertTrue(
            recorder.stages.contains {
                $0.contains("the mean of 2 ensemble members") && $0.contains("computed once for all depths and members")
            },
            "\(recorder.stages)")
        let maps = try FileManager.default.contentsOfDirectory(atPath: layout.mapsFolder).filter {
            $0.hasSuffix(".tif")
        }
        XCTAssertEqual(maps.count, 37, "six depths, their SD, Q0.05, Q0.95, Q0.5 and uncertainty, inversions: \(maps)")
    }
}

extension ModelSettings {
    /// A copy changed by `change`.
    func with(_ change: (inout ModelSettings) -> Void) -> ModelSettings {
        var s = self
        change(&s)
        return s
    }
}
