import TextFormat

/// Classes of relative bias (predicted - observed) / observed for held-out sites, diverging about 0
/// like the paper's Figs. 11-12: blue where a model under-predicts, red where it over-predicts,
/// near-white within a factor of 1.1. The bounds are symmetric on the ratio's log scale (a factor of
/// 1.1, 4/3 and 2 either way: -9 % mirrors +10 %, -25 % +33 %, -50 % +100 %), so that a model without
/// mean error on a skewed property, whose over-predictions reach further in percent than its
/// under-predictions can, does not read as red. The GeoPackage's QGIS style (`qml(field:)`, a graduated renderer on a
/// `rbias_<model>` field) and the relative-bias quick-look share them. Sites whose observation is 0
/// have no relative bias (NULL) and are not drawn.
public enum RelativeBiasStyle {
    /// One class: values in [lower, upper), its legend label and colour.
    public struct Class: Sendable, Equatable {
        /// Lower bound (inclusive); the first class is open below.
        public var lower: Double
        /// Upper bound (exclusive); the last class is open above.
        public var upper: Double
        /// The legend label, e.g. "-25 to -10 %".
        public var label: String
        /// The colour.
        public var colour: RGB
    }

    /// The bound written for the open ends (QGIS ranges need numbers).
    static let openEnd = 1e12

    /// The seven classes, symmetric about a ratio of 1 on the log scale (RdBu, ColorBrewer): half or
    /// less, -50 to -25 %, -25 to -9 %, -9 to +10 %, +10 to +33 %, +33 to +100 %, double or more.
    public static let classes: [Class] = [
        Class(lower: -openEnd, upper: -0.5, label: "half or less (-50 % and below)", colour: RGB(33, 102, 172)),
        Class(lower: -0.5, upper: -0.25, label: "-50 to -25 %", colour: RGB(103, 169, 207)),
        Class(lower: -0.25, upper: -1.0 / 11, label: "-25 to -9 %", colour: RGB(209, 229, 240)),
        Class(lower: -1.0 / 11, upper: 0.1, label: "-9 to +10 % (within a factor of 1.1)", colour: RGB(247, 247, 247)),
        Class(lower: 0.1, upper: 1.0 / 3, label: "+10 to +33 %", colour: RGB(253, 219, 199)),
        Class(lower: 1.0 / 3, upper: 1, label: "+33 to +100 %", colour: RGB(239, 138, 98)),
        Class(lower: 1, upper: openEnd, label: "double or more (+100 % and above)", colour: RGB(178, 24, 43))
    ]

    /// The class of a relative bias, nil for NaN.
    public static func classIndex(_ value: Double) -> Int? {
        guard !value.isNaN else { return nil }
        for (i, c) in classes.enumerated() where value < c.upper { return i }
        return classes.count - 1
    }

    /// The .qml of a point layer: a graduated renderer on `field` (e.g. "rbias_transfer") with the classes above.
    public static func qml(field: String) -> String {
        var xml = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        xml += "<qgis version=\"\(QGISStyle.qgisVersion)\" styleCategories=\"Symbology\">\n"
        xml += rendererXML(field: field, indent: "  ")
        xml += "  <layerGeometryType>0</layerGeometryType>\n"
        xml += "</qgis>\n"
        return xml
    }

    /// The `<renderer-v2>` element, indented by `indent` (also embedded in the QGIS project).
    static func rendererXML(field: String, indent: String) -> String {
        let i1 = indent
        let i2 = indent + "  "
        let i3 = i2 + "  "
        var x = """
            \(i1)<renderer-v2 type="graduatedSymbol" attr="\(XMLText.escape(field))" graduatedMethod="GraduatedColor" \
            symbollevels="0" forceraster="0" enableorderby="0" referencescale="-1">\n
            """
        x += "\(i2)<ranges>\n"
        for (i, c) in classes.enumerated() {
            x += """
                \(i3)<range lower="\(NumberText.significant(c.lower, 12))" \
                upper="\(NumberText.significant(c.upper, 12))" symbol="\(i)" \
                label="\(XMLText.escape(c.label))" render="true"/>\n
                """
        }
        x += "\(i2)</ranges>\n"
        x += "\(i2)<symbols>\n"
        for (i, c) in classes.enumerated() { x += markerXML(name: String(i), colour: c.colour, indent: i3) }
        x += "\(i2)</symbols>\n"
        x +=
            "\(i2)<source-symbol>\n" + markerXML(name: "0", colour: RGB(247, 247, 247), indent: i3)
            + "\(i2)</source-symbol>\n"
        x += "\(i2)<mode name=\"manual\"/>\n"
        x += "\(i2)<symmetricMode enabled=\"false\" symmetryPoint=\"0\" astride=\"false\"/>\n"
        x += "\(i2)<rotation/>\n\(i2)<sizescale/>\n"
        x += "\(i2)<labelformat format=\"%1 - %2\" decimalplaces=\"2\" trimtrailingzeroes=\"false\"/>\n"
        x += "\(i1)</renderer-v2>\n"
        return x
    }

    private static func markerXML(name: String, colour: RGB, indent: String) -> String {
        let i1 = indent
        let i2 = indent + "  "
        let i3 = i2 + "  "
        let i4 = i3 + "  "
        let rgba = "\(colour.red),\(colour.green),\(colour.blue),255"
        var x = "\(i1)<symbol type=\"marker\" name=\"\(name)\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
        x += "\(i2)<layer class=\"SimpleMarker\" pass=\"0\" locked=\"0\" enabled=\"1\">\n"
        x += "\(i3)<Option type=\"Map\">\n"
        for (key, value) in [
            ("angle", "0"), ("color", rgba), ("joinstyle", "bevel"), ("name", "circle"),
            ("outline_color", "60,60,60,255"), ("outline_style", "solid"), ("outline_width", "0.2"),
            ("outline_width_unit", "MM"), ("scale_method", "diameter"), ("size", "2.4"), ("size_unit", "MM")
        ] {
            x += "\(i4)<Option type=\"QString\" name=\"\(key)\" value=\"\(value)\"/>\n"
        }
        x += "\(i3)</Option>\n"
        x += "\(i2)</layer>\n"
        x += "\(i1)</symbol>\n"
        return x
    }
}
