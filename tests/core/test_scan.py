"""The scanner's pure core: cells and notebook dicts in, findings with provenance out."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_rees_ui.core.model import InstallHint, Location, ScanIssue
from jupyter_rees_ui.core.scan import (
    notebook_language,
    parse_install_command,
    scan_code,
    scan_notebook,
    scan_notebook_code,
)
from jupyter_rees_ui.core.stdlib import is_stdlib, stdlib_names, target_version


def found(code: str, **kwargs: object) -> list[tuple[str, str, int]]:
    """(module, kind, line) of every import found in one cell."""
    scan = scan_code(code, "nb.ipynb", 0, **kwargs)  # type: ignore[arg-type]
    return [(s.module, s.kind, s.location.line) for s in scan.imports]


# --------------------------------------------------------------------------- imports

IMPORT_CASES = [
    ("plain", "import numpy as np\nimport pandas", [("numpy", "required", 1), ("pandas", "required", 2)]),
    ("several in one", "import a, b.c", [("a", "required", 1), ("b.c", "required", 1)]),
    ("from import", "from google.cloud import storage", [("google.cloud", "required", 1)]),
    ("stdlib dropped", "import os, sys, json\nfrom collections import abc", []),
    ("future dropped", "from __future__ import annotations\nimport attr", [("attr", "required", 2)]),
    ("relative dropped", "from . import x\nfrom ..y import z\nimport real", [("real", "required", 3)]),
    ("in function", "def f():\n    import scipy\n", [("scipy", "required", 2)]),
    ("in class", "class A:\n    import yaml\n", [("yaml", "required", 2)]),
    ("in if", "if x:\n    import toml\nelse:\n    import tomli", [("toml", "required", 2), ("tomli", "required", 4)]),
    ("in with", "with x:\n    import h5py", [("h5py", "required", 2)]),
    ("in match", "match x:\n    case 1:\n        import zmq", [("zmq", "required", 3)]),
    ("leading blank lines keep lines", "\n\n\nimport numpy", [("numpy", "required", 4)]),
    ("string with percent is code", 'print("%d" % i)\nimport numpy', [("numpy", "required", 2)]),
    ("type checking", "if TYPE_CHECKING:\n    import pandas\nelse:\n    import numpy",
     [("pandas", "type-checking", 2), ("numpy", "required", 4)]),
    ("typing.TYPE_CHECKING", "import typing\nif typing.TYPE_CHECKING:\n    import polars",
     [("polars", "type-checking", 3)]),
    ("deep expression", "x = " + "(" * 50 + "1" + ")" * 50 + "\nimport numpy", [("numpy", "required", 2)]),
]


@pytest.mark.parametrize(("name", "code", "expected"), IMPORT_CASES, ids=[c[0] for c in IMPORT_CASES])
def test_imports(name: str, code: str, expected: list[tuple[str, str, int]]) -> None:
    assert found(code) == expected


def test_from_import_keeps_names() -> None:
    (site,) = scan_code("from google.cloud import storage, bigquery", "nb.ipynb", 0).imports
    assert site.names == ("bigquery", "storage")
    assert site.top_level == "google"


# --------------------------------------------------------------------------- optional imports

OPTIONAL_CASES = [
    (
        "try ImportError with fallback",
        "try:\n    import ujson as json\nexcept ImportError:\n    import json",
        [("ujson", "optional", ("json",))],
    ),
    (
        "ModuleNotFoundError, two third-party",
        "try:\n    import orjson\nexcept ModuleNotFoundError:\n    import simplejson",
        [("orjson", "optional", ("simplejson",)), ("simplejson", "optional", ("orjson",))],
    ),
    ("bare except", "try:\n    import tqdm\nexcept:\n    tqdm = None", [("tqdm", "optional", ())]),
    ("except Exception", "try:\n    import rich\nexcept Exception:\n    pass", [("rich", "optional", ())]),
    ("tuple of errors", "try:\n    import lxml\nexcept (OSError, ImportError):\n    pass", [("lxml", "optional", ())]),
    ("other errors: required", "try:\n    import lxml\nexcept KeyError:\n    pass", [("lxml", "required", ())]),
    ("re-raise: required", "try:\n    import cv2\nexcept ImportError:\n    raise SystemExit('pip install opencv')",
     [("cv2", "required", ())]),
    ("else branch is required", "try:\n    import a\nexcept ImportError:\n    pass\nelse:\n    import b",
     [("a", "optional", ()), ("b", "required", ())]),
    ("two groups stay apart",
     "try:\n    import a\nexcept ImportError:\n    import b\ntry:\n    import c\nexcept ImportError:\n    import d",
     [("a", "optional", ("b",)), ("b", "optional", ("a",)), ("c", "optional", ("d",)), ("d", "optional", ("c",))]),
]


@pytest.mark.parametrize(("name", "code", "expected"), OPTIONAL_CASES, ids=[c[0] for c in OPTIONAL_CASES])
def test_optional_imports(name: str, code: str, expected: list[tuple[str, str, tuple[str, ...]]]) -> None:
    scan = scan_code(code, "nb.ipynb", 0)
    assert [(s.module, s.kind, s.alternatives) for s in scan.imports] == expected


# --------------------------------------------------------------------------- dynamic imports

DYNAMIC_CASES = [
    ("import_module", 'import importlib\nmod = importlib.import_module("seaborn")', ["seaborn"], 0),
    ("from importlib", 'from importlib import import_module\nprint(import_module("a.b"))', ["a.b"], 0),
    ("dunder import", 'x = [__import__("plotly")]', ["plotly"], 0),
    ("find_spec", 'if importlib.util.find_spec("torch") is not None:\n    pass', ["torch"], 0),
    ("keyword name", 'importlib.import_module(name="bokeh")', ["bokeh"], 0),
    ("stdlib literal dropped", 'importlib.import_module("json")', [], 0),
    ("relative literal dropped", 'importlib.import_module(".sub", "pkg")', [], 0),
    ("computed name reported", "importlib.import_module(name)", [], 1),
    ("f-string reported", 'importlib.import_module(f"plugins.{x}")', [], 1),
    ("other import_module is not importlib", 'registry.import_module("x")', [], 0),
    ("in a decorator", '@register(importlib.import_module("bokeh"))\ndef f():\n    pass', ["bokeh"], 0),
    ("in a class decorator", '@dataclass\n@use(__import__("toolz"))\nclass A:\n    x = 1', ["toolz"], 0),
    ("deep in a long statement", 'value = {\n    "a": [\n        f(importlib.import_module("plotly"))\n    ]\n}', ["plotly"], 0),
    ("beside a magic", '%matplotlib inline\nx = [1,\n  importlib.import_module("seaborn")]', ["seaborn"], 0),
    ("magic line inside a def", 'def f():\n    %time importlib.import_module("altair")', ["altair"], 0),
    ("after a form feed", 'x = 1\x0c\ny = importlib.import_module("plotly")', ["plotly"], 0),
    ("after U+2028 in a string", 'a = "\u2028"\ny = importlib.import_module("plotly")', ["plotly"], 0),
    ("after CRLF lines", 'x = 1\r\ny = 2\r\nz = __import__("toolz")', ["toolz"], 0),
]


@pytest.mark.parametrize(("name", "code", "modules", "issues"), DYNAMIC_CASES, ids=[c[0] for c in DYNAMIC_CASES])
def test_dynamic_imports(name: str, code: str, modules: list[str], issues: int) -> None:
    scan = scan_code(code, "nb.ipynb", 3)
    assert [s.module for s in scan.imports if s.dynamic] == modules
    assert [i.kind for i in scan.issues] == ["dynamic-import"] * issues
    assert all(i.location.cell == 3 for i in scan.issues)


def test_find_spec_is_a_presence_check_so_optional() -> None:
    scan = scan_code('if importlib.util.find_spec("torch"):\n    import torch', "n.ipynb", 0)
    assert [(s.module, s.kind, s.dynamic) for s in scan.imports] == [
        ("torch", "optional", True),
        ("torch", "optional", False),
    ]


def test_optional_dynamic_import() -> None:
    scan = scan_code('try:\n    m = importlib.import_module("ujson")\nexcept ImportError:\n    m = None', "n.ipynb", 0)
    assert [(s.module, s.kind, s.dynamic) for s in scan.imports] == [("ujson", "optional", True)]


# --------------------------------------------------------------------------- IPython syntax

MAGIC_CASES = [
    ("line magic is not code", "%matplotlib inline\nimport numpy",
     [("matplotlib", "required", 1), ("numpy", "required", 2)]),
    ("shell escape is not code", "!ls -la\nfiles = !ls\nimport numpy", [("numpy", "required", 3)]),
    ("%%time body scanned", "%%time\nimport numpy\n\nimport pandas",
     [("numpy", "required", 2), ("pandas", "required", 4)]),
    ("%%timeit with options", "%%timeit -n 10 -r 2\nimport numpy", [("numpy", "required", 2)]),
    ("%%capture body scanned", "%%capture out\nimport sklearn", [("sklearn", "required", 2)]),
    ("%%prun body scanned", "%%prun -s cumulative\nimport numba", [("numba", "required", 2)]),
    ("nested cell magics", "%%capture\n%%time\nimport numpy", [("numpy", "required", 3)]),
    ("%time line magic statement", "%time import polars", [("polars", "required", 1)]),
    ("%timeit options", "x = 1\n%timeit -n 3 -r 1 import xarray", [("xarray", "required", 2)]),
    ("%%bash skipped", "%%bash\nimport numpy\necho hi", []),
    ("%%sh skipped", "%%sh\nimport numpy", []),
    ("%%html skipped", "%%html\n<b>import numpy</b>", []),
    ("%%javascript skipped", "%%javascript\nimport x from 'y'", []),
    ("%%latex skipped", "%%latex\n\\import numpy", []),
    ("%%markdown skipped", "%%markdown\nimport numpy", []),
    ("%%script bash skipped", "%%script bash\nimport numpy", []),
    ("%%script python scanned", "%%script python3\nimport numpy", [("numpy", "required", 2)]),
    ("unknown cell magic skipped", "%%sql\nimport numpy", []),
    ("help syntax", "numpy?\nimport pandas", [("pandas", "required", 2)]),
    ("indented cell", "    import numpy\n    import pandas", [("numpy", "required", 1), ("pandas", "required", 2)]),
    ("classic prompt", ">>> import numpy", [("numpy", "required", 1)]),
    ("load_ext", "%load_ext dotenv\n%load_ext autoreload", [("dotenv", "required", 1), ("IPython", "required", 2)]),
    ("pylab", "%pylab inline", [("matplotlib", "required", 1), ("numpy", "required", 1)]),
]


@pytest.mark.parametrize(("name", "code", "expected"), MAGIC_CASES, ids=[c[0] for c in MAGIC_CASES])
def test_ipython_syntax(name: str, code: str, expected: list[tuple[str, str, int]]) -> None:
    assert found(code) == expected


def test_writefile_defines_a_local_module_and_scans_its_body() -> None:
    scan = scan_code("%%writefile helpers.py\nimport numpy\nimport helpers_dep", "nb.ipynb", 0)
    assert scan.defined_modules == frozenset({"helpers"})
    assert [(s.module, s.location.line) for s in scan.imports] == [("numpy", 2), ("helpers_dep", 3)]


@pytest.mark.parametrize(
    ("line", "module"),
    [("%%writefile pkg/mod.py", "pkg"), ("%%writefile -a m.py", "m"), ("%%writefile data.csv", None)],
)
def test_writefile_targets(line: str, module: str | None) -> None:
    scan = scan_code(f"{line}\nx = 1", "nb.ipynb", 0)
    assert scan.defined_modules == (frozenset({module}) if module else frozenset())


def test_python_file_is_not_ipython() -> None:
    scan = scan_code("%matplotlib inline\nimport numpy", "script.py")
    # the magic is no Python there (no matplotlib); the import is still read line by line
    assert [site.module for site in scan.imports] == ["numpy"]
    assert [(i.kind, i.location) for i in scan.issues] == [("syntax-error", Location("script.py", None, 1))]


# --------------------------------------------------------------------------- install evidence

INSTALL_CASES = [
    ("!pip", "!pip install pandas==2.1 numpy", [("pandas==2.1", "pandas", "pip"), ("numpy", "numpy", "pip")]),
    ("%pip", "%pip install -q 'scikit-learn>=1.3'", [("scikit-learn>=1.3", "scikit-learn", "pip")]),
    ("sys.executable", "!{sys.executable} -m pip install Torch", [("Torch", "torch", "pip")]),
    ("python -m pip", "!python3 -m pip install -U seaborn", [("seaborn", "seaborn", "pip")]),
    ("pip3 with global option", "!pip3 -q install rich", [("rich", "rich", "pip")]),
    ("requirements file", "%pip install -r requirements.txt", [("-r requirements.txt", None, "pip")]),
    ("requirement= form", "!pip install --requirement=req.txt", [("--requirement req.txt", None, "pip")]),
    ("index url value skipped", "!pip install -i https://example.org/simple foo",
     [("foo", "foo", "pip")]),
    ("vcs url with egg", "!pip install git+https://github.com/o/r.git@v1#egg=rpkg",
     [("git+https://github.com/o/r.git@v1#egg=rpkg", "rpkg", "pip")]),
    ("direct reference", "%pip install 'mypkg @ https://example.org/mypkg-1.0.tar.gz'",
     [("mypkg @ https://example.org/mypkg-1.0.tar.gz", "mypkg", "pip")]),
    ("wheel file", "!pip install dist/Foo_Bar-1.0-py3-none-any.whl",
     [("dist/Foo_Bar-1.0-py3-none-any.whl", "foo-bar", "pip")]),
    ("editable local", "!pip install -e .", [("-e .", None, "pip")]),
    ("extras and markers", '%pip install "dask[dataframe]>=2024; python_version>\'3.8\'"',
     [("dask[dataframe]>=2024; python_version>'3.8'", "dask", "pip")]),
    ("chained", "!pip install a && pip install b; echo done", [("a", "a", "pip"), ("b", "b", "pip")]),
    ("redirect", "!pip install a > /dev/null 2>&1", [("a", "a", "pip")]),
    ("uninstall ignored", "!pip uninstall -y a", []),
    ("pip list ignored", "!pip list", []),
    ("templated skipped", "!pip install {pkg}", []),
    ("%conda", "%conda install -c conda-forge -y numpy=1.24 conda-forge::xarray",
     [("numpy=1.24", "numpy", "conda"), ("conda-forge::xarray", "xarray", "conda")]),
    ("%mamba", "%mamba install gdal", [("gdal", "gdal", "conda")]),
    ("!conda file", "!conda install --file env.txt", [("--file env.txt", None, "conda")]),
    ("uv pip", "!uv pip install polars", [("polars", "polars", "pip")]),
    ("comment", "!pip install a  # and b", [("a", "a", "pip")]),
]


@pytest.mark.parametrize(("name", "code", "expected"), INSTALL_CASES, ids=[c[0] for c in INSTALL_CASES])
def test_install_evidence(name: str, code: str, expected: list[tuple[str, str | None, str]]) -> None:
    scan = scan_code(code, "nb.ipynb", 2)
    assert [(h.requirement, h.name, h.manager) for h in scan.installs] == expected
    assert all(h.location == Location("nb.ipynb", 2, 1) for h in scan.installs)
    assert scan.imports == ()


def test_install_in_bash_cell_keeps_its_line() -> None:
    scan = scan_code("%%bash\necho start\npip install \\\n  requests\n", "nb.ipynb", 1)
    assert scan.installs == (InstallHint("requests", "requests", Location("nb.ipynb", 1, 3), "pip"),)


def test_parse_install_command_unbalanced_quotes() -> None:
    assert [h.name for h in parse_install_command("pip install 'a b", Location("x"))] == ["a", "b"]


def test_pathological_cell_is_an_issue_not_a_crash() -> None:
    scan = scan_code("x = " + "+".join(["1"] * 5000) + "\nimport numpy", "nb.ipynb", 7)
    assert [(i.kind, i.location.cell) for i in scan.issues] == [("other", 7)]


# --------------------------------------------------------------------------- sys.path

@pytest.mark.parametrize(
    ("code", "entry"),
    [
        ('sys.path.append("../lib")', "../lib"),
        ('sys.path.insert(0, os.path.abspath(".."))', ".."),
        ('sys.path.append(os.path.join("..", "src"))', "../src"),
        ('sys.path.insert(0, str(Path("..") / "pkg"))', "../pkg"),
        ('sys.path.extend(["../a", some_dir])', "../a"),
        ("sys.path.append(some_dir)", None),
    ],
)
def test_sys_path_entries(code: str, entry: str | None) -> None:
    scan = scan_code(code, "nb.ipynb", 0)
    assert [e for _, e in scan.path_entries] == ([entry] if entry else [])


# --------------------------------------------------------------------------- errors

def test_syntax_error_costs_only_its_cell() -> None:
    nb = {
        "nbformat": 4,
        "metadata": {},
        "cells": [
            {"cell_type": "code", "source": "import numpy"},
            {"cell_type": "markdown", "source": "import not_code"},
            {"cell_type": "code", "source": ["x = 1\n", "def broken(:\n", "import lost"]},
            {"cell_type": "code", "source": "%%time\nimport pandas"},
        ],
    }
    result = scan_notebook(nb, "a.ipynb")
    assert [(s.module, s.location) for s in result.imports] == [
        ("numpy", Location("a.ipynb", 0, 1)),
        ("lost", Location("a.ipynb", 2, 3)),  # the broken cell's imports are read one by one
        ("pandas", Location("a.ipynb", 3, 2)),
    ]
    assert [(i.kind, i.location) for i in result.issues] == [("syntax-error", Location("a.ipynb", 2, 2))]


def test_syntax_error_inside_cell_magic_body_has_the_cell_line() -> None:
    scan = scan_code("%%time\nimport a\nif:\n", "nb.ipynb", 4)
    assert [(i.kind, i.location.line) for i in scan.issues] == [("syntax-error", 3)]


def test_broken_cell_that_imports_nothing_is_not_parsed() -> None:
    assert scan_code("x = (1,\nprint('%d' % x)\ny = a != b", "nb.ipynb", 0).issues == ()


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("x = (1,\nprint('%d' % x)\ny = a != b", 1),  # no import-ish word: skipped by default
        ("for i in range(3)\n    print(i)", 1),
        ("total = 1\nif total > 0\n    total += 1", 2),
        ("import numpy\ndef broken(:\n    pass", 2),  # parsed either way
    ],
)
def test_all_syntax_reports_every_broken_cell(code: str, line: int) -> None:
    scan = scan_code(code, "nb.ipynb", 3, all_syntax=True)
    assert [(i.kind, i.location.cell, i.location.line) for i in scan.issues] == [("syntax-error", 3, line)]


@pytest.mark.parametrize(
    "code",
    ["df.head?", "x = 1\nx??", "%%bash\nfor f in *; do echo $f; done", "%time x = 1", "print('%d' % 3)", ""],
)
def test_all_syntax_accepts_what_ipython_runs(code: str) -> None:
    assert scan_code(code, "nb.ipynb", 0, all_syntax=True).issues == ()


def test_all_syntax_in_a_python_file_is_plain_python() -> None:
    scan = scan_code("x = 1\ny = x?\n", "m.py", all_syntax=True)
    assert [(i.kind, i.location.line) for i in scan.issues] == [("syntax-error", 2)]


def test_transformer_is_loaded_without_the_ipython_package() -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from jupyter_rees_ui.core.scan import scan_code; "
        "s = scan_code('%%time\\nimport numpy', 'a.ipynb', 0); "
        "print(s.imports[0].module, 'IPython' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=__import__("pathlib").Path(__file__).parents[2])
    assert done.stdout.split() == ["numpy", "False"]


@pytest.mark.parametrize(
    "code",
    ["\x00import numpy", "%%time\n\x00", "'''", "%%", "%", "!", "?", "%%time", "%%writefile", "\\\n" * 3,
     "(" * 300, "[" * 5000, "%time " + "(" * 300, "\r\rimport x\r"],
)
def test_hostile_cells_do_not_crash(code: str) -> None:
    scan_code(code, "nb.ipynb", 0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                ["%%time", "%%bash", "%%writefile x.py", "!pip install", "%pip install", "import ", "try:",
                 "except ImportError:", "    ", "\n", "(", ")", "'", '"', "\\", "%", "!", "?", "#", "from . import",
                 "importlib.import_module(", "__import__(", "sys.path.append(", "if TYPE_CHECKING:", ">>> "]
            ),
        ),
        max_size=12,
    )
)
def test_no_cell_text_crashes_the_scanner(parts: list[str]) -> None:
    code = "".join(parts)
    scan = scan_code(code, "nb.ipynb", 0)
    for site in scan.imports:
        assert site.location.line >= 1
        assert site.module and not site.module.startswith(".")


# --------------------------------------------------------------------------- notebooks

def _nb(metadata: dict, *sources: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata,
            "cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []} for s in sources]}


LANGUAGE_CASES = [
    ("no metadata: python", {}, ("python", None)),
    (
        "kernelspec",
        {"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}},
        ("python", "python3"),
    ),
    ("language_info only", {"language_info": {"name": "python"}}, ("python", None)),
    ("R", {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}, ("r", "ir")),
    ("julia via language_info", {"language_info": {"name": "julia"}}, ("julia", None)),
    ("garbage", {"kernelspec": "nope", "language_info": 3}, ("python", None)),
]


@pytest.mark.parametrize(("name", "metadata", "expected"), LANGUAGE_CASES, ids=[c[0] for c in LANGUAGE_CASES])
def test_notebook_language(name: str, metadata: dict, expected: tuple[str, str | None]) -> None:
    assert notebook_language({"metadata": metadata}) == expected


def test_never_run_notebook_is_scanned_as_python() -> None:
    result = scan_notebook(_nb({}, "import numpy"), "fresh.ipynb")
    assert [s.module for s in result.imports] == ["numpy"]


def test_non_python_notebook_is_reported_not_parsed() -> None:
    nb = _nb({"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}, "library(ggplot2)\nimport numpy")
    result = scan_notebook(nb, "r.ipynb")
    assert result.imports == ()
    assert [(i.kind, i.location.path) for i in result.issues] == [("non-python", "r.ipynb")]
    assert result.kernels == (("r.ipynb", "ir"),)


def test_nbformat_3_is_upgraded() -> None:
    nb3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [{"cells": [
            {"cell_type": "markdown", "source": "# t", "metadata": {}},
            {"cell_type": "code", "input": "import numpy\n%matplotlib inline", "language": "python",
             "outputs": [], "metadata": {}, "collapsed": False},
        ], "metadata": {}}],
    }
    result = scan_notebook(nb3, "old.ipynb")
    assert [(s.module, s.location) for s in result.imports] == [
        ("numpy", Location("old.ipynb", 1, 1)),
        ("matplotlib", Location("old.ipynb", 1, 2)),
    ]


def test_writefile_module_is_local_in_the_notebook() -> None:
    result = scan_notebook(_nb({}, "%%writefile helpers.py\nimport numpy", "import helpers\nimport pandas"), "a.ipynb")
    assert [s.module for s in result.imports] == ["numpy", "pandas"]
    assert result.local_modules == frozenset({"helpers"})


def test_notebook_output_is_sorted_and_stable() -> None:
    nb = _nb({}, "import zlib2\nimport alpha", "!pip install b a\nimport beta")
    first = scan_notebook_code(nb, "a.ipynb")
    assert first == scan_notebook_code(nb, "a.ipynb")
    assert [s.module for s in first.imports] == ["zlib2", "alpha", "beta"]
    assert [h.requirement for h in first.installs] == ["b", "a"]  # as written


# --------------------------------------------------------------------------- stdlib

STDLIB_CASES = [
    ("distutils", "3.8", True),
    ("distutils", "3.12", False),
    ("tomllib", "3.10", False),
    ("tomllib", "3.11", True),
    ("asyncio.tasks", None, True),
    ("_thread", None, True),
    ("numpy", None, False),
    ("__future__", "3.9", True),
    ("imp", "3.11", True),
    ("imp", "3.12", False),
]


@pytest.mark.parametrize(("module", "target", "expected"), STDLIB_CASES)
def test_stdlib_for_target(module: str, target: str | None, expected: bool) -> None:
    assert is_stdlib(module, target) is expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("3.9", "3.9"), ("3.9.18", "3.9"), ("python-3.10", "3.10"), ("python3.12", "3.12"), ("nonsense", None)],
)
def test_target_version(given: str, expected: str | None) -> None:
    import sys

    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert target_version(given) == (expected or running)


def test_unknown_future_version_uses_the_nearest_list() -> None:
    assert "os" in stdlib_names("3.99")


def test_target_python_changes_what_is_dropped() -> None:
    assert found("import distutils", target_python="3.8") == []
    assert found("import distutils", target_python="3.12") == [("distutils", "required", 1)]


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,12}[A-Za-z0-9])?", fullmatch=True))
def test_bare_install_names_read_as_packaging_reads_them(word: str) -> None:
    """Bare names skip packaging (startup time); they must come out as packaging says."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from jupyter_rees_ui.core.scan import _requirement_of

    assert _requirement_of("pip", word) == (word, canonicalize_name(Requirement(word).name), "pip")


_EVERY_CODE = [c[1] for cases in (IMPORT_CASES, OPTIONAL_CASES, DYNAMIC_CASES, MAGIC_CASES, INSTALL_CASES)
               for c in cases]
_DYNAMIC_PIECES = ['importlib.import_module("seaborn")', '__import__("toolz")', 'importlib.util.find_spec("ujson")',
                   'sys.path.append("lib")', 'get_ipython().run_line_magic("pip", "install tqdm")']


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_EVERY_CODE + _DYNAMIC_PIECES), min_size=1, max_size=4),
       st.sampled_from(["", "    ", "x = [\n    ", "@deco(\n    "]), st.integers(0, 3))
def test_walking_only_statements_that_name_a_call_loses_nothing(pieces: list[str], wrap: str, at: int) -> None:
    """Expressions are visited only in statements spanning a line that names a dynamic
    import, sys.path or get_ipython; visiting every expression must find the same."""
    from jupyter_rees_ui.core import scan as scan_module

    code = "\n".join(pieces)
    if wrap and _DYNAMIC_PIECES:
        piece = _DYNAMIC_PIECES[at % len(_DYNAMIC_PIECES)]
        closing = "\n]" if wrap.startswith("x") else ")\ndef f():\n    pass" if wrap.startswith("@") else ""
        code += "\n" + ("if True:\n    " + piece if wrap == "    " else wrap + piece + closing)
    quick = scan_code(code, "nb.ipynb", 0)
    real = scan_module._call_lines
    try:
        scan_module._call_lines = lambda text: list(range(1, text.count("\n") + 2))  # every statement
        thorough = scan_code(code, "nb.ipynb", 0)
    finally:
        scan_module._call_lines = real
    assert quick == thorough


@pytest.mark.parametrize(
    "words",
    [
        ("read_excel", "read_feather", "to_excel", "plot", "plotly", "widget", "hist"),
        ("a", "ab", "abc", "b.c", "x+y", "(z)"),  # prefixes of each other, characters re treats specially
        ("same", "same"),
        (),
    ],
)
def test_any_word_pattern_finds_exactly_what_a_plain_search_finds(words):
    import random
    import re

    from jupyter_rees_ui.core.scan import _IMPLICIT_WORDS, any_word_pattern

    for chosen in (words, _IMPLICIT_WORDS):
        search = re.compile(any_word_pattern(chosen)).search
        pieces = [*chosen, "read_", "to_", "pl", "ab", ".", "+", " ", "\n", "df", "(", ")"]
        rng = random.Random(7)
        for _ in range(2000):
            text = "".join(rng.choice(pieces)[: rng.randint(0, 12)] for _ in range(rng.randint(0, 8)))
            assert bool(search(text)) == any(w in text for w in chosen), (chosen, text)


def test_the_python2_only_names_kept_in_the_code_are_those_of_the_stdlib_list_data():
    from jupyter_rees_ui.core.stdlib import PYTHON2_ONLY, python2_only_names_from_data

    assert PYTHON2_ONLY == python2_only_names_from_data()
