// swift-tools-version:6.0
// SOCMap: soil organic carbon maps at six standard depths with a depth-transfer CNN.
// The target list follows the data's path: rasters and profiles in, patches,
// models, evaluation and maps out.
import PackageDescription

let package = Package(
    name: "SOCMap",
    platforms: [.macOS(.v15)],  // Synchronization.Atomic
    products: [
        .executable(name: "socmap", targets: ["socmap"])
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.0.0")
    ],
    targets: [
        // MARK: System libraries (module map + shim header + pkg-config)
        .systemLibrary(
            name: "CGDAL", path: "Sources/CGDAL", pkgConfig: "gdal",
            providers: [.apt(["libgdal-dev", "libproj-dev"])]),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // MARK: Helpers every stage shares: atomic file writes and file error reasons; text formats
        .target(
            name: "FileIO", dependencies: [.product(name: "Crypto", package: "swift-crypto")], exclude: ["README.md"]),
        .target(name: "TextFormat", exclude: ["README.md"]),

        // MARK: Data in: rasters and soil profiles
        .target(name: "RasterIO", dependencies: ["CGDAL", "FileIO"], exclude: ["README.md"]),
        .target(name: "SoilData", exclude: ["README.md"]),

        // MARK: Training data: patches around sites
        .target(name: "Patches", dependencies: ["RasterIO", "SoilData", "FileIO"], exclude: ["README.md"]),

        // MARK: Seeded random numbers (every random choice comes from a pipeline seed)
        .target(name: "Randomness", exclude: ["README.md"]),

        // MARK: Runtime configuration (threads, BLAS kernels, heap), applied once per process
        .target(name: "Runtime", dependencies: ["COpenBLAS"], exclude: ["README.md"]),

        // MARK: Compute, below the learners: the one sgemm wrapper and the one worker pool
        .target(name: "Compute", dependencies: ["COpenBLAS", "Runtime"], exclude: ["README.md"]),

        // MARK: Learning
        .target(
            name: "NeuralNet", dependencies: ["Compute", "Randomness", "FileIO", "TextFormat"], exclude: ["README.md"]),

        .target(
            name: "Forest", dependencies: ["Compute", "Randomness", "FileIO", "Runtime"], exclude: ["README.md"]),

        // MARK: Area of applicability: dissimilarity of covariates to the training sites (sgemm nearest site)
        .target(name: "Applicability", dependencies: ["Compute"], exclude: ["README.md"]),

        // MARK: The four models behind one interface: transfer, cnn, mtcnn, rf
        .target(
            name: "Models", dependencies: ["NeuralNet", "Forest", "Patches", "FileIO", "TextFormat"],
            exclude: ["README.md"]),

        // MARK: Evaluation: folds, metrics, reports, plots
        .target(
            name: "Evaluation", dependencies: ["Compute", "Randomness", "FileIO", "TextFormat"], exclude: ["README.md"]),

        // MARK: Maps: dense tiled prediction, COG, QGIS styles and project, quick-looks
        .target(
            name: "Mapping",
            dependencies: [
                "RasterIO", "Models", "NeuralNet", "Compute", "Applicability", "FileIO", "TextFormat"
            ],
            exclude: ["README.md"]),

        // MARK: Experiments: fold plans, variants, units saved in one store, cross-validation
        .target(
            name: "Experiments",
            dependencies: ["Models", "Patches", "Evaluation", "FileIO", "Randomness", "Runtime", "TextFormat"],
            exclude: ["README.md"]),

        // MARK: The output folder: layout, lock, staging, publishing (files, not science)
        .target(name: "Workspace", dependencies: ["FileIO"], exclude: ["README.md"]),

        // MARK: The pipeline file: schema, defaults, validation with line:column
        .target(
            name: "Configuration",
            dependencies: [
                "SoilData", "Models", "NeuralNet", "Evaluation", "Experiments", "Mapping", "Applicability", "Workspace",
                "FileIO", "TextFormat", "Yams"
            ],
            exclude: ["README.md"]),

        // MARK: Orchestration
        .target(
            name: "SampleData", dependencies: ["RasterIO", "Randomness", "FileIO", "TextFormat"], exclude: ["README.md"]
        ),
        // The run's record (report.json) and its renderings (report.md, report.html), from plain values.
        .target(
            name: "Reports", dependencies: ["Evaluation", "FileIO", "TextFormat", "Workspace"], exclude: ["README.md"]),
        // The data a run starts from: soil tables, covariate stack, profiles, patches; preflight and inspect.
        .target(
            name: "Inputs",
            dependencies: [
                "RasterIO", "SoilData", "Patches", "FileIO", "TextFormat", "Workspace", "Configuration", "Reports"
            ],
            exclude: ["README.md"]),
        // The run's training units and their cross-validation results: held-out predictions, intervals, zones.
        .target(
            name: "Assessment",
            dependencies: [
                "Inputs", "RasterIO", "Patches", "Models", "Evaluation", "Experiments", "Mapping", "FileIO",
                "TextFormat", "Randomness", "Runtime", "Workspace", "Configuration", "Reports", "Selection"
            ],
            exclude: ["README.md"]),
        // Covariate selection (Han et al. 2025, Sec. 2.2), a client of the experiment engine.
        .target(
            name: "Selection",
            dependencies: [
                "Patches", "Models", "Evaluation", "Experiments", "FileIO", "TextFormat", "Randomness", "Workspace",
                "Configuration", "Reports"
            ],
            exclude: ["README.md"]),
        // The map stage: tiled prediction, map products, area of applicability, depth consistency and stocks.
        .target(
            name: "Cartography",
            dependencies: [
                "RasterIO", "SoilData", "Patches", "NeuralNet", "Models", "Evaluation", "Experiments", "Mapping",
                "Applicability", "Compute", "FileIO", "TextFormat", "Runtime", "Workspace", "Configuration", "Reports"
            ],
            exclude: ["README.md"]),
        .target(
            name: "Pipeline",
            dependencies: [
                "Inputs", "Assessment", "Selection", "Cartography", "Configuration", "Reports", "Runtime", "Workspace",
                "RasterIO"
            ],
            exclude: ["README.md"]),

        // MARK: Speed measurements (`socmap bench`), outside the library modules
        .target(
            name: "Benchmarks",
            dependencies: [
                "Compute", "NeuralNet", "Forest", "Models", "Applicability", "Mapping", "Randomness", "Runtime"
            ], exclude: ["README.md"]),

        // MARK: The command-line tool
        .executableTarget(
            name: "socmap",
            dependencies: [
                "Pipeline", "Inputs", "Configuration", "SampleData", "Mapping", "FileIO", "TextFormat", "Benchmarks",
                "Runtime", "Workspace",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            exclude: ["README.md"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["RasterIO"], path: "Tests/TestSupport"),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO", "Randomness", "TestSupport"]),
        .testTarget(name: "TextFormatTests", dependencies: ["TextFormat"]),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "RasterIOTests", dependencies: ["RasterIO", "TestSupport", "Randomness"]),
        .testTarget(name: "SoilDataTests", dependencies: ["SoilData", "Randomness"]),
        .testTarget(name: "PatchesTests", dependencies: ["Patches", "RasterIO", "SoilData", "TestSupport"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime"]),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "Runtime"]),
        .testTarget(
            name: "NeuralNetTests", dependencies: ["NeuralNet"], exclude: ["Fixtures/README.md"],
            resources: [.copy("Fixtures/golden.json")]),
        .testTarget(name: "ForestTests", dependencies: ["Forest", "Compute", "Randomness", "Runtime"]),
        .testTarget(name: "ApplicabilityTests", dependencies: ["Applicability", "Randomness"]),
        .testTarget(
            name: "ModelsTests",
            dependencies: ["Models", "Patches", "NeuralNet", "SoilData", "FileIO", "Forest", "TestSupport"]),
        .testTarget(
            name: "EvaluationTests",
            dependencies: ["Evaluation", "Compute", "FileIO", "Randomness", "TextFormat", "TestSupport"]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: [
                "Experiments", "Evaluation", "Models", "NeuralNet", "Patches", "SoilData", "Runtime", "Randomness",
                "TestSupport"
            ]),
        .testTarget(
            name: "MappingTests",
            dependencies: ["Mapping", "Compute", "RasterIO", "TestSupport", "Randomness", "FileIO"]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Randomness", "Pipeline", "Inputs", "Assessment", "Selection", "Reports", "Configuration",
                "Experiments", "Workspace", "RasterIO",
                "SoilData", "SampleData", "TestSupport", "Evaluation", "Mapping", "Models", "Patches", "NeuralNet",
                "Cartography"
            ]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Runtime"]),
        .testTarget(
            name: "socmapTests",
            dependencies: [
                "socmap", "Reports", "Configuration", "Workspace", "TestSupport", "RasterIO", "Models", "Patches",
                "Evaluation"
            ])
    ],
    swiftLanguageModes: [.v6]
)

// MARK: Fuzz targets (libFuzzer), declared only with SOCMAP_FUZZ=1 so that `swift build` and
// `swift test` never build them; `make fuzz` builds them with -sanitize=fuzzer,address (Fuzz/README.md).
if Context.environment["SOCMAP_FUZZ"] == "1" {
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzCSV", dependencies: ["SoilData", "FuzzSupport"], path: "Fuzz/FuzzCSV"),
        .executableTarget(name: "FuzzHorizons", dependencies: ["SoilData", "FuzzSupport"], path: "Fuzz/FuzzHorizons"),
        .executableTarget(
            name: "FuzzPipeline", dependencies: ["Pipeline", "Configuration", "FuzzSupport"], path: "Fuzz/FuzzPipeline")
    ]
}
