/// Settings of `generateSampleData`; the defaults make the committed `sample-data/` folder.
public struct SampleDataOptions: Sendable, Equatable {
    /// Seed of every random choice (same seed, same bytes).
    public var seed: UInt64
    /// Cell size of the main Albers grid, metres (1 km ... 200 km).
    public var resolution: Double
    /// Number of survey sites (1 ... 100,000).
    public var siteCount: Int

    /// The defaults: seed 2025, 10 km cells, 3000 sites.
    public init(seed: UInt64 = 2025, resolution: Double = 10_000, siteCount: Int = 3000) {
        self.seed = seed
        self.resolution = resolution
        self.siteCount = siteCount
    }

    /// Throws a `SampleDataError` naming the bad option.
    public func validate() throws {
        guard resolution.isFinite, resolution >= 1_000, resolution <= 200_000 else {
            throw SampleDataError(
                "sample-data resolution \(resolution) m is outside 1000...200000 m",
                hint: "Give a cell size in metres, e.g. 10000 for 10 km")
        }
        guard (1...100_000).contains(siteCount) else {
            throw SampleDataError(
                "sample-data site count \(siteCount) is outside 1...100000",
                hint: "Give a site count such as 3000")
        }
    }
}

/// What `generateSampleData` wrote.
public struct SampleDataSummary: Sendable, Equatable {
    /// Files written, relative to the output folder, in writing order (side files such as
    /// "covariates/soil_type.tif.aux.xml" included when GDAL made them).
    public var files: [String]
    /// Columns of the main grid.
    public var gridWidth: Int
    /// Rows of the main grid.
    public var gridHeight: Int
    /// Land (valid) cells of the main grid.
    public var landCellCount: Int
    /// Rows of sites.csv.
    public var siteCount: Int
    /// Rows of horizons.csv.
    public var horizonCount: Int
    /// Horizon values written as NA.
    public var missingValueCount: Int
    /// The deliberate data problems planted in horizons.csv, in words.
    public var plantedProblems: [String]
}

/// An error of the sample-data generator: what went wrong and what to do.
public struct SampleDataError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the file or option.
    public var message: String
    /// What the user can do about it.
    public var hint: String?

    /// Creates an error; `message` reads as the start of a sentence.
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    /// "message. hint."
    public var description: String {
        hint.map { "\(message). \($0)." } ?? "\(message)."
    }
}
