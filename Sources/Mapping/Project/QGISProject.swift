import RasterIO
import TextFormat

/// A QGIS 3 project (.qgs) that opens map layers by relative path, each with its style embedded,
/// in groups of the layer tree, with the project CRS and the initial view set.
public enum QGISProject {
    /// One raster layer of the project.
    public struct Layer: Sendable, Equatable {
        /// The name in the layer tree, e.g. "soc_0-5cm".
        public var name: String
        /// The raster's path relative to the project file, e.g. "soc_0-5cm.tif".
        public var path: String
        /// The style (embedded in the project: QGIS reads styles from the project, not from .qml files).
        public var style: QGISStyle
        /// The .qml beside the raster, relative to the project (recorded as a custom layer property), if any.
        public var stylePath: String?
        /// The layer-tree group holding the layer, e.g. "Soil organic carbon"; "" for the top level.
        public var group: String

        /// Creates a layer.
        public init(name: String, path: String, style: QGISStyle, stylePath: String? = nil, group: String = "") {
            precondition(
                !path.hasPrefix("/"), "QGISProject.Layer '\(name)': path '\(path)' must be relative to the project")
            self.name = name
            self.path = path
            self.style = style
            self.stylePath = stylePath
            self.group = group
        }
    }

    /// A point layer of a GeoPackage (in the project's CRS), drawn with `RelativeBiasStyle` on `field`.
    public struct PointLayer: Sendable, Equatable {
        /// The name in the layer tree, e.g. "heldout_0-5cm".
        public var name: String
        /// The GeoPackage's path relative to the project file, e.g. "../evaluation/heldout_sites.gpkg".
        public var path: String
        /// The layer inside the GeoPackage.
        public var layer: String
        /// The field the graduated style classifies, e.g. "rbias_transfer".
        public var field: String
        /// The .qml beside the GeoPackage, relative to the project (a custom layer property), if any.
        public var stylePath: String?
        /// The layer-tree group, e.g. "Held-out sites: relative bias of transfer".
        public var group: String

        /// Makes a point layer.
        public init(name: String, path: String, layer: String, field: String, stylePath: String? = nil, group: String) {
            precondition(
                !path.hasPrefix("/"), "QGISProject.PointLayer '\(name)': path '\(path)' must be relative to the project"
            )
            self.name = name
            self.path = path
            self.layer = layer
            self.field = field
            self.stylePath = stylePath
            self.group = group
        }

        /// The OGR data source: "<path>|layername=<layer>".
        var source: String { relativeSource(path) + "|layername=" + layer }
    }

    /// The .qgs document. `extent` (in `crs`) is the initial view. Within each group only the first
    /// layer is switched on and the group is mutually exclusive (one depth shown at a time); groups
    /// and layers keep the order given, the first on top; `points` come first, above the maps.
    public static func qgs(
        layers: [Layer], points: [PointLayer] = [], crs: CRS, extent: Extent, title: String
    ) -> String {
        precondition(!layers.isEmpty, "QGISProject.qgs needs at least one layer")
        let ids = layerIDs(layers)
        let pointIDs = points.enumerated().map { "\(idBase($0.element.name))_points_\($0.offset + 1)" }
        let srs = spatialRefSys(crs, indent: "    ")
        var x = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        x += "<qgis version=\"\(QGISStyle.qgisVersion)\" projectname=\"\(XMLText.escape(title))\">\n"
        x += "  <homePath path=\"\"/>\n"
        x += "  <title>\(XMLText.escape(title))</title>\n"
        x += "  <autotransaction active=\"0\"/>\n  <evaluateDefaultValues active=\"0\"/>\n  <trust active=\"0\"/>\n"
        x += "  <projectCrs>\n" + srs + "  </projectCrs>\n"
        x += layerTree(layers, ids: ids, points: points, pointIDs: pointIDs)
        x += "  <relations/>\n"
        x += mapCanvas(crs: crs, extent: extent)
        x += "  <projectlayers>\n"
        for (layer, id) in zip(points, pointIDs) { x += pointLayer(layer, id: id, crs: crs, extent: extent) }
        for (layer, id) in zip(layers, ids) { x += mapLayer(layer, id: id, crs: crs, extent: extent) }
        x += "  </projectlayers>\n"
        x += "  <layerorder>\n"
        for id in pointIDs + ids { x += "    <layer id=\"\(id)\"/>\n" }
        x += "  </layerorder>\n"
        x += "  <properties>\n"
        x += "    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
        x +=
            "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n    </SpatialRefSys>\n"
        x += "  </properties>\n"
        x += "  <visibility-presets/>\n  <transformContext/>\n"
        x += "  <projectMetadata>\n    <identifier></identifier>\n    <parentidentifier></parentidentifier>\n"
        x += """
                <language></language>
                <type></type>
                <title>\(XMLText.escape(title))</title>
                <abstract></abstract>
                <links/>
              </projectMetadata>\n
            """
        x += "  <ProjectViewSettings UseProjectScales=\"0\" rotation=\"0\">\n    <Scales/>\n"
        x +=
            "    <DefaultViewExtent \(extentAttributes(extent))>\n" + spatialRefSys(crs, indent: "      ")
            + "    </DefaultViewExtent>\n"
        x += "  </ProjectViewSettings>\n"
        x += "</qgis>\n"
        return x
    }

    /// Layer ids: the name reduced to [A-Za-z0-9_] plus the layer's position, unique and stable.
    static func layerIDs(_ layers: [Layer]) -> [String] {
        layers.enumerated().map { index, layer in "\(idBase(layer.name))_\(index + 1)" }
    }

    /// A layer name reduced to [A-Za-z0-9_] ("layer" when nothing is left).
    static func idBase(_ name: String) -> String {
        let cleaned = String(
            name.unicodeScalars.map { scalar -> Character in
                let c = Character(scalar)
                return (c.isASCII && (c.isLetter || c.isNumber)) ? c : "_"
            })
        return cleaned.isEmpty ? "layer" : cleaned
    }

    /// Groups in order of first appearance, each with its layers' indices.
    private static func groups(_ layers: [Layer]) -> [(name: String, members: [Int])] {
        var result: [(name: String, members: [Int])] = []
        for (i, layer) in layers.enumerated() {
            if let g = result.firstIndex(where: { $0.name == layer.group }) {
                result[g].members.append(i)
            } else {
                result.append((layer.group, [i]))
            }
        }
        return result
    }

    /// One layer of the project's layer tree.
    private static func treeLayerXML(
        id: String, name: String, source: String, provider: String, checked: Bool, indent: String
    ) -> String {
        """
        \(indent)<layer-tree-layer id="\(id)" name="\(XMLText.escape(name))" \
        source="\(XMLText.escape(source))" providerKey="\(provider)" \
        checked="\(checked ? "Qt::Checked" : "Qt::Unchecked")" expanded="1" legend_exp="">
        \(indent)  <customproperties>
        \(indent)    <Option/>
        \(indent)  </customproperties>
        \(indent)</layer-tree-layer>\n
        """
    }

    private static func layerTree(_ layers: [Layer], ids: [String], points: [PointLayer], pointIDs: [String]) -> String
    {
        func treeLayer(_ i: Int, checked: Bool, indent: String) -> String {
            treeLayerXML(
                id: ids[i], name: layers[i].name, source: relativeSource(layers[i].path), provider: "gdal",
                checked: checked, indent: indent)
        }
        var x = "  <layer-tree-group>\n    <customproperties>\n      <Option/>\n    </customproperties>\n"
        var pointGroups: [String] = []
        for p in points where !pointGroups.contains(p.group) { pointGroups.append(p.group) }
        for group in pointGroups {
            x += """
                    <layer-tree-group name="\(XMLText.escape(group))" checked="Qt::Checked" expanded="1" \
                mutually-exclusive="1" mutually-exclusive-child="0">\n
                """
            x += "      <customproperties>\n        <Option/>\n      </customproperties>\n"
            for (k, i) in points.indices.filter({ points[$0].group == group }).enumerated() {
                x += treeLayerXML(
                    id: pointIDs[i], name: points[i].name, source: points[i].source, provider: "ogr", checked: k == 0,
                    indent: "      ")
            }
            x += "    </layer-tree-group>\n"
        }
        for group in groups(layers) {
            if group.name.isEmpty {
                for i in group.members { x += treeLayer(i, checked: true, indent: "    ") }
            } else {
                x += """
                        <layer-tree-group name="\(XMLText.escape(group.name))" checked="Qt::Checked" expanded="1" \
                    mutually-exclusive="1" mutually-exclusive-child="0">\n
                    """
                x += "      <customproperties>\n        <Option/>\n      </customproperties>\n"
                for (k, i) in group.members.enumerated() { x += treeLayer(i, checked: k == 0, indent: "      ") }
                x += "    </layer-tree-group>\n"
            }
        }
        x += "    <custom-order enabled=\"0\">\n"
        for id in pointIDs + ids { x += "      <item>\(id)</item>\n" }
        x += "    </custom-order>\n"
        x += "  </layer-tree-group>\n"
        return x
    }

    private static func mapLayer(_ layer: Layer, id: String, crs: CRS, extent: Extent) -> String {
        var x = """
                <maplayer type="raster" hasScaleBasedVisibilityFlag="0" maxScale="0" minScale="1e+08" \
            styleCategories="AllStyleCategories" autoRefreshEnabled="0" autoRefreshTime="0" refreshOnNotifyEnabled="0" \
            refreshOnNotifyMessage="" legendPlaceholderImage="">\n
            """
        x += layerIdentity(extent: extent, id: id, source: relativeSource(layer.path), name: layer.name, crs: crs)
        x += "      <provider>gdal</provider>\n"
        x +=
            "      <noData>\n        <noDataList bandNo=\"\(layer.style.band)\" useSrcNoData=\"1\"/>\n      </noData>\n"
        x += layerProperties(
            stylePath: layer.stylePath,
            options: ["          <Option type=\"QString\" name=\"identify/format\" value=\"Value\"/>\n"])
        x += layer.style.pipeXML(indent: "      ")
        x += "      <blendMode>0</blendMode>\n"
        x += "    </maplayer>\n"
        return x
    }

    /// A layer's extent, id, data source, name and CRS elements (raster and vector layers alike).
    private static func layerIdentity(extent: Extent, id: String, source: String, name: String, crs: CRS) -> String {
        var x = "      <extent>\n" + extentElements(extent, indent: "        ") + "      </extent>\n"
        x += "      <id>\(id)</id>\n"
        x += "      <datasource>\(XMLText.escape(source))</datasource>\n"
        x += "      <layername>\(XMLText.escape(name))</layername>\n"
        x += "      <srs>\n" + spatialRefSys(crs, indent: "        ") + "      </srs>\n"
        return x
    }

    /// A layer's style manager, flags and custom properties: `options` first, then the path of its
    /// .qml style when it has one.
    private static func layerProperties(stylePath: String?, options: [String]) -> String {
        var x = """
                  <map-layer-style-manager current="default">
                    <map-layer-style name="default"/>
                  </map-layer-style-manager>\n
            """
        x += QGISStyle.layerFlags(indent: "      ")
        x += "      <customproperties>\n        <Option type=\"Map\">\n"
        x += options.joined()
        if let stylePath {
            x += """
                          <Option type="QString" name="socmap/style" \
                value="\(XMLText.escape(relativeSource(stylePath)))"/>\n
                """
        }
        x += "        </Option>\n      </customproperties>\n"
        return x
    }

    private static func pointLayer(_ layer: PointLayer, id: String, crs: CRS, extent: Extent) -> String {
        var x = """
                <maplayer type="vector" geometry="Point" wkbType="Point" hasScaleBasedVisibilityFlag="0" \
            maxScale="0" minScale="1e+08" styleCategories="AllStyleCategories" autoRefreshEnabled="0" \
            autoRefreshTime="0" refreshOnNotifyEnabled="0" refreshOnNotifyMessage="" readOnly="0" \
            simplifyAlgorithm="0" simplifyDrawingHints="0" simplifyDrawingTol="1" simplifyLocal="1" \
            simplifyMaxScale="1" labelsEnabled="0" symbologyReferenceScale="-1">\n
            """
        x += layerIdentity(extent: extent, id: id, source: layer.source, name: layer.name, crs: crs)
        x += "      <provider encoding=\"UTF-8\">ogr</provider>\n"
        x += layerProperties(stylePath: layer.stylePath, options: [])
        x += RelativeBiasStyle.rendererXML(field: layer.field, indent: "      ")
        x += """
                  <blendMode>0</blendMode>
                  <featureBlendMode>0</featureBlendMode>
                  <layerOpacity>1</layerOpacity>\n
            """
        x += "    </maplayer>\n"
        return x
    }

    private static func mapCanvas(crs: CRS, extent: Extent) -> String {
        var x = "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n"
        x += "    <units>\(crs.isGeographic ? "degrees" : "meters")</units>\n"
        x += "    <extent>\n" + extentElements(extent, indent: "      ") + "    </extent>\n"
        x += "    <rotation>0</rotation>\n"
        x += "    <destinationsrs>\n" + spatialRefSys(crs, indent: "      ") + "    </destinationsrs>\n"
        x += "    <rendermaptile>0</rendermaptile>\n"
        x += "  </mapcanvas>\n"
        return x
    }

    /// "./name.tif" for a plain relative path, as QGIS writes relative sources.
    static func relativeSource(_ path: String) -> String {
        path.hasPrefix("./") || path.hasPrefix("../") ? path : "./" + path
    }

    private static func spatialRefSys(_ crs: CRS, indent: String) -> String {
        var x = "\(indent)<spatialrefsys>\n"
        x += "\(indent)  <wkt>\(XMLText.escape(crs.wkt))</wkt>\n"
        x += "\(indent)  <proj4>\(XMLText.escape(crs.projString ?? ""))</proj4>\n"
        if let epsg = crs.epsg {
            x += "\(indent)  <srid>\(epsg)</srid>\n\(indent)  <authid>EPSG:\(epsg)</authid>\n"
        }
        x += "\(indent)  <description>\(XMLText.escape(crs.name))</description>\n"
        x += "\(indent)  <geographicflag>\(crs.isGeographic ? "true" : "false")</geographicflag>\n"
        x += "\(indent)</spatialrefsys>\n"
        return x
    }

    private static func extentElements(_ e: Extent, indent: String) -> String {
        [("xmin", e.minX), ("ymin", e.minY), ("xmax", e.maxX), ("ymax", e.maxY)]
            .map { "\(indent)<\($0.0)>\(NumberText.significant($0.1, 15))</\($0.0)>\n" }.joined()
    }

    private static func extentAttributes(_ e: Extent) -> String {
        """
        xmin="\(NumberText.significant(e.minX, 15))" ymin="\(NumberText.significant(e.minY, 15))" \
        xmax="\(NumberText.significant(e.maxX, 15))" ymax="\(NumberText.significant(e.maxY, 15))"
        """
    }
}
