import Foundation
import TestSupport
import XCTest

/// slurm/: the job scripts and submit.sh, on a real one-node Slurm cluster that slurm/test-cluster.sh
/// starts in a temporary folder (Debian's slurm-wlm and munge, as root), and without Slurm.
final class SlurmClusterTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let slurm = repository.appendingPathComponent("slurm").path
    static var submit: String { (slurm as NSString).appendingPathComponent("submit.sh") }
    static var clusterScript: String { (slurm as NSString).appendingPathComponent("test-cluster.sh") }

    /// Runs `bash <arguments>` under coreutils' `timeout` (exit 124 after `timeout` seconds). `environment`
    /// is added to this process's, or replaces it when `inherit` is false. The output goes through files,
    /// not pipes: a daemon the script starts may hold on to a pipe, and its end would never come.
    static func bash(
        _ arguments: [String], environment: [String: String] = [:], inherit: Bool = true,
        in directory: String? = nil, timeout: TimeInterval
    ) throws -> CLIResult {
        let files = try TemporaryDirectory(prefix: "socmap-bash")
        _ = FileManager.default.createFile(atPath: files.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: files.file("err"), contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: files.file("out")))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: files.file("err")))
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["--kill-after=10", String(Int(timeout)), "/bin/bash"] + arguments
        process.environment =
            inherit ? ProcessInfo.processInfo.environment.merging(environment, uniquingKeysWith: { $1 }) : environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        let read = { (name: String) in
            String(decoding: FileManager.default.contents(atPath: files.file(name)) ?? Data(), as: UTF8.self)
        }
        return CLIResult(status: process.terminationStatus, stdout: read("out"), stderr: read("err"))
    }

    // MARK: - Without a cluster

    /// Without sbatch, submit.sh says so and lists the same run as plain socmap commands.
    func testSubmit_withoutSbatch_isAClearErrorListingThePlainCommands() throws {
        let folder = try TemporaryDirectory(prefix: "socmap-slurm")
        try "name: x\n".write(toFile: folder.file("p.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder.file("empty-path"), withIntermediateDirectories: true)
        // A PATH with nothing on it: no sbatch (and no other program) can be found.
        let r = try Self.bash(
            [Self.submit, "p.yaml", "3", "2"],
            environment: ["PATH": folder.file("empty-path"), "SOCMAP": CLI.binary.path],
            inherit: false, in: folder.path, timeout: 30)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "")
        let pipeline = folder.file("p.yaml")
        let socmap = CLI.binary.path
        for fragment in [
            "sbatch not found: this script submits to a Slurm cluster; install slurm-wlm",
            "or run the steps by hand:",
            "for i in $(seq 1 3); do \(socmap) run \(pipeline) --part $i/3; done",
            "\(socmap) run \(pipeline) --merge --no-maps",
            "for i in $(seq 1 2); do \(socmap) predict \(pipeline) --shard $i/2; done",
            "\(socmap) predict \(pipeline) --merge"
        ] {
            XCTAssertTrue(r.stderr.contains(fragment), "stderr lacks '\(fragment)': \(r.stderr)")
        }
    }

    /// The by-hand commands paste into a shell as they are when the paths hold spaces: each printed line,
    /// run by bash, hands a stand-in socmap the pipeline's path as one argument.
    func testSubmit_withoutSbatch_quotesPathsWithSpaces() throws {
        let folder = try TemporaryDirectory(prefix: "socmap slurm")
        try FileManager.default.createDirectory(atPath: folder.file("my runs"), withIntermediateDirectories: true)
        try "name: x\n".write(toFile: folder.file("my runs/p q.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder.file("empty-path"), withIntermediateDirectories: true)
        // A stand-in socmap that writes each argument on a line of its own.
        let standIn = folder.file("my socmap")
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" >> \"$0.args\"\n".write(
            toFile: standIn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn)
        let r = try Self.bash(
            [Self.submit, "my runs/p q.yaml", "2", "1"],
            environment: ["PATH": folder.file("empty-path"), "SOCMAP": standIn],
            inherit: false, in: folder.path, timeout: 30)
        XCTAssertNotEqual(r.status, 0)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let commands =
            lines.filter { $0.hasPrefix("  ") }.map { String($0.dropFirst(2)) }
            + lines.filter { $0.hasPrefix("or the whole run in one process: ") }.map {
                String($0.dropFirst("or the whole run in one process: ".count))
            }
        XCTAssertEqual(commands.count, 5, r.stderr)
        for command in commands {
            let run = try Self.bash(["-c", command], environment: [:], inherit: true, in: folder.path, timeout: 30)
            XCTAssertEqual(run.status, 0, "\(command): \(run.stderr)")
        }
        let args = try String(contentsOfFile: standIn + ".args", encoding: .utf8).split(separator: "\n")
        let pipeline = folder.file("my runs/p q.yaml")
        // part 1, part 2, merge, shard 1, maps merge, whole run: each names the pipeline as one argument.
        XCTAssertEqual(args.filter { $0 == pipeline }.count, 6, "\(args)")
        XCTAssertTrue(args.contains("--part") && args.contains("2/2") && args.contains("--shard"), "\(args)")
    }

    /// A folder with stand-ins for sbatch, squeue and scancel: sbatch writes its arguments (one a line,
    /// then "---") to sbatch.log and answers ids 101, 102, ... the way --parsable does on a federation.
    func fakeSlurm(in folder: TemporaryDirectory) throws -> String {
        let bin = folder.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let sbatch = """
            #!/bin/sh
            printf '%s\\n' "$@" --- >> "\(folder.file("sbatch.log"))"
            n=$(( $(cat "\(folder.file("counter"))" 2>/dev/null || echo 100) + 1 ))
            echo $n > "\(folder.file("counter"))"
            echo "$n;cluster1"

            """
        for (name, text) in [("sbatch", sbatch), ("squeue", "#!/bin/sh\n"), ("scancel", "#!/bin/sh\n")] {
            try text.write(toFile: "\(bin)/\(name)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(bin)/\(name)")
        }
        return bin
    }

    /// The sbatch calls fake sbatch received, each as its list of arguments.
    func sbatchCalls(_ folder: TemporaryDirectory) throws -> [[String]] {
        let text = try String(contentsOfFile: folder.file("sbatch.log"), encoding: .utf8)
        return text.split(separator: "---\n", omittingEmptySubsequences: true)
            .map { $0.split(separator: "\n").map(String.init) }
    }

    /// The chain: arrays of the right sizes, each job after the one before (afterok), --parsable ids
    /// with a cluster name, the pipeline as an absolute path, the step options after the defaults.
    func testSubmit_chainsTheFourJobsWithAfterokDependencies() throws {
        let folder = try TemporaryDirectory(prefix: "socmap-slurm")
        try "name: x\n".write(toFile: folder.file("p.yaml"), atomically: true, encoding: .utf8)
        let bin = try fakeSlurm(in: folder)
        let r = try Self.bash(
            [Self.submit, "p.yaml", "2", "3"],
            environment: [
                "PATH": "\(bin):/usr/bin:/bin", "SOCMAP": CLI.binary.path, "SOCMAP_SLURM_LOGS": folder.file("logs"),
                "SOCMAP_SLURM_OPTS": "--account=soil", "SOCMAP_SLURM_TRAIN_OPTS": "--cpus-per-task=2 --time=1:00:00"
            ], in: folder.path, timeout: 30)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("jobs: 101 102 103 104"), r.stdout)
        let calls = try sbatchCalls(folder)
        XCTAssertEqual(calls.count, 4, "\(calls)")
        guard calls.count == 4 else { return }
        let pipeline = folder.file("p.yaml")
        let logs = folder.file("logs")
        for call in calls {
            for option in ["--parsable", "--export=ALL", "--kill-on-invalid-dep=yes", "--account=soil"] {
                XCTAssertTrue(call.contains(option), "\(call) lacks \(option)")
            }
        }
        XCTAssertTrue(calls[0].contains("--array=1-2"))
        XCTAssertTrue(calls[0].contains("--output=\(logs)/train-%A_%a.out"), "\(calls[0])")
        XCTAssertEqual(
            Array(calls[0].suffix(5)),
            ["--cpus-per-task=2", "--time=1:00:00", "\(Self.slurm)/train-part.sbatch", pipeline, "2"])
        XCTAssertFalse(calls[0].contains { $0.hasPrefix("--dependency") })
        XCTAssertTrue(calls[1].contains("--dependency=afterok:101"), "\(calls[1])")
        XCTAssertEqual(Array(calls[1].suffix(3)), ["\(Self.slurm)/merge-run.sbatch", pipeline, "--no-maps"])
        XCTAssertTrue(calls[2].contains("--dependency=afterok:102"), "\(calls[2])")
        XCTAssertTrue(calls[2].contains("--array=1-3"))
        XCTAssertEqual(Array(calls[2].suffix(3)), ["\(Self.slurm)/predict-shard.sbatch", pipeline, "3"])
        XCTAssertTrue(calls[3].contains("--dependency=afterok:103"), "\(calls[3])")
        XCTAssertEqual(Array(calls[3].suffix(2)), ["\(Self.slurm)/merge-maps.sbatch", pipeline])
        XCTAssertFalse(
            calls[1...].contains { $0.contains("--cpus-per-task=2") }, "the training options went to other steps")

        // No shards: training and a merge that writes the maps.
        try FileManager.default.removeItem(atPath: folder.file("sbatch.log"))
        let noMaps = try Self.bash(
            [Self.submit, "p.yaml", "1", "0"],
            environment: [
                "PATH": "\(bin):/usr/bin:/bin", "SOCMAP": CLI.binary.path, "SOCMAP_SLURM_LOGS": logs
            ], in: folder.path, timeout: 30)
        XCTAssertEqual(noMaps.status, 0, noMaps.stderr)
        let two = try sbatchCalls(folder)
        XCTAssertEqual(two.count, 2)
        XCTAssertEqual(two.last.map { Array($0.suffix(2)) }, ["\(Self.slurm)/merge-run.sbatch", pipeline])
    }

    func testSubmit_withoutSocmap_namesTheVariableSOCMAP() throws {
        guard !FileManager.default.isExecutableFile(atPath: "/usr/bin/socmap") else {
            throw XCTSkip("socmap is installed in /usr/bin")
        }
        let folder = try TemporaryDirectory(prefix: "socmap-slurm")
        try "name: x\n".write(toFile: folder.file("p.yaml"), atomically: true, encoding: .utf8)
        let bin = try fakeSlurm(in: folder)
        let r = try Self.bash(
            [Self.submit, "p.yaml", "2", "2"], environment: ["PATH": "\(bin):/usr/bin:/bin"],
            inherit: false, in: folder.path, timeout: 30)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(
            r.stderr.contains("socmap not found on PATH: set SOCMAP to the socmap binary's full path"), r.stderr)
        let wrong = try Self.bash(
            [Self.submit, "p.yaml", "2", "2"],
            environment: ["PATH": "\(bin):/usr/bin:/bin", "SOCMAP": "/nonexistent/socmap"],
            inherit: false, in: folder.path, timeout: 30)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("SOCMAP=/nonexistent/socmap is not an executable file"), wrong.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.file("sbatch.log")), "nothing may be submitted")
    }

    // MARK: - On a real cluster

    /// A one-node cluster of slurm/test-cluster.sh in a temporary folder; `stop()` must always follow.
    final class Cluster {
        let folder: TemporaryDirectory
        /// The daemons start recorded (munged, slurmctld, slurmd).
        let daemons: [(name: String, pid: Int32)]
        var conf: String { folder.file("etc/slurm.conf") }
        /// Seconds from start to an idle node.
        let startSeconds: Double

        /// Starts the cluster; a skip (a failure under `make test` and in CI) when not root or
        /// the packages are missing.
        init() throws {
            guard getuid() == 0 else {
                throw missingClient("the Slurm cluster test needs root (slurmd, munged as the user munge)")
            }
            for tool in [
                "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch", "/usr/bin/sinfo"
            ]
            where !FileManager.default.isExecutableFile(atPath: tool) {
                throw missingClient(
                    """
                    \(tool) is missing: Slurm and munge are not installed (apt-get install \
                    slurm-wlm munge, as `make test` does)
                    """
                )
            }
            folder = try TemporaryDirectory(prefix: "socmap-cluster")
            let start = Date()
            let r = try SlurmClusterTests.bash([SlurmClusterTests.clusterScript, "start", folder.path], timeout: 90)
            startSeconds = Date().timeIntervalSince(start)
            // A failed start stops what it started itself.
            guard r.status == 0 else {
                throw NSError(
                    domain: "SlurmClusterTests", code: Int(r.status),
                    userInfo: [NSLocalizedDescriptionKey: "test-cluster.sh start failed: \(r.stdout)\(r.stderr)"])
            }
            let pids = (try? String(contentsOfFile: folder.file("pids"), encoding: .utf8)) ?? ""
            daemons = pids.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                guard fields.count == 2, let pid = Int32(fields[1]) else { return nil }
                return (String(fields[0]), pid)
            }
        }

        /// Whether a process is alive (a zombie, with no command line, is not).
        static func alive(_ pid: Int32) -> Bool {
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return !data.isEmpty
        }

        /// Stops the daemons and checks that none is left.
        func stop(file: StaticString = #filePath, line: UInt = #line) {
            do {
                let r = try SlurmClusterTests.bash([SlurmClusterTests.clusterScript, "stop", folder.path], timeout: 60)
                XCTAssertEqual(r.status, 0, "test-cluster.sh stop: \(r.stderr)", file: file, line: line)
            } catch {
                XCTFail("test-cluster.sh stop: \(error)", file: file, line: line)
            }
            for (name, pid) in daemons {
                XCTAssertFalse(Self.alive(pid), "\(name) (\(pid)) still runs after stop", file: file, line: line)
            }
        }

        /// Runs a shell command with this cluster's SLURM_CONF.
        func shell(_ command: String, timeout: TimeInterval = 30) throws -> CLIResult {
            try SlurmClusterTests.bash(["-c", command], environment: ["SLURM_CONF": conf], timeout: timeout)
        }
    }

    /// The cluster runs a 3-task array, two tasks of 1 CPU at a time on 2 CPUs (where the machine has
    /// at least 2), and stop leaves no daemon.
    func testCluster_runsAnArrayTwoTasksAtATime() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        XCTAssertEqual(cluster.daemons.map { $0.name }, ["munged", "slurmctld", "slurmd"])
        XCTAssertLessThan(cluster.startSeconds, 60)
        let out = cluster.folder.file("array")
        let submit = try cluster.shell(
            """
            set -e
            id=$(sbatch --parsable --array=1-3 --cpus-per-task=1 --output='\(out)-%a.out' \
                --wrap 'echo task $SLURM_ARRAY_TASK_ID on $(hostname); date +%s.%N; sleep 2; date +%s.%N')
            # Until the array has left the queue (sbatch --wait looks only every few seconds).
            for i in $(seq 1 120); do
                [ -z "$(squeue -h -j "${id%%;*}" 2>/dev/null)" ] && exit 0
                sleep 0.5
            done
            echo "array $id still queued after 60 s" >&2; squeue >&2; exit 1
            """, timeout: 90)
        XCTAssertEqual(submit.status, 0, submit.stderr)
        var intervals: [(Double, Double)] = []
        for task in 1...3 {
            let text = try String(contentsOfFile: "\(out)-\(task).out", encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.first?.hasPrefix("task \(task) on ") == true, text)
            let times = lines.dropFirst().compactMap(Double.init)
            XCTAssertEqual(times.count, 2, text)
            if times.count == 2 { intervals.append((times[0], times[1])) }
        }
        // The most tasks running at one moment: at some task's start, how many had started and not ended.
        let most = intervals.map { s in intervals.filter { $0.0 <= s.0 && s.0 < $0.1 }.count }.max() ?? 0
        if ProcessInfo.processInfo.activeProcessorCount >= 2 {
            XCTAssertEqual(
                most, 2, "1-CPU tasks at once on \(ProcessInfo.processInfo.activeProcessorCount) CPUs: \(intervals)")
        }
    }

    /// The whole run as Slurm jobs (2 training parts, merge, 2 prediction shards, maps merge) gives the
    /// bytes of a single-process run: the models, the evaluation and the maps.
    func testSubmit_twoPartsAndTwoShards_giveTheSingleProcessBytes() throws {
        let cluster = try Cluster()
        defer { cluster.stop() }
        let p = try TinyProject()
        try p.editPipeline("  size: 7\n", "  size: 7\n" + OutputFolderTests.quickTraining)
        let logs = p.folder.file("slurm-logs")
        let submitted = try Self.bash(
            [Self.submit, "--wait", p.pipeline, "2", "2"],
            environment: [
                "SLURM_CONF": cluster.conf, "SOCMAP": CLI.binary.path, "SOCMAP_SLURM_LOGS": logs,
                "SOCMAP_SLURM_POLL": "1", "SOCMAP_SLURM_WAIT_TIMEOUT": "100"
            ], in: p.folder.path, timeout: 130)
        let logText = ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).sorted().map { name in
            "== \(name)\n" + ((try? String(contentsOfFile: "\(logs)/\(name)", encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
        XCTAssertEqual(submitted.status, 0, "submit.sh --wait:\n\(submitted.stdout)\(submitted.stderr)\n\(logText)")
        guard submitted.status == 0 else { return }
        XCTAssertTrue(submitted.stderr.contains("all 6 tasks succeeded"), submitted.stderr)

        // The same pipeline file (its hash is in the maps' metadata) in one process, after moving the
        // cluster's outputs to another folder.
        let clusterOut = p.folder.file("cluster-out")
        try FileManager.default.moveItem(atPath: p.output, toPath: clusterOut)
        let single = try CLI.run(["run", p.pipeline, "-q"])
        XCTAssertEqual(single.status, 0, single.stderr)
        for name in ["models", "evaluation", "maps"] {
            let reference = FolderSnapshot(p.folder.file("out/\(name)"))
            XCTAssertFalse(reference.entries.isEmpty, name)
            XCTAssertEqual(FolderSnapshot("\(clusterOut)/\(name)").changes(since: reference), [], name)
        }
    }
}
