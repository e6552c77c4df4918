import CGDAL

/// Reading band metadata and windows from a dataset handle (shared by RasterDataset and WarpedRaster).
extension DatasetHandle {
    /// Nodata, description, unit, type and classes of a 1-based band.
    func bandInfo(_ index: Int) throws -> BandInfo {
        let band = try self.band(index)
        return gdalQuietly { bandInfo(index, band) }
    }

    private func bandInfo(_ index: Int, _ band: GDALRasterBandH) -> BandInfo {
        var hasNodata: Int32 = 0
        let nodataValue = GDALGetRasterNoDataValue(band, &hasNodata)
        let names = CStringList.strings(GDALGetRasterCategoryNames(band))
        let categoryNames = names.contains(where: { !$0.isEmpty }) ? names : nil
        var table = Self.attributeTable(GDALGetDefaultRAT(band))
        if table == nil, let categoryNames {
            table = [:]
            for (value, name) in categoryNames.enumerated() where !name.isEmpty { table![value] = name }
        }
        return BandInfo(
            index: index,
            nodata: hasNodata != 0 ? nodataValue : nil,
            description: gdalString(GDALGetDescription(band)) ?? "",
            unit: gdalString(GDALGetRasterUnitType(band)) ?? "",
            dataType: RasterDataType(gdal: GDALGetRasterDataType(band)),
            categoryNames: categoryNames,
            attributeTable: table)
    }

    /// Class value -> label from a raster attribute table: the value from the MinMax / VALUE / Min
    /// column (or the row's bin), the label from the Name column or the first string column.
    static func attributeTable(_ rat: GDALRasterAttributeTableH?) -> [Int: String]? {
        guard let rat else { return nil }
        let rows = Int(GDALRATGetRowCount(rat))
        let cols = Int(GDALRATGetColumnCount(rat))
        guard rows > 0, cols > 0 else { return nil }
        let columns = (0..<Int32(cols)).map { c in
            (
                index: c,
                name: (gdalString(GDALRATGetNameOfCol(rat, c)) ?? "").uppercased(),
                usage: GDALRATGetUsageOfCol(rat, c),
                type: GDALRATGetTypeOfCol(rat, c)
            )
        }
        let valueColumn =
            columns.first { $0.usage == GFU_MinMax }?.index
            ?? columns.first { $0.name == "VALUE" && $0.type != GFT_String }?.index
            ?? columns.first { $0.usage == GFU_Min }?.index
        let labelColumn =
            columns.first { $0.usage == GFU_Name && $0.index != valueColumn }?.index
            ?? columns.first { $0.type == GFT_String && $0.index != valueColumn }?.index
        guard let labelColumn else { return nil }
        var row0 = 0.0
        var binSize = 0.0
        let linear = valueColumn == nil && GDALRATGetLinearBinning(rat, &row0, &binSize) != 0
        var table: [Int: String] = [:]
        for r in 0..<Int32(rows) {
            let value: Int
            if let valueColumn {
                value = Int(GDALRATGetValueAsInt(rat, r, valueColumn))
            } else if linear {
                value = Int((row0 + Double(r) * binSize).rounded())
            } else {
                value = Int(r)
            }
            let label = gdalString(GDALRATGetValueAsString(rat, r, labelColumn)) ?? ""
            if !label.isEmpty { table[value] = label }
        }
        return table.isEmpty ? nil : table
    }

    /// Reads `window` of a band as Float; cells outside the raster, nodata or NaN are invalid (NaN).
    func readBlock(band index: Int, window: PixelWindow, nodata: Double?) throws -> RasterBlock {
        let h = try get()
        let band = try self.band(index)
        let full = PixelWindow(col: 0, row: 0, width: Int(GDALGetRasterXSize(h)), height: Int(GDALGetRasterYSize(h)))
        guard !window.isEmpty, let inside = window.intersection(full) else { return .invalid(window) }
        var values = [Float](repeating: .nan, count: window.cellCount)
        let offset = (inside.row - window.row) * window.width + (inside.col - window.col)
        let stride = MemoryLayout<Float>.stride
        try values.withUnsafeMutableBufferPointer { buffer in
            let start = buffer.baseAddress! + offset
            try gdal(RasterError("cannot read raster '\(path)'", path: path, band: index, window: window)) {
                GDALRasterIO(
                    band, GF_Read, Int32(inside.col), Int32(inside.row), Int32(inside.width), Int32(inside.height),
                    start, Int32(inside.width), Int32(inside.height), GDT_Float32,
                    Int32(stride), Int32(stride * window.width))
            }
        }
        var valid = [Bool](repeating: false, count: window.cellCount)
        let nodataFloat: Float? = nodata.map { Float($0) }
        values.withUnsafeMutableBufferPointer { v in
            valid.withUnsafeMutableBufferPointer { ok in
                for r in 0..<inside.height {
                    let base = (inside.row - window.row + r) * window.width + (inside.col - window.col)
                    for i in base..<(base + inside.width) {
                        let x = v[i]
                        if x.isNaN || x == nodataFloat {
                            v[i] = .nan
                        } else {
                            ok[i] = true
                        }
                    }
                }
            }
        }
        return RasterBlock(window: window, values: values, valid: valid)
    }

    /// The dataset's CRS, nil when it has none.
    func crs() throws -> CRS? {
        guard let srs = GDALGetSpatialRef(try get()) else { return nil }
        return try CRS(cloning: srs)
    }

    /// The dataset's geotransform, nil when it has none.
    func geoTransform() throws -> GeoTransform? {
        var c = [Double](repeating: 0, count: 6)
        let status = gdalQuietly { GDALGetGeoTransform(try? get(), &c) }
        return status == CE_None ? GeoTransform(coefficients: c) : nil
    }
}
