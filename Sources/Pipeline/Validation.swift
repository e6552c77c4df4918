import Assessment
import Cartography
import Configuration
import Inputs

/// Checks a pipeline without running it: its keys, its files, its CRSs and its CSV columns.
public enum PipelineValidator {
    /// Returns one line per check passed; throws the first problem, located in the file.
    public static func validate(_ config: PipelineConfig) throws -> [String] {
        let settings = InputSettings(config)
        let covariates = try InputChecks.covariates(settings)
        let grid = covariates.check.grid
        var done = covariates.lines
        if let zones = try ZoneStage.check(
            AssessmentSettings(config), specs: covariates.specs, covariateNames: covariates.check.covariateNames,
            grid: grid)
        {
            done.append(zones)
        }
        let sites = try InputChecks.siteCRS(settings, grid: grid)
        done += try ProfileStage.check(
            config.stocks, grid: grid, tileSize: config.covariates.tileSize, errorAt: config.errorAt)
        done.append(sites)
        done += try InputChecks.tables(settings)
        if let s = config.train?.settings {
            done.append(
                "patch size \(config.patches.size), pool \(s.poolSize) and kernel \(s.kernelSize) make a network")
        }
        done += try PreflightChecks.run(settings)
        return done
    }
}
