// libFuzzer target: arbitrary bytes as a pipeline YAML file, parsed and checked by
// `PipelineConfig.parse(text:file:)` (Yams/libyaml, then our schema). Non-UTF-8 input is
// rejected first, as `PipelineConfig.load(path:)` does. Thrown errors are fine; traps, crashes,
// hangs and leaks are findings. See Fuzz/README.md.
import Configuration
import Foundation
import FuzzSupport
import Pipeline

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = String(data: data.map { Data(bytes: $0, count: size) } ?? Data(), encoding: .utf8) else {
        return 0
    }
    do {
        _ = try PipelineConfig.parse(text: text, file: "/fuzz/pipelines/fuzz.yaml")
    } catch {
        _ = "\(error)"  // renders the line:column snippet a user would see
    }
    return 0
}

runLibFuzzer(fuzz)
