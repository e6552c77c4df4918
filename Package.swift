// swift-tools-version:6.0
// SOCMap: soil organic carbon maps at six standard depths with a depth-transfer CNN.
// The target list follows the data's path: rasters and profiles in, patches,
// models, evaluation and maps out.
import PackageDescription

let package = Package(
    name: "SOCMap",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "socmap", targets: ["socmap"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // MARK: System libraries (module map + shim header + pkg-config)
        .systemLibrary(
            name: "CGDAL", path: "Sources/CGDAL", pkgConfig: "gdal",
            providers: [.apt(["libgdal-dev", "libproj-dev"])]),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // MARK: Data in: rasters and soil profiles
        .target(name: "RasterIO", dependencies: ["CGDAL"], exclude: ["README.md"]),
        .target(name: "SoilData", exclude: ["README.md"]),

        // MARK: Training data: patches around sites
        .target(name: "Patches", dependencies: ["RasterIO", "SoilData"], exclude: ["README.md"]),

        // MARK: Seeded random numbers (every random choice comes from a pipeline seed)
        .target(name: "Randomness", exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: Learning
        .target(
            name: "NeuralNet", dependencies: ["COpenBLAS", "Randomness"], exclude: ["README.md"],
            swiftSettings: [.unsafeFlags(["-O"])]),

        .target(name: "Forest", dependencies: ["Randomness"], exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: The four models behind one interface: transfer, cnn, mtcnn, rf
        .target(
            name: "Models", dependencies: ["NeuralNet", "Forest", "Patches"],
            exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: Evaluation: folds, metrics, reports, plots
        .target(name: "Evaluation", dependencies: ["Randomness"], exclude: ["README.md"]),

        // MARK: Maps: dense tiled prediction, COG, QGIS styles and project, quick-looks
        .target(name: "Mapping", dependencies: ["RasterIO", "Models", "NeuralNet"], exclude: ["README.md"]),

        // MARK: Orchestration
        .target(name: "SampleData", dependencies: ["RasterIO", "SoilData", "Randomness"], exclude: ["README.md"]),
        .target(
            name: "Pipeline",
            dependencies: ["RasterIO", "SoilData", "Patches", "SampleData", "NeuralNet", "Forest", "Models", "Evaluation", "Mapping", "Yams"],
            exclude: ["README.md"]),
        .executableTarget(
            name: "socmap",
            dependencies: [
                "Pipeline", "RasterIO", "SoilData", "Patches", "NeuralNet", "Forest", "Models", "SampleData", "Mapping",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["RasterIO"], path: "Tests/TestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "RasterIOTests", dependencies: ["RasterIO", "TestSupport", "Randomness"]),
        .testTarget(name: "SoilDataTests", dependencies: ["SoilData", "Randomness"]),
        .testTarget(name: "PatchesTests", dependencies: ["Patches", "RasterIO", "SoilData", "TestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "ForestTests", dependencies: ["Forest", "Randomness"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Patches", "NeuralNet", "SoilData"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Randomness"]),
        .testTarget(name: "MappingTests", dependencies: ["Mapping", "RasterIO", "TestSupport", "Randomness"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "RasterIO", "TestSupport"]),
        .testTarget(name: "socmapTests", dependencies: ["socmap", "TestSupport", "RasterIO", "Models", "Patches"]),
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
        .executableTarget(name: "FuzzPipeline", dependencies: ["Pipeline", "FuzzSupport"], path: "Fuzz/FuzzPipeline"),
    ]
}
