// libFuzzer target: arbitrary bytes as a horizons table (columns site_id, top_cm, bottom_cm,
// soc_gkg as in sample-data/horizons.csv), loaded by `loadHorizons` and harmonised to the six
// standard depths with the equal-area spline by `harmonise`. Thrown errors are fine; traps,
// crashes, hangs and leaks are findings. See Fuzz/README.md.
import Foundation
import FuzzSupport
import SoilData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let columns = HorizonColumns(id: "site_id", top: "top_cm", bottom: "bottom_cm", value: "soc_gkg")
    let path = FuzzInputFile.write(data, size, name: "horizons.csv")
    do {
        let (horizons, issues0) = try loadHorizons(path: path, columns: columns)
        var issues = issues0
        let profiles = harmonise(horizons, depths: DepthInterval.standard, source: path, issues: &issues)
        for p in profiles {
            precondition(p.values.count == DepthInterval.standard.count, "one value per depth")
            for case let v? in p.values { precondition(v.isFinite, "harmonised values are finite") }
        }
        _ = issues.summary()
    } catch {
        _ = "\(error)"
    }
    return 0
}

runLibFuzzer(fuzz)
