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
    ({"ok": False, "ename": "FileNotFoundError"}, {"ok": False, "ename": "FileNotFoundError"}, set(), False),
    ({"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'gone'"},
     {"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'gone'"}, set(), False),
    ({"ok": False, "ename": "FileNotFoundError"},
     {"ok": False, "ename": "ModuleNotFoundError", "evalue": "No module named 'seaborn'"}, {"seaborn"}, True),
])
def test_rees_fault(author, rebuilt, usable, fault):
    assert bench.rees_fault(author, rebuilt, bench.classify(rebuilt), usable) is fault
