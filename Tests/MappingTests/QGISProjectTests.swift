import FileIO
import Foundation
import Mapping
import RasterIO
import TestSupport
import XCTest

final class QGISProjectTests: XCTestCase {
    private func layers(_ maps: [(name: String, title: String)], style: QGISStyle) -> [QGISProject.Layer] {
        maps.map {
            QGISProject.Layer(
                name: $0.name, path: $0.name + ".tif", style: style, stylePath: $0.name + ".qml",
                group: "Soil organic carbon")
        }
    }

    func testQGS_isWellFormedAndNamesEveryLayerWithARelativePath() throws {
        let names = ["soc_0-5cm", "soc_5-15cm", "soc_15-30cm", "soc_30-60cm", "soc_60-100cm", "soc_100-200cm"]
        let style = QGISStyle(range: ValueRange(min: 0, max: 60), unit: "g/kg")
        var list = layers(names.map { ($0, $0) }, style: style)
        list.append(
            QGISProject.Layer(
                name: "soc_0-5cm_sd", path: "uncertainty/soc_0-5cm_sd.tif",
                style: QGISStyle(range: ValueRange(min: 0, max: 5), unit: "g/kg", ramp: .uncertainty),
                group: "CV spread"))
        let grid = try makeTestGrid()
        let text = QGISProject.qgs(layers: list, crs: grid.crs, extent: grid.extent, title: "SOC & friends")
        let root = try XMLNode.parse(text)
        XCTAssertEqual(root.name, "qgis")
        XCTAssertEqual(root.child("title")?.text, "SOC & friends")
        XCTAssertEqual(root.all("Absolute").first?.text, "false", "paths are stored relative")
        XCTAssertEqual(root.child("projectCrs")?.all("authid").first?.text, "EPSG:28355")
        let mapLayers = try XCTUnwrap(root.child("projectlayers")).children
        XCTAssertEqual(mapLayers.map { $0.child("layername")?.text }, names + ["soc_0-5cm_sd"])
        XCTAssertEqual(
            mapLayers.map { $0.child("datasource")?.text },
            names.map { "./\($0).tif" } + ["./uncertainty/soc_0-5cm_sd.tif"])
        XCTAssertTrue(
            mapLayers.allSatisfy { $0.attributes["type"] == "raster" && $0.child("provider")?.text == "gdal" })
        XCTAssertEqual(Set(mapLayers.compactMap { $0.child("id")?.text }).count, 7, "ids are unique")
        let renderers = root.all("rasterrenderer")
        XCTAssertEqual(renderers.count, 7, "every layer carries its style")
        XCTAssertEqual(renderers.first?.attributes["classificationMax"], "60")
        XCTAssertEqual(renderers.last?.attributes["classificationMax"], "5")
        let groups = try XCTUnwrap(root.child("layer-tree-group")).children.filter { $0.name == "layer-tree-group" }
        XCTAssertEqual(groups.map { $0.attributes["name"] }, ["Soil organic carbon", "CV spread"])
        let treeLayers = groups[0].children.filter { $0.name == "layer-tree-layer" }
        XCTAssertEqual(treeLayers.map { $0.attributes["name"] }, names)
        XCTAssertEqual(
            treeLayers.map { $0.attributes["checked"] }, ["Qt::Checked"] + Array(repeating: "Qt::Unchecked", count: 5),
            "one depth shown at a time")
        XCTAssertEqual(root.all("layer").count, 7, "layer order lists every layer")
        let view = try XCTUnwrap(root.all("DefaultViewExtent").first)
        XCTAssertEqual(Double(view.attributes["xmin"] ?? ""), grid.extent.minX)
        XCTAssertEqual(Double(view.attributes["ymax"] ?? ""), grid.extent.maxY)
    }

    func testQGS_opensInQGISWithEveryLayerValidAndStyled() throws {
        let dir = try TemporaryDirectory()
        let maps = try writeDepthMaps(in: dir)
        let grid = try RasterDataset(path: dir.file(maps[0].name + ".tif")).grid()
        let style = QGISStyle(range: ValueRange(min: 0, max: 70), unit: "g/kg")
        let project = dir.file("soc.qgs")
        try AtomicFile.write(
            QGISProject.qgs(
                layers: layers(maps, style: style), crs: grid.crs, extent: grid.extent,
                title: "SOC maps"), to: project)
        let output = try runWithQGIS(
            """
            p = QgsProject.instance()
            check(p.read("\(project)"), "read: " + p.error())
            check(p.title() == "SOC maps", "title " + p.title())
            check(p.crs().authid() == "EPSG:28355", "crs " + p.crs().authid())
            layers = sorted(p.mapLayers().values(), key=lambda l: l.name())
            for l in layers:
                check(l.isValid(), "invalid layer " + l.name())
                check(os.path.exists(l.source()), "missing source " + l.source())
                r = l.renderer()
                check(r.type() == "singlebandpseudocolor", l.name() + " renderer " + r.type())
                check(r.classificationMax() == 70, l.name() + " max %s" % r.classificationMax())
            group = p.layerTreeRoot().findGroup("Soil organic carbon")
            check(group is not None and group.isMutuallyExclusive(), "mutually exclusive group")
            visible = [n.name() for n in group.findLayers() if n.isVisible()]
            e = p.viewSettings().defaultViewExtent()
            print("layers", len(layers), "visible", ",".join(visible), \
            "extent %.0f %.0f" % (e.xMinimum(), e.yMaximum()))
            """)
        XCTAssertTrue(
            output.contains("layers 6 visible soc_0-5cm extent \(Int(grid.extent.minX)) \(Int(grid.extent.maxY))"),
            output)
    }
}
