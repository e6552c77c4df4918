// The runtime configuration: its default reproduces the behaviour before it existed (the
// engine's SOCMAP_NN_THREADS rule, the Prescott upgrade, the mallopt rule), and applying is
// once per process. Tests never apply a configuration other than the one in force, since the
// whole test bundle shares this process.
import Foundation
import XCTest

@testable import Runtime

final class RuntimeConfigurationTests: XCTestCase {
    private func defaults(_ environment: [String: String], processors: Int = 8) -> RuntimeConfiguration {
        RuntimeConfiguration.defaults(environment: environment, activeProcessors: processors)
    }

    func testDefault_isTheActiveProcessorsAutomaticKernelAndTunedHeap() {
        let c = defaults([:], processors: 8)
        XCTAssertEqual(c, RuntimeConfiguration(threads: 8, blasKernel: .automatic, tunesAllocator: true))
        XCTAssertEqual(defaults([:], processors: 0).threads, 1)
    }

    func testDefault_threadsFromSOCMAP_NN_THREADSWhenPositive() {
        XCTAssertEqual(defaults(["SOCMAP_NN_THREADS": "3"]).threads, 3)
        XCTAssertEqual(defaults(["SOCMAP_NN_THREADS": "1"], processors: 2).threads, 1)
        for ignored in ["0", "-2", "two", "", " 3"] {
            XCTAssertEqual(defaults(["SOCMAP_NN_THREADS": ignored]).threads, 8, "SOCMAP_NN_THREADS=\(ignored)")
        }
    }

    func testDefault_leavesOpenBLASAloneWhenOPENBLAS_CORETYPEIsSet() {
        XCTAssertEqual(defaults(["OPENBLAS_CORETYPE": "Haswell"]).blasKernel, .library)
    }

    func testDefault_leavesTheHeapAloneWhenGlibcIsTunedByTheEnvironment() {
        XCTAssertFalse(defaults(["MALLOC_ARENA_MAX": "2"]).tunesAllocator)
        XCTAssertFalse(defaults(["GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=65536"]).tunesAllocator)
        XCTAssertTrue(defaults(["MY_MALLOC": "1"]).tunesAllocator)
    }

    func testDefault_readsThisProcess() {
        let environment = ProcessInfo.processInfo.environment
        XCTAssertEqual(
            RuntimeConfiguration.default,
            defaults(environment, processors: ProcessInfo.processInfo.activeProcessorCount))
    }

    func testAutomaticKernel_upgradesPrescottOnlyOnCapableCPUs() {
        let avx512: Set = ["sse3", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"]
        XCTAssertEqual(BLASKernel.automaticCore(libraryCore: "Prescott", cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASKernel.automaticCore(libraryCore: "PRESCOTT", cpuFlags: ["avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASKernel.automaticCore(libraryCore: "Prescott", cpuFlags: ["sse3", "avx2"]))
        XCTAssertNil(BLASKernel.automaticCore(libraryCore: "Haswell", cpuFlags: avx512))
        XCTAssertNil(BLASKernel.automaticCore(libraryCore: "SkylakeX", cpuFlags: avx512))
    }

    func testKernelNames_areTheCommandLineValues() {
        XCTAssertEqual(BLASKernel.allCases.map(\.rawValue), ["auto", "openblas"])
    }

    func testCurrent_appliesTheDefaultWhenNobodyApplied() {
        // Nothing in the test bundle applies another configuration, so the one in force is the default.
        XCTAssertEqual(RuntimeConfiguration.current, RuntimeConfiguration.default)
    }

    func testApply_isIdempotent() throws {
        let current = RuntimeConfiguration.current
        let first = try current.apply()
        let second = try current.apply()
        XCTAssertEqual(first, second)
        XCTAssertEqual(RuntimeConfiguration.status, first)
    }

    func testApply_anotherConfigurationOnceOneIsInForce_throwsAndChangesNothing() {
        let before = RuntimeConfiguration.status
        var other = before.configuration
        other.threads += 1
        XCTAssertThrowsError(try other.apply()) { error in
            XCTAssertEqual(error as? RuntimeError, .alreadyApplied(before.configuration, requested: other))
            XCTAssertTrue("\(error)".contains("before the first network or forest runs"), "\(error)")
        }
        XCTAssertEqual(RuntimeConfiguration.status, before)
    }

    func testStatus_coreFollowsTheKernelChoice() {
        let status = RuntimeConfiguration.status
        XCTAssertEqual(status.core, ProcessSetup.coreName())
        XCTAssertFalse(status.core.isEmpty)
        if status.configuration.blasKernel == .automatic, let flags = ProcessSetup.cpuFlags(),
            let upgrade = BLASKernel.automaticCore(libraryCore: status.detectedCore, cpuFlags: flags)
        {
            XCTAssertEqual(status.core, upgrade, "detected \(status.detectedCore)")
        }
        #if os(Linux)
            XCTAssertEqual(status.allocatorTuned, status.configuration.tunesAllocator)
        #endif
    }
}

/// The peak resident size follows a large allocation and starts again after a reset.
final class ProcessMemoryTests: XCTestCase {
    func testPeak_followsAnAllocation_andResets() {
        XCTAssertTrue(ProcessMemory.resetPeak())
        let before = ProcessMemory.peak()
        XCTAssertGreaterThan(before, 0)
        do {
            var block = [UInt8](repeating: 1, count: 300_000_000)
            block[block.count - 1] = 2
            XCTAssertGreaterThan(ProcessMemory.peak(), before + 250_000_000)
            XCTAssertEqual(block[block.count - 1], 2)
        }
        XCTAssertTrue(ProcessMemory.resetPeak())
        XCTAssertLessThan(ProcessMemory.peak(), before + 100_000_000, "a reset starts from the current size")
        XCTAssertGreaterThan(ProcessMemory.current(), 0)
    }
}
