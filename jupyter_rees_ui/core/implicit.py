"""Distributions a notebook needs without importing them.

``pd.read_excel`` needs openpyxl, ``%matplotlib widget`` needs ipympl, ``tqdm.notebook``
needs ipywidgets, ``df.plot()`` needs matplotlib, Keras needs a backend ... A small
reviewed table of the optional dependencies the common libraries load on demand,
matched only when the library that needs them is used. The proposal writes such a
need when the kernel's environment has it (pinned, with its reason); one it lacks is
a decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Location


@dataclass(frozen=True)
class ImplicitNeed:
    """One reviewed table entry."""

    trigger: str  # what to look for: an import prefix, a call name or a magic line
    kind: str  # "import" | "call" | "magic"
    distribution: str  # what it needs
    requires: str  # the import prefix that must also be used ("" = none)
    reason: str
    # import prefixes any of which already meets the need (Keras with torch: no tensorflow)
    unless: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class ImplicitTrigger:
    """A use found in a notebook that may need an implicit distribution."""

    kind: str  # "call" | "magic" | "import"
    name: str  # "read_excel", "matplotlib widget", "tqdm.notebook"
    location: Location


IMPLICIT_NEEDS: tuple[ImplicitNeed, ...] = (
    ImplicitNeed("read_excel", "call", "openpyxl", "pandas", "pandas reads .xlsx files with openpyxl"),
    ImplicitNeed("to_excel", "call", "openpyxl", "pandas", "pandas writes .xlsx files with openpyxl"),
    ImplicitNeed("read_parquet", "call", "pyarrow", "pandas", "pandas reads Parquet with pyarrow"),
    ImplicitNeed("to_parquet", "call", "pyarrow", "pandas", "pandas writes Parquet with pyarrow"),
    ImplicitNeed("read_feather", "call", "pyarrow", "pandas", "pandas reads Feather with pyarrow"),
    ImplicitNeed("to_feather", "call", "pyarrow", "pandas", "pandas writes Feather with pyarrow"),
    ImplicitNeed("read_orc", "call", "pyarrow", "pandas", "pandas reads ORC with pyarrow"),
    ImplicitNeed("read_hdf", "call", "tables", "pandas", "pandas reads HDF5 with PyTables"),
    ImplicitNeed("to_hdf", "call", "tables", "pandas", "pandas writes HDF5 with PyTables"),
    ImplicitNeed("read_xml", "call", "lxml", "pandas", "pandas parses XML with lxml"),
    ImplicitNeed("read_html", "call", "lxml", "pandas", "pandas parses HTML tables with lxml"),
    ImplicitNeed("to_markdown", "call", "tabulate", "pandas", "DataFrame.to_markdown uses tabulate"),
    ImplicitNeed("write_image", "call", "kaleido", "plotly", "plotly exports static images with kaleido"),
    ImplicitNeed("matplotlib widget", "magic", "ipympl", "", "%matplotlib widget needs ipympl"),
    ImplicitNeed("matplotlib ipympl", "magic", "ipympl", "", "%matplotlib ipympl needs ipympl"),
    ImplicitNeed("tqdm.notebook", "import", "ipywidgets", "", "tqdm.notebook draws with ipywidgets"),
    ImplicitNeed("tqdm.auto", "import", "ipywidgets", "", "tqdm.auto uses ipywidgets in notebooks"),
    # pandas, more I/O and plotting
    ImplicitNeed("to_xml", "call", "lxml", "pandas", "pandas writes XML with lxml"),
    ImplicitNeed("read_spss", "call", "pyreadstat", "pandas", "pandas reads SPSS files with pyreadstat"),
    ImplicitNeed("read_gbq", "call", "pandas-gbq", "pandas", "pandas reads BigQuery with pandas-gbq"),
    ImplicitNeed("to_gbq", "call", "pandas-gbq", "pandas", "pandas writes BigQuery with pandas-gbq"),
    ImplicitNeed("to_latex", "call", "jinja2", "pandas", "DataFrame.to_latex renders with jinja2"),
    ImplicitNeed("background_gradient", "call", "matplotlib", "pandas", "Styler.background_gradient uses matplotlib colormaps"),
    ImplicitNeed("plot", "call", "matplotlib", "pandas", "pandas plots with matplotlib"),
    ImplicitNeed("hist", "call", "matplotlib", "pandas", "pandas draws histograms with matplotlib"),
    ImplicitNeed("boxplot", "call", "matplotlib", "pandas", "pandas draws box plots with matplotlib"),
    ImplicitNeed("scatter_matrix", "call", "matplotlib", "pandas", "pandas draws scatter matrices with matplotlib"),
    ImplicitNeed("plotting.backend plotly", "option", "plotly", "pandas", "the pandas plotting backend is set to plotly"),
    ImplicitNeed("plotting.backend hvplot", "option", "hvplot", "pandas", "the pandas plotting backend is set to hvplot"),
    ImplicitNeed("plotting.backend holoviews", "option", "hvplot", "pandas", "the pandas plotting backend is set to holoviews (hvplot)"),
    ImplicitNeed("plotting.backend pandas_bokeh", "option", "pandas-bokeh", "pandas", "the pandas plotting backend is set to pandas_bokeh"),
    ImplicitNeed("plotting.backend altair", "option", "altair-pandas", "pandas", "the pandas plotting backend is set to altair"),
    # polars
    ImplicitNeed("read_excel", "call", "fastexcel", "polars", "polars reads .xlsx files with fastexcel (calamine)"),
    ImplicitNeed("write_excel", "call", "xlsxwriter", "polars", "polars writes .xlsx files with xlsxwriter"),
    ImplicitNeed("to_pandas", "call", "pyarrow", "polars", "polars converts to pandas through pyarrow"),
    ImplicitNeed("to_pandas", "call", "pandas", "polars", "polars' to_pandas needs pandas"),
    ImplicitNeed("from_pandas", "call", "pyarrow", "polars", "polars converts from pandas through pyarrow"),
    ImplicitNeed("to_arrow", "call", "pyarrow", "polars", "polars' to_arrow needs pyarrow"),
    ImplicitNeed("read_delta", "call", "deltalake", "polars", "polars reads Delta tables with deltalake"),
    ImplicitNeed("write_delta", "call", "deltalake", "polars", "polars writes Delta tables with deltalake"),
    ImplicitNeed("plot", "call", "altair", "polars", "polars plots with altair"),
    # geopandas
    ImplicitNeed("explore", "call", "folium", "geopandas", "GeoDataFrame.explore draws with folium"),
    ImplicitNeed("explore", "call", "mapclassify", "geopandas", "GeoDataFrame.explore classifies with mapclassify"),
    ImplicitNeed("explore", "call", "matplotlib", "geopandas", "GeoDataFrame.explore takes matplotlib colormaps"),
    ImplicitNeed("plot", "call", "matplotlib", "geopandas", "geopandas plots with matplotlib"),
    ImplicitNeed("read_parquet", "call", "pyarrow", "geopandas", "geopandas reads GeoParquet with pyarrow"),
    ImplicitNeed("to_parquet", "call", "pyarrow", "geopandas", "geopandas writes GeoParquet with pyarrow"),
    # dask and xarray
    ImplicitNeed("read_parquet", "call", "pyarrow", "dask", "dask reads Parquet with pyarrow"),
    ImplicitNeed("to_parquet", "call", "pyarrow", "dask", "dask writes Parquet with pyarrow"),
    ImplicitNeed("open_dataset", "call", "netCDF4", "xarray", "xarray opens netCDF files with netCDF4"),
    ImplicitNeed("open_mfdataset", "call", "netCDF4", "xarray", "xarray opens netCDF files with netCDF4"),
    ImplicitNeed("open_mfdataset", "call", "dask", "xarray", "xarray.open_mfdataset needs dask"),
    ImplicitNeed("to_netcdf", "call", "netCDF4", "xarray", "xarray writes netCDF files with netCDF4"),
    ImplicitNeed("open_zarr", "call", "zarr", "xarray", "xarray reads Zarr stores with zarr"),
    ImplicitNeed("to_zarr", "call", "zarr", "xarray", "xarray writes Zarr stores with zarr"),
    ImplicitNeed("plot", "call", "matplotlib", "xarray", "xarray plots with matplotlib"),
    # Keras 3 runs on a backend; TensorFlow is its default
    ImplicitNeed(
        "keras", "import", "tensorflow", "keras",
        "Keras needs a backend (TensorFlow by default; JAX or PyTorch with KERAS_BACKEND)",
        unless=("tensorflow", "jax", "torch"),
    ),
)

CALL = re.compile(r"\.\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(")
MAGIC = re.compile(r"^\s*%\s*matplotlib\s+(?P<backend>[A-Za-z_]+)", re.MULTILINE)
# pd.options.plotting.backend = "plotly" / pd.set_option("plotting.backend", "plotly")
OPTION = re.compile(r"plotting\.backend['\"]?\s*[,=]\s*['\"](?P<backend>[A-Za-z_]+)['\"]")


def find_implicit_triggers(source: str, location: Location) -> tuple[ImplicitTrigger, ...]:
    """Calls and magics in one cell (or file) that the table knows about.

    ``location`` is the cell's start; trigger lines are offset from it.
    """
    calls = {need.trigger for need in IMPLICIT_NEEDS if need.kind == "call"}
    magics = {need.trigger for need in IMPLICIT_NEEDS if need.kind == "magic"}
    options = {need.trigger for need in IMPLICIT_NEEDS if need.kind == "option"}
    found: set[ImplicitTrigger] = set()
    if "backend" in source:
        for match in OPTION.finditer(source):
            name = f"plotting.backend {match.group('backend')}"
            if name in options:
                found.add(_trigger("option", name, source, match.start(), location))
    for match in CALL.finditer(source):
        if match.group("name") in calls:
            found.add(_trigger("call", match.group("name"), source, match.start(), location))
    for match in MAGIC.finditer(source):
        name = f"matplotlib {match.group('backend')}"
        if name in magics:
            found.add(_trigger("magic", name, source, match.start(), location))
    return tuple(sorted(found))


def _trigger(kind: str, name: str, source: str, offset: int, location: Location) -> ImplicitTrigger:
    line = location.line + source.count("\n", 0, offset)
    return ImplicitTrigger(kind, name, Location(location.path, location.cell, line))


def implicit_needs(
    triggers: Iterable[ImplicitTrigger], imported: Iterable[str]
) -> dict[str, tuple[tuple[ImplicitNeed, ...], tuple[Location, ...]]]:
    """Distribution -> (the table entries that ask for it, where they were triggered).

    ``imported`` are the dotted module names the project imports; import triggers are
    matched against them, and a need whose ``requires`` library is not imported is
    dropped (``.to_excel(`` on something that is not pandas).
    """
    modules = set(imported)
    all_triggers = list(triggers)
    result: dict[str, tuple[list[ImplicitNeed], list[Location]]] = {}
    for need in IMPLICIT_NEEDS:
        if need.requires and not any(_under(m, need.requires) for m in modules):
            continue
        if any(_under(m, other) for m in modules for other in need.unless):
            continue
        if need.kind == "import":
            sites = [t.location for t in all_triggers if t.kind == "import" and _under(t.name, need.trigger)]
            hit = bool(sites) or any(_under(m, need.trigger) for m in modules)
        else:
            sites = [t.location for t in all_triggers if t.kind == need.kind and t.name == need.trigger]
            hit = bool(sites)
        if hit:
            needs, locations = result.setdefault(need.distribution, ([], []))
            needs.append(need)
            locations.extend(sites)
    return {
        dist: (tuple(needs), tuple(sorted(set(locations))))
        for dist, (needs, locations) in sorted(result.items())
    }


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")
