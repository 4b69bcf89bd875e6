"""The reproduction benchmark's pure parts: manifest, import reading, failure classes, figures."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("reproduce_benchmark", ROOT / "benchmarks" / "reproduce_benchmark.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench  # dataclasses look their module up
_spec.loader.exec_module(bench)

GOOD = {
    "name": "demo", "repo": "o/demo", "url": "https://github.com/o/demo", "commit": "a" * 40,
    "python": "3.11", "stated": ["numpy"], "author_env": ["numpy"], "notes": "",
}


def write(tmp_path: Path, projects: list[dict]) -> Path:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"remove_anywhere": ["requirements*.txt"], "remove_at_root": ["binder"],
                                "projects": projects}))
    return path


def test_the_committed_manifest_loads_with_at_least_20_projects():
    manifest = bench.load_manifest()
    assert len(manifest.projects) >= 20
    assert all(p.url.startswith("https://github.com/") for p in manifest.projects)


@pytest.mark.parametrize("change, message", [
    ({"commit": "abc"}, "40 hex"),
    ({"python": "3"}, "python must"),
    ({"author_env": []}, "author_env is empty"),
    ({"url": None}, None),
])
def test_a_bad_manifest_entry_is_named(tmp_path, change, message):
    entry = {**GOOD, **change}
    if message is None:
        entry.pop("url")
        message = "missing url"
    with pytest.raises(ValueError, match=message):
        bench.load_manifest(write(tmp_path, [entry]))


def test_duplicate_names_are_refused(tmp_path):
    with pytest.raises(ValueError, match="duplicate"):
        bench.load_manifest(write(tmp_path, [GOOD, GOOD]))


@pytest.mark.parametrize("source, names, parsed", [
    ("import numpy as np\nfrom pandas.io import json", {"numpy", "pandas"}, True),
    ("%matplotlib inline\nimport matplotlib.pyplot as plt", {"matplotlib"}, True),
    ("try:\n    import ujson\nexcept ImportError:\n    ujson = None", set(), True),
    ("from . import local", set(), True),
    ("print 'hello'\nimport os", set(), False),
])
def test_cell_imports(source, names, parsed):
    assert bench.cell_imports(source) == (names, parsed)


@pytest.mark.parametrize("result, expected", [
    ({"ok": True}, "ok"),
    ({"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'seaborn'"}, "missing module"),
    ({"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'urllib2'"}, "python 2 code"),
    ({"ok": False, "ename": "CellTimeoutError", "evalue": ""}, "timeout"),
    ({"ok": False, "ename": "FileNotFoundError", "evalue": "[Errno 2] data.csv"}, "data/network"),
    ({"ok": False, "ename": "URLError", "evalue": "<urlopen error>"}, "data/network"),
    ({"ok": False, "ename": "SyntaxError", "evalue": "Missing parentheses in call to 'print'"}, "python 2 code"),
    ({"ok": False, "ename": "ValueError", "evalue": "shapes do not align"}, "other error"),
])
def test_classify(result, expected):
    assert bench.classify(result) == expected


def test_strip_requirements_removes_the_files_and_keeps_the_notebooks(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "requirements.txt").write_text("numpy\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "requirements-dev.txt").write_text("pytest\n")
    (tmp_path / "sub" / "binder").mkdir()  # not at the root: kept
    (tmp_path / "a.ipynb").write_text("{}")
    manifest = bench.Manifest([], ["requirements*.txt"], ["binder"])
    removed = bench.strip_requirements(tmp_path, manifest)
    assert sorted(removed) == ["binder", "binder/requirements.txt", "sub/requirements-dev.txt"]
    assert (tmp_path / "a.ipynb").exists() and (tmp_path / "sub" / "binder").is_dir()


def test_figures_count_installs_closure_and_fault():
    ok = bench.ToolResult("ours", wrote=True, installed=True, imports={"numpy": None, "pandas": None},
                          runs={"a.ipynb": {"ok": True}})
    broken = bench.ToolResult("ours", wrote=True, installed=False, imports={"numpy": "No module"})
    results = [
        bench.ProjectResult("p1", author_ok=True, third_party=["numpy", "pandas"],
                            author_imports={"numpy": None, "pandas": None},
                            author_runs={"a.ipynb": {"ok": True}}, tools={"ours": ok}),
        bench.ProjectResult("p2", author_ok=True, third_party=["numpy"], author_imports={"numpy": None},
                            author_runs={"b.ipynb": {"ok": True}}, tools={"ours": broken}),
    ]
    f = bench.figures(results, "ours")
    assert (f.projects, f.installed, f.imports, f.resolved, f.runs, f.ran, f.fault) == (2, 1, 3, 2, 2, 1, 1)
    assert f.classes == {"ok": 1, "install failure": 1}
    table = bench.render_table({"author": bench.figures(results, None), "ours": f})
    assert "| ours | 2/2 | 1/2 (50.0 %) | 2/3 (66.7 %) | 1/2 | 1 |" in table


@pytest.mark.parametrize("author, rebuilt, usable, fault", [
    ({"ok": True}, {"ok": False, "ename": "ValueError"}, set(), True),   # ran for the author only
    ({"ok": True}, {"ok": False, "ename": "CellTimeoutError"}, set(), False),  # slower here: no REES's doing
    ({"ok": True}, {"ok": False, "ename": "InstallFailed"}, set(), True),
    ({"ok": False, "ename": "FileNotFoundError"}, {"ok": False, "ename": "FileNotFoundError"}, set(), False),
    ({"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'gone'"},
     {"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'gone'"}, set(), False),
    ({"ok": False, "ename": "FileNotFoundError"},
     {"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'seaborn'"}, {"seaborn"}, True),
])
def test_rees_fault(author, rebuilt, usable, fault):
    assert bench.rees_fault(author, rebuilt, bench.classify(rebuilt), usable) is fault


def notebook_file(path: Path, *cells: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def test_third_party_means_provided_by_the_author_environment(tmp_path):
    # A module the notebook writes with %%file, a project file, a need nobody installed.
    notebook_file(tmp_path / "a.ipynb", "%%file mymodule.py\ndef f(): pass",
                  "import mymodule\nimport numpy\nimport helpers\nimport mpi4py\nimport os\nimport cPickle")
    (tmp_path / "helpers.py").write_text("")
    found = bench.project_imports(tmp_path, {"numpy", "scipy"})
    assert found.third_party == {"numpy"}
    assert found.unprovided == {"mymodule", "mpi4py"}
    assert found.local == {"helpers"} and found.py2_only == {"cPickle"}


def test_provided_modules_of_an_environment():
    provided = bench.provided_modules(Path(sys.executable))
    assert "pytest" in provided["pytest"] or "pytest" in provided.get("_pytest", [])
    assert "nbformat" in provided


def test_tree_digest_follows_names_and_bytes(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    first = bench.tree_digest(tmp_path)
    assert bench.tree_digest(tmp_path) == first
    (tmp_path / "a.ipynb").write_text("{ }")
    assert bench.tree_digest(tmp_path) != first


@pytest.mark.parametrize("notebook, data, expected", [
    ("a.ipynb", {"install": {"ok": True}, "notebooks": [{"path": "a.ipynb", "executed": True, "seconds": 2}]},
     {"ok": True, "seconds": 2}),
    ("a.ipynb", {"install": {"ok": False}, "notebooks": [{"path": "a.ipynb", "executed": None}]},
     {"ok": False, "ename": "InstallFailed", "evalue": ""}),
    ("a.ipynb", {"install": {"ok": True}, "notebooks": [{"path": "a.ipynb", "executed": False, "seconds": 1,
                  "failures": [{"kind": "missing-module", "module": "seaborn"}]}]},
     {"ok": False, "seconds": 1, "ename": "ModuleNotFoundError", "evalue": "No module named 'seaborn'"}),
    ("a.ipynb", {"install": {"ok": True}, "notebooks": [{"path": "a.ipynb", "executed": False, "seconds": 1,
                  "failures": [{"kind": "runtime-error", "message": "FileNotFoundError: data.csv (a data file problem)"}]}]},
     {"ok": False, "seconds": 1, "ename": "FileNotFoundError", "evalue": "data.csv (a data file problem)"}),
    ("a.ipynb", {"install": {"ok": True}, "notebooks": [{"path": "a.ipynb", "executed": False, "seconds": 60,
                  "failures": [{"kind": "timeout", "message": "cell 3 ran longer than 60 s"}]}]},
     {"ok": False, "seconds": 60, "ename": "CellTimeoutError", "evalue": "cell 3 ran longer than 60 s"}),
    ("a.ipynb", None, {"ok": False, "ename": "VerifyFailed", "evalue": "verify gave no verdict"}),
])
def test_a_run_as_verify_reported_it(notebook, data, expected):
    assert bench.run_from_verdict(data, notebook) == expected


def test_verify_verdict_is_compared_with_the_benchmarks_own(tmp_path):
    fine = bench.ToolResult("ours", wrote=True, installed=True, imports={"numpy": None},
                            runs={"a.ipynb": {"ok": True}}, verify={"exit": 0, "summary": "fine"})
    lacking = bench.ToolResult("ours", wrote=True, installed=True, imports={"numpy": "No module named 'numpy'"},
                               verify={"exit": 0, "summary": "fine"})
    results = [
        bench.ProjectResult("p1", author_ok=True, third_party=["numpy"], author_imports={"numpy": None},
                            author_runs={"a.ipynb": {"ok": True}}, tools={"ours": fine}),
        bench.ProjectResult("p2", author_ok=True, third_party=["numpy"], author_imports={"numpy": None},
                            tools={"ours": lacking}),
    ]
    assert bench.agrees(results[0]) == (False, False) and bench.agrees(results[1]) == (False, True)
    text = "\n".join(bench.verify_section(results))
    assert "agrees with the benchmark's own measurement (install, closure, runs against the author environment) on 1 of 2" in text
    assert "| p2 | 0 | fine | at fault **(disagrees)** |" in text


def test_kept_results_are_found_by_their_key(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "CACHE", tmp_path)
    bench.keep("pigar-demo", "k1", {"results": {"pigar": {"tool": "pigar"}}})
    assert bench.cached("pigar-demo", "k1")["results"] == {"pigar": {"tool": "pigar"}}
    assert bench.cached("pigar-demo", "k2") is None  # another peer version or other files: run again
    assert bench.cached("nothing", "k1") is None
