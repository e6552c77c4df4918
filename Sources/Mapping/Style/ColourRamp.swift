/// An 8-bit sRGB colour.
public struct RGB: Sendable, Equatable, Hashable {
    /// Red, 0...255.
    public var red: UInt8
    /// Green, 0...255.
    public var green: UInt8
    /// Blue, 0...255.
    public var blue: UInt8

    /// Creates a colour.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// From 0xRRGGBB.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xff), UInt8((hex >> 8) & 0xff), UInt8(hex & 0xff))
    }

    /// "#rrggbb", as QGIS writes colours in .qml items.
    public var hexString: String {
        "#" + [red, green, blue].map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// "r,g,b,255", as QGIS writes colours in colour-ramp properties.
    public var qgisString: String { "\(red),\(green),\(blue),255" }
}

/// A continuous colour ramp: colours at increasing positions in 0...1, interpolated linearly in sRGB
/// (as QGIS's gradient ramps are).
public struct ColourRamp: Sendable, Equatable {
    /// A colour at a position of the ramp.
    public struct Stop: Sendable, Equatable {
        /// Position in 0...1.
        public var position: Double
        /// The colour there.
        public var colour: RGB

        /// Creates a stop.
        public init(_ position: Double, _ colour: RGB) {
            self.position = position
            self.colour = colour
        }
    }

    /// The ramp's name (ColorBrewer or matplotlib name when it is one).
    public var name: String
    /// Stops, the first at 0 and the last at 1.
    public var stops: [Stop]

    /// Creates a ramp; positions must rise from 0 to 1.
    public init(name: String, stops: [Stop]) {
        precondition(stops.count >= 2, "ColourRamp '\(name)' needs at least two stops")
        precondition(
            stops.first!.position == 0 && stops.last!.position == 1,
            "ColourRamp '\(name)' must start at 0 and end at 1")
        precondition(
            zip(stops, stops.dropFirst()).allSatisfy { $0.position < $1.position },
            "ColourRamp '\(name)': stop positions must rise")
        self.name = name
        self.stops = stops
    }

    /// A ramp of equally spaced colours.
    public init(name: String, colours: [RGB]) {
        precondition(colours.count >= 2, "ColourRamp '\(name)' needs at least two colours")
        let last = Double(colours.count - 1)
        self.init(name: name, stops: colours.enumerated().map { Stop(Double($0.offset) / last, $0.element) })
    }

    /// The colour at `t` (clamped to 0...1).
    public func colour(at t: Double) -> RGB {
        let x = t.isNaN ? 0 : min(1, max(0, t))
        var upper = 1
        while upper < stops.count - 1 && stops[upper].position < x { upper += 1 }
        let a = stops[upper - 1]
        let b = stops[upper]
        let f = (x - a.position) / (b.position - a.position)
        func mix(_ p: UInt8, _ q: UInt8) -> UInt8 { UInt8((Double(p) + (Double(q) - Double(p)) * f).rounded()) }
        return RGB(
            mix(a.colour.red, b.colour.red), mix(a.colour.green, b.colour.green), mix(a.colour.blue, b.colour.blue))
    }

    /// ColorBrewer's 9-class YlOrBr, light yellow (little carbon) to dark brown (much): the default for SOC.
    public static let socDefault = ColourRamp(
        name: "YlOrBr",
        colours: [
            0xffffe5, 0xfff7bc, 0xfee391, 0xfec44f, 0xfe9929, 0xec7014, 0xcc4c02, 0x993404, 0x662506
        ].map(RGB.init(hex:)))

    /// matplotlib's viridis (9 samples), perceptually uniform and colour-blind safe.
    public static let viridis = ColourRamp(
        name: "Viridis",
        colours: [
            0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725
        ].map(RGB.init(hex:)))

    /// ColorBrewer's 9-class BuPu, pale (certain) to purple (uncertain): the default for the CV spread.
    public static let uncertainty = ColourRamp(
        name: "BuPu",
        colours: [
            0xf7fcfd, 0xe0ecf4, 0xbfd3e6, 0x9ebcda, 0x8c96c6, 0x8c6bb1, 0x88419d, 0x810f7c, 0x4d004b
        ].map(RGB.init(hex:)))

    /// Grey (outside) to green (inside the area of applicability), for the AOA mask.
    public static let applicability = ColourRamp(name: "AOA", colours: [RGB(hex: 0xBDBDBD), RGB(hex: 0x1A9850)])

    /// Light grey (no inverted pair) through orange to dark red (every pair inverted), for the depth-inversion counts.
    public static let inversions = ColourRamp(
        name: "Inversions",
        colours: [
            0xf0f0f0, 0xfdae61, 0xf46d43, 0xd73027, 0xa50026
        ].map(RGB.init(hex:)))
}
