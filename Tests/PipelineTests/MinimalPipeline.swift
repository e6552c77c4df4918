/// The smallest pipeline text the parser accepts (a name, the covariates, the sites and the horizons' value
/// column), for tests that parse one section more: they append their own sections after it (or set a key inside
/// one by replacing its line).
let minimalPipeline = """
    name: t
    covariates:
      grid: {raster: covs/a.tif}
      files: [covs/]
    sites:
      file: sites.csv
    profiles:
      horizons:
        file: horizons.csv
        value_column: soc

    """
