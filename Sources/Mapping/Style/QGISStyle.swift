import TextFormat

/// A QGIS 3 raster style: singleband pseudocolour with an interpolated colour ramp over a fixed
/// range (so the six depth maps share one), values beyond the range in the end colours, nodata
/// transparent. Renders as a .qml file or as the `<pipe>` of a layer in a project.
public struct QGISStyle: Sendable, Equatable {
    /// The flags block QGIS writes for a layer (identifiable, removable, searchable, not private), each line
    /// starting with `indent`: one text for the styles and the project.
    static func layerFlags(indent: String) -> String {
        let lines = [
            "<flags>", "  <Identifiable>1</Identifiable>", "  <Removable>1</Removable>", "  <Searchable>1</Searchable>",
            "  <Private>0</Private>", "</flags>"
        ]
        return lines.map { indent + $0 + "\n" }.joined()
    }

    /// The value range the ramp spans.
    public var range: ValueRange
    /// The unit shown after legend labels, e.g. "g/kg".
    public var unit: String
    /// The colour ramp.
    public var ramp: ColourRamp
    /// Number of colour-ramp items written (equally spaced over the range, at least 2).
    public var classes: Int
    /// The band rendered (1-based).
    public var band: Int

    /// The QGIS version written into files: the oldest we checked them against (QGIS upgrades older files silently).
    public static let qgisVersion = "3.22.16-Białowieża"

    /// Creates a style.
    public init(range: ValueRange, unit: String, ramp: ColourRamp = .socDefault, classes: Int = 9, band: Int = 1) {
        precondition(classes >= 2, "QGISStyle: classes \(classes) must be at least 2")
        precondition(band >= 1, "QGISStyle: band \(band) must be 1-based")
        self.range = range
        self.unit = unit
        self.ramp = ramp
        self.classes = classes
        self.band = band
    }

    /// A .qml file for a single-band map: `min`...`max` spread over `ramp` in `classes` items.
    public static func qml(
        min: Double, max: Double, unit: String, ramp: ColourRamp = .socDefault, classes: Int = 9
    ) -> String {
        QGISStyle(range: ValueRange(min: min, max: max), unit: unit, ramp: ramp, classes: classes).qml
    }

    /// The whole .qml document (QGIS 3 "Save Style" layout, all style categories).
    public var qml: String {
        var xml = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        xml += """
            <qgis version="\(Self.qgisVersion)" styleCategories="AllStyleCategories" \
            hasScaleBasedVisibilityFlag="0" maxScale="0" minScale="1e+08">\n
            """
        xml += Self.layerFlags(indent: "  ")
        xml += """
              <customproperties>
                <Option type="Map">
                  <Option type="QString" name="identify/format" value="Value"/>
                </Option>
              </customproperties>\n
            """
        xml += pipeXML(indent: "  ")
        xml += "  <blendMode>0</blendMode>\n"
        xml += "</qgis>\n"
        return xml
    }

    /// The colour-ramp items: (value, colour) equally spaced from min to max.
    public var items: [(value: Double, colour: RGB)] {
        (0..<classes).map { i in
            let t = Double(i) / Double(classes - 1)
            return (range.min + t * (range.max - range.min), ramp.colour(at: t))
        }
    }

    /// The layer's `<pipe>` element (renderer, brightness, hue, resampler), indented by `indent`.
    func pipeXML(indent: String) -> String {
        let i1 = indent
        let i2 = indent + "  "
        let i3 = i2 + "  "
        let i4 = i3 + "  "
        let i5 = i4 + "  "
        let i6 = i5 + "  "
        let lo = NumberText.significant(range.min, 10)
        let hi = NumberText.significant(range.max, 10)
        let suffix = unit.isEmpty ? "" : " " + unit
        var x = "\(i1)<pipe>\n"
        x += """
            \(i2)<provider>
            \(i3)<resampling enabled="false" zoomedInResamplingMethod="nearestNeighbour" \
            zoomedOutResamplingMethod="nearestNeighbour" maxOversampling="2"/>
            \(i2)</provider>\n
            """
        x += """
            \(i2)<rasterrenderer type="singlebandpseudocolor" band="\(band)" opacity="1" alphaBand="-1" nodataColor="" \
            classificationMin="\(lo)" classificationMax="\(hi)">\n
            """
        x += "\(i3)<rasterTransparency/>\n"
        x += "\(i3)<minMaxOrigin>\n"
        x += """
            \(i4)<limits>None</limits>
            \(i4)<extent>WholeRaster</extent>
            \(i4)<statAccuracy>Estimated</statAccuracy>\n
            """
        x += """
            \(i4)<cumulativeCutLower>0.02</cumulativeCutLower>
            \(i4)<cumulativeCutUpper>0.98</cumulativeCutUpper>
            \(i4)<stdDevFactor>2</stdDevFactor>\n
            """
        x += "\(i3)</minMaxOrigin>\n"
        x += "\(i3)<rastershader>\n"
        x += """
            \(i4)<colorrampshader colorRampType="INTERPOLATED" classificationMode="2" clip="0" minimumValue="\(lo)" \
            maximumValue="\(hi)" labelPrecision="\(labelPrecision)">\n
            """
        let first = ramp.stops.first!.colour
        let last = ramp.stops.last!.colour
        let inner = ramp.stops.dropFirst().dropLast()
            .map { "\(NumberText.significant($0.position, 6));\($0.colour.qgisString)" }.joined(separator: ":")
        let props: [(String, String)] =
            [
                ("color1", first.qgisString), ("color2", last.qgisString), ("discrete", "0"), ("rampType", "gradient")
            ] + (inner.isEmpty ? [] : [("stops", inner)])
        x += "\(i5)<colorramp type=\"gradient\" name=\"[source]\">\n"
        x += "\(i6)<Option type=\"Map\">\n"
        for (k, v) in props { x += "\(i6)  <Option type=\"QString\" name=\"\(k)\" value=\"\(XMLText.escape(v))\"/>\n" }
        x += "\(i6)</Option>\n"
        for (k, v) in props { x += "\(i6)<prop k=\"\(k)\" v=\"\(XMLText.escape(v))\"/>\n" }
        x += "\(i5)</colorramp>\n"
        for item in items {
            let value = NumberText.significant(item.value, 10)
            let label = NumberText.significant(item.value, 4)
            x += """
                \(i5)<item alpha="255" color="\(item.colour.hexString)" value="\(value)" \
                label="\(XMLText.escape(label))"/>\n
                """
        }
        x += """
            \(i5)<rampLegendSettings prefix="" suffix="\(XMLText.escape(suffix))" minimumLabel="" maximumLabel="" \
            orientation="2" direction="0" useContinuousLegend="1">\n
            """
        x += "\(i6)<numericFormat id=\"basic\">\n"
        x += "\(i6)  <Option type=\"Map\">\n"
        x += "\(i6)    <Option type=\"QChar\" name=\"decimal_separator\" value=\"\"/>\n"
        x += "\(i6)    <Option type=\"int\" name=\"decimals\" value=\"\(labelPrecision)\"/>\n"
        x += "\(i6)    <Option type=\"int\" name=\"rounding_type\" value=\"0\"/>\n"
        x += "\(i6)    <Option type=\"bool\" name=\"show_plus\" value=\"false\"/>\n"
        x += "\(i6)    <Option type=\"bool\" name=\"show_thousand_separator\" value=\"true\"/>\n"
        x += "\(i6)    <Option type=\"bool\" name=\"show_trailing_zeros\" value=\"false\"/>\n"
        x += "\(i6)    <Option type=\"QChar\" name=\"thousand_separator\" value=\"\"/>\n"
        x += "\(i6)  </Option>\n"
        x += "\(i6)</numericFormat>\n"
        x += "\(i5)</rampLegendSettings>\n"
        x += "\(i4)</colorrampshader>\n"
        x += "\(i3)</rastershader>\n"
        x += "\(i2)</rasterrenderer>\n"
        x += "\(i2)<brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
        x += """
            \(i2)<huesaturation saturation="0" grayscaleMode="0" invertColors="0" colorizeOn="0" colorizeRed="255" \
            colorizeGreen="128" colorizeBlue="128" colorizeStrength="100"/>\n
            """
        x += "\(i2)<rasterresampler maxOversampling=\"2\"/>\n"
        x += "\(i2)<resamplingStage>resamplingFilter</resamplingStage>\n"
        x += "\(i1)</pipe>\n"
        return x
    }

    /// Decimals for legend labels: enough to tell the items apart.
    private var labelPrecision: Int {
        let step = (range.max - range.min) / Double(classes - 1)
        return step >= 10 ? 0 : step >= 1 ? 1 : step >= 0.1 ? 2 : 4
    }
}
