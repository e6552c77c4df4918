/// Reading a stack: every channel scaled over a window, or one covariate's raw values.
extension CovariateStack {
    /// Reads every channel over a window (which may extend outside the grid: halo or padding).
    /// Nodata and outside cells take the channel's fill; `valid` is true where every covariate has data.
    ///
    /// `forEach(count, body)` runs `body(i)` for every i in 0..<count, on any threads (e.g.
    /// Compute's `Parallel.forEach`): the files are read in parallel, each file's covariates by one
    /// call, so no GDAL handle is used by two threads at once. The block is the same bits on any
    /// number of threads.
    public func readScaled(
        window: PixelWindow,
        forEach: (_ count: Int, _ body: (Int) -> Void) -> Void = { n, body in for i in 0..<n { body(i) } }
    ) throws -> StackBlock {
        let n = window.cellCount
        var values = [Float](repeating: 0, count: channels.count * n)
        var channelOfCovariate: [Int] = []  // first channel of each covariate
        var next = 0
        for covariate in covariates {
            channelOfCovariate.append(next)
            next += covariate.kind == .continuous ? 1 : covariate.classes.count
        }
        // The covariates of each file, in covariate order.
        var groupOfPath: [String: Int] = [:]
        var groups: [[Int]] = []
        for (k, source) in sources.enumerated() {
            if let g = groupOfPath[source.path] {
                groups[g].append(k)
                continue
            }
            groupOfPath[source.path] = groups.count
            groups.append([k])
        }
        var outcomes = [Result<[Bool], Error>?](repeating: nil, count: covariates.count)
        values.withUnsafeMutableBufferPointer { out in
            outcomes.withUnsafeMutableBufferPointer { outcome in
                // Each call writes only its own covariates' channels and outcomes.
                forEach(groups.count) { g in
                    for k in groups[g] {
                        outcome[k] = Result {
                            try scale(covariate: k, window: window, into: out, channel: channelOfCovariate[k])
                        }
                    }
                }
            }
        }
        var validCount = [UInt8](repeating: 0, count: n)
        for outcome in outcomes {
            let valid = try outcome!.get()
            for i in 0..<n where valid[i] { validCount[i] &+= 1 }
        }
        let all = UInt8(truncatingIfNeeded: covariates.count)
        let valid = validCount.map { $0 == all }
        return StackBlock(
            window: window, channelCount: channels.count, values: values, valid: valid,
            validCount: validCount)
    }

    /// Reads covariate `k` and writes its channels (from `first`) of an n-cell block into `out`:
    /// scaled where valid, the channel's fill elsewhere. Returns where the covariate is valid.
    func scale(
        covariate k: Int, window: PixelWindow, into out: UnsafeMutableBufferPointer<Float>,
        channel first: Int
    ) throws -> [Bool] {
        let n = window.cellCount
        let covariate = covariates[k]
        let width = covariate.kind == .continuous ? 1 : covariate.classes.count
        for c in first..<(first + width) {
            let fill = channels[c].fill
            for i in 0..<n { out[c * n + i] = fill }
        }
        let block = try readRaw(covariate: k, window: window)
        block.values.withUnsafeBufferPointer { raw in
            block.valid.withUnsafeBufferPointer { ok in
                switch covariate.kind {
                case .continuous:
                    let lo = Float(covariate.min)
                    let range = Float(covariate.max - covariate.min)
                    let base = first * n
                    for i in 0..<n where ok[i] {
                        out[base + i] = range > 0 ? (raw[i] - lo) / range : 0.5
                    }
                case .categorical:
                    let lookup = classChannels[k]
                    for i in 0..<n where ok[i] {
                        for c in first..<(first + width) { out[c * n + i] = 0 }
                        if let c = lookup[Int(raw[i])] { out[c * n + i] = 1 }
                    }
                }
            }
        }
        return block.valid
    }

    /// Reads one covariate on the reference grid, unscaled (outside cells invalid).
    public func readRaw(covariate: Int, window: PixelWindow) throws -> RasterBlock {
        precondition(
            covariate >= 0 && covariate < covariates.count,
            "CovariateStack.readRaw: covariate \(covariate) of \(covariates.count)")
        let source = sources[covariate]
        return try source.view.read(band: source.band, window: window)
    }

    /// The index of a covariate by name.
    public func covariateIndex(named name: String) -> Int? {
        covariates.firstIndex { $0.name == name }
    }
}
