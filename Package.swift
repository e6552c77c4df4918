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

        // MARK: File-system helpers every stage shares
        .target(name: "FileIO", exclude: ["README.md"]),

        // MARK: Data in: rasters and soil profiles
        .target(name: "RasterIO", dependencies: ["CGDAL"], exclude: ["README.md"]),
        .target(name: "SoilData", exclude: ["README.md"]),

        // MARK: Training data: patches around sites
        .target(name: "Patches", dependencies: ["RasterIO", "SoilData"], exclude: ["README.md"]),

        // MARK: Seeded random numbers (every random choice comes from a pipeline seed)
        .target(name: "Randomness", exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: Runtime configuration (threads, BLAS kernels, heap), applied once per process
        .target(name: "Runtime", dependencies: ["COpenBLAS"], exclude: ["README.md"]),

        // MARK: Learning
        .target(
            name: "NeuralNet", dependencies: ["COpenBLAS", "Randomness", "FileIO", "Runtime"], exclude: ["README.md"],
            swiftSettings: [.unsafeFlags(["-O"])]),

        .target(
            name: "Forest", dependencies: ["Randomness", "FileIO", "Runtime"], exclude: ["README.md"],
            swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: The four models behind one interface: transfer, cnn, mtcnn, rf
        .target(
            name: "Models", dependencies: ["NeuralNet", "Forest", "Patches"],
            exclude: ["README.md"], swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: Evaluation: folds, metrics, reports, plots
        .target(name: "Evaluation", dependencies: ["Randomness", "FileIO"], exclude: ["README.md"]),

        // MARK: Maps: dense tiled prediction, COG, QGIS styles and project, quick-looks
        .target(name: "Mapping", dependencies: ["RasterIO", "Models", "NeuralNet", "FileIO"], exclude: ["README.md"]),

        // MARK: Orchestration
        .target(name: "SampleData", dependencies: ["RasterIO", "SoilData", "Randomness"], exclude: ["README.md"]),
        .target(
            name: "Pipeline",
            dependencies: ["RasterIO", "SoilData", "Patches", "SampleData", "NeuralNet", "Forest", "Models", "Evaluation", "Mapping", "FileIO", "Yams"],
            exclude: ["README.md"]),
        .executableTarget(
            name: "socmap",
            dependencies: [
                "Pipeline", "RasterIO", "SoilData", "Patches", "NeuralNet", "Forest", "Models", "SampleData", "Mapping", "FileIO",
                "Runtime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["RasterIO"], path: "Tests/TestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "RasterIOTests", dependencies: ["RasterIO", "TestSupport", "Randomness"]),
        .testTarget(name: "SoilDataTests", dependencies: ["SoilData", "Randomness"]),
        .testTarget(name: "PatchesTests", dependencies: ["Patches", "RasterIO", "SoilData", "TestSupport"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Runtime"]),
        .testTarget(name: "ForestTests", dependencies: ["Forest", "Randomness", "Runtime"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Patches", "NeuralNet", "SoilData"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Randomness"]),
        .testTarget(name: "MappingTests", dependencies: ["Mapping", "RasterIO", "TestSupport", "Randomness"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "RasterIO", "TestSupport", "Evaluation", "Mapping", "Models"]),
        .testTarget(name: "socmapTests", dependencies: ["socmap", "TestSupport", "RasterIO", "Models", "Patches"]),
    ],
    swiftLanguageModes: [.v6]
)
