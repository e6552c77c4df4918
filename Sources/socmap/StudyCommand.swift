import ArgumentParser
import Configuration
import Foundation
import Pipeline
import Runtime

/// `socmap study`: named variants of the models on identical folds, with paired bootstrap differences.
struct Study: ParsableCommand, RuntimeConfigurable {
    static let configuration = CommandConfiguration(
        abstract:
            "Compare variants of the models on the pipeline's cross-validation folds, with paired bootstrap intervals.",
        discussion: """
            The study file names variants, each a model and the train keys it changes, e.g.

              output: ../out/edgeroi-study      # the study's own folder (default: the pipeline's output + "-study")
              baselines: [rf, cnn, mtcnn]       # every variant is compared with these (default: those present)
              bootstrap: 2000                   # resamples of sites for the 95 % intervals
              train: {epochs: 600}              # keys every variant changes (optional)
              split: sites                      # or knndm, or samples (the paper's split), for every variant (optional)
              variants:
                rf: {}                          # a name that is a model needs no 'model'
                cnn: {}
                mtcnn: {}
                transfer: {}
                transfer-F0: {model: transfer, train: {freeze: 0}}
                transfer-seed2: {model: transfer, seed: 7}   # same settings, another seed: the noise

            Every variant is trained on the same folds and validation sites; transfer variants that differ \
            only in fine-tuning share one pre-training per fold. Each fold x variant unit is saved when done, \
            so a study that is interrupted (or extended with new variants) continues where it stopped, \
            and --part i/n shares the units between processes (e.g. a Slurm job array) that --merge \
            completes. The pipeline's 'select' section is honoured: every variant reads the covariates it keeps. \
            Writes study.md, study.csv, study.json, predictions.csv and plots/ into the study's folder.
            """)

    @Argument(
        help: "Pipeline YAML file (its data, folds and train section).", completion: .file(extensions: ["yaml", "yml"]))
    var pipeline: String

    @Argument(help: "Study YAML file (the variants).", completion: .file(extensions: ["yaml", "yml"]))
    var variants: String

    @Flag(name: .shortAndLong, help: "Print only errors and the final summary.")
    var quiet = false

    @Flag(help: "Check the study file against the pipeline and list the variants and units, without training.")
    var check = false

    @Option(
        help: ArgumentHelp(
            """
            Fit only part i of n of the study's units (1-based), e.g. --part 2/3; several parts may run at once. \
            Continue with --merge when every part is done.
            """,
            valueName: "i/n"),
        transform: { try Share(parsing: $0) })
    var part: Share?

    @Flag(help: "Write the study from the units the parts (--part) saved. Fits nothing; names the missing units.")
    var merge = false

    @OptionGroup(title: "Runtime") var runtime: RuntimeOptions

    func validate() throws {
        if part != nil && merge {
            throw ValidationError("--part and --merge exclude each other: run the parts, then --merge")
        }
        if check && (part != nil || merge) {
            throw ValidationError("--check trains nothing: give it without --part or --merge")
        }
    }

    func run() throws {
        try reportingErrors {
            let config = try loadPipeline(pipeline)
            let study = try StudyConfig.load(path: variants, pipeline: config)
            if check {
                let folds = study.pipeline.evaluate!.folds
                print(
                    """
                    \(study.variants.count) variants x \(folds) folds = \
                    \(study.variants.count * folds) units, into \(study.output)
                    """
                )
                if !study.common.isEmpty { print("every variant: \(study.common)") }
                for v in study.variants {
                    let role = study.baselines.contains(v.name) ? " (baseline)" : ""
                    print("  \(v.name)\(role): \(v.model.rawValue)\(v.changes.isEmpty ? "" : ", " + v.changes)")
                }
                print("\(variants) is valid.")
                return
            }
            let observer = TerminalObserver(quiet: quiet)
            if let part {
                let p = try StudyRunner(study: study, observer: observer).runPart(part, command: commandLine())
                observer.stageStarted("done")
                print(
                    """
                    Part \(p.part): \(p.units.count) of \(p.total) units (\(p.trained) trained, \(p.reused) already \
                    saved) in \(String(format: "%.1f", p.seconds)) s: \(p.units.joined(separator: ", "))
                    """
                )
                print("When every part is done: socmap study \(pipeline) \(variants) --merge")
                return
            }
            let summary = try StudyRunner(study: study, observer: observer).run(merge: merge, command: commandLine())
            observer.stageStarted("done")
            let c = summary.comparison
            print(
                """
                Study \(c.table.designText); \(summary.trained) units trained, \(summary.reused) reused, \
                \(summary.sharedPretrainings) pre-trainings shared, \(String(format: "%.0f", summary.seconds)) s.
                """
            )
            print("RMSE per depth, then pooled (\(config.profiles.unit)):")
            for key in c.table.depthKeys {
                let cells = c.table.models.map { v in
                    String(format: "%@ %.4f", v, c.table.row(model: v, depth: key)?.metrics.rmse ?? .nan)
                }
                print("  \(key): " + cells.joined(separator: ", "))
            }
            print("Report: \((summary.outputFolder as NSString).appendingPathComponent("study.md"))")
        }
    }
}
