"""Distributions a notebook needs without importing them.

``pd.read_excel`` needs openpyxl, ``%matplotlib widget`` needs ipympl, ``tqdm.notebook``
needs ipywidgets ... A small reviewed table. The proposal shows these as suggestions
(not included by default), and only when the library that needs them is used.
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
)

CALL = re.compile(r"\.\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(")
MAGIC = re.compile(r"^\s*%\s*matplotlib\s+(?P<backend>[A-Za-z_]+)", re.MULTILINE)


def find_implicit_triggers(source: str, location: Location) -> tuple[ImplicitTrigger, ...]:
    """Calls and magics in one cell (or file) that the table knows about.

    ``location`` is the cell's start; trigger lines are offset from it.
    """
    calls = {need.trigger for need in IMPLICIT_NEEDS if need.kind == "call"}
    magics = {need.trigger for need in IMPLICIT_NEEDS if need.kind == "magic"}
    found: set[ImplicitTrigger] = set()
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
