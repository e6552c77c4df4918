/// Map values turned into picture cells: fitting to a size and colouring through a ramp.
enum MapPicture {
    /// Fits a row-major array (NaN = nodata) into `maxWidth` x `maxHeight`: enlarged by a whole
    /// factor (nearest) when it is small, shrunk by box averaging of valid cells when it is large
    /// (a picture cell is nodata when fewer than half its cells are valid).
    static func fit(
        _ values: [Float], width: Int, height: Int, maxWidth: Int, maxHeight: Int
    )
        -> (values: [Float], width: Int, height: Int)
    {
        precondition(values.count == width * height, "MapPicture.fit: \(values.count) values for \(width) x \(height)")
        if width <= maxWidth && height <= maxHeight {
            let k = max(1, min(maxWidth / width, maxHeight / height))
            guard k > 1 else { return (values, width, height) }
            var out = [Float](repeating: .nan, count: width * k * height * k)
            for row in 0..<(height * k) {
                for col in 0..<(width * k) { out[row * width * k + col] = values[(row / k) * width + col / k] }
            }
            return (out, width * k, height * k)
        }
        let f = max(Double(width) / Double(maxWidth), Double(height) / Double(maxHeight))
        let outW = max(1, min(maxWidth, Int((Double(width) / f).rounded())))
        let outH = max(1, min(maxHeight, Int((Double(height) / f).rounded())))
        var out = [Float](repeating: .nan, count: outW * outH)
        values.withUnsafeBufferPointer { v in
            for r in 0..<outH {
                let r0 = r * height / outH
                let r1 = max(r0 + 1, (r + 1) * height / outH)
                for c in 0..<outW {
                    let c0 = c * width / outW
                    let c1 = max(c0 + 1, (c + 1) * width / outW)
                    var sum = 0.0
                    var valid = 0
                    for rr in r0..<r1 {
                        for cc in c0..<c1 where v[rr * width + cc].isFinite {
                            sum += Double(v[rr * width + cc])
                            valid += 1
                        }
                    }
                    if valid * 2 >= (r1 - r0) * (c1 - c0) { out[r * outW + c] = Float(sum / Double(valid)) }
                }
            }
        }
        return (out, outW, outH)
    }

    /// Ramp colours for values (nil for NaN), values beyond the range in the end colours.
    static func colours(_ values: [Float], range: ValueRange, ramp: ColourRamp) -> [RGB?] {
        // A 1024-entry lookup table keeps large pictures cheap.
        let table = (0..<1024).map { ramp.colour(at: Double($0) / 1023) }
        let span = range.max - range.min
        return values.map { v -> RGB? in
            guard v.isFinite else { return nil }
            let t = min(1, max(0, (Double(v) - range.min) / span))
            return table[Int((t * 1023).rounded())]
        }
    }
}
