"""Scanning real folders: which files, read how, what counts as local, what is cached."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_rees_ui.adapters.files import (
    ScanCache,
    list_files,
    read_notebook_bytes,
    scan_folder,
)
from jupyter_rees_ui.core.model import Location, ScanResult, to_json


def notebook(*sources: str, metadata: dict | None = None, outputs: list | None = None) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
         "outputs": outputs or [], "source": source}
        for i, source in enumerate(sources)
    ]
    return json.dumps({"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5})


def write(root: Path, files: dict[str, str], *, age_s: float = 10.0) -> None:
    """Write files dated ``age_s`` seconds ago (a cache does not trust just-written files)."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        backdate(path, age_s)


def backdate(path: Path, age_s: float) -> None:
    then = time.time_ns() - int(age_s * 1e9)
    os.utime(path, ns=(then, then))


def modules(result: ScanResult) -> list[tuple[str, str]]:
    return [(s.module, s.location.path) for s in result.imports]


# --------------------------------------------------------------------------- what is scanned

SKIP_CASES = [
    ("checkpoints", ".ipynb_checkpoints/a-checkpoint.ipynb"),
    ("hidden folder", ".cache/a.ipynb"),
    ("hidden file", ".scratch.py"),
    ("node_modules", "node_modules/pkg/a.py"),
    ("site-packages", "lib/python3.11/site-packages/x/a.py"),
    ("build", "build/lib/a.py"),
    ("dist", "dist/a.py"),
    ("egg-info", "x.egg-info/a.py"),
    ("pycache", "__pycache__/a.py"),
]


@pytest.mark.parametrize(("name", "relative"), SKIP_CASES, ids=[c[0] for c in SKIP_CASES])
def test_skipped_places(tmp_path: Path, name: str, relative: str) -> None:
    write(tmp_path, {"kept.ipynb": notebook("import kept"), relative: "import skipped"})
    if relative.endswith(".ipynb"):
        write(tmp_path, {relative: notebook("import skipped")})
    result = scan_folder(tmp_path)
    assert result.files == ("kept.ipynb",)
    assert modules(result) == [("kept", "kept.ipynb")]


@pytest.mark.parametrize("marker", ["pyvenv.cfg", "conda-meta/history"])
def test_environments_are_skipped_wherever_they_are(tmp_path: Path, marker: str) -> None:
    write(tmp_path, {
        "nb.ipynb": notebook("import numpy"),
        f"myenv/{marker}": "",
        "myenv/lib/python3.11/x.py": "import requests",
        "myenv/Scripts/tool.py": "import click",
    })
    assert modules(scan_folder(tmp_path)) == [("numpy", "nb.ipynb")]


def test_markdown_without_code_cells_is_not_a_notebook(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "# Title\n\n```python\nimport numpy\n```\n"})
    assert scan_folder(tmp_path).files == ()


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_is_honoured_in_a_git_repository(tmp_path: Path) -> None:
    write(tmp_path, {
        ".gitignore": "scratch/\n*.local.ipynb\n",
        "tracked.ipynb": notebook("import numpy"),
        "untracked.py": "import pandas",
        "scratch/a.ipynb": notebook("import nope"),
        "me.local.ipynb": notebook("import nope2"),
        "sub/deep.ipynb": notebook("import scipy"),
    })
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "tracked.ipynb")
    result = scan_folder(tmp_path)
    assert result.files == ("sub/deep.ipynb", "tracked.ipynb", "untracked.py")
    # A sub-folder of the repository is scanned with paths relative to itself.
    sub = scan_folder(tmp_path / "sub")
    assert modules(sub) == [("scipy", "deep.ipynb")]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_an_ignored_folder_asked_for_is_still_scanned(tmp_path: Path) -> None:
    write(tmp_path, {".gitignore": "work/\n", "work/a.ipynb": notebook("import numpy")})
    git(tmp_path, "init", "-q")
    assert modules(scan_folder(tmp_path / "work")) == [("numpy", "a.ipynb")]
    assert scan_folder(tmp_path).files == ()


def test_symlink_leading_outside_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    write(tmp_path, {"outside/secret.py": "import secret_dependency", "root/inside.py": "import numpy"})
    (root / "link.py").symlink_to(outside / "secret.py")
    (root / "ok.py").symlink_to(root / "inside.py")
    result = scan_folder(root)
    assert modules(result) == [("numpy", "inside.py"), ("numpy", "ok.py")]
    assert [(i.kind, i.location.path) for i in result.issues] == [("other", "link.py")]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_submodules_are_scanned(tmp_path: Path) -> None:
    library, project = tmp_path / "library", tmp_path / "project"
    write(library, {"lib.ipynb": notebook("import xarray")})
    write(project, {"main.ipynb": notebook("import numpy")})
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "protocol.file.allow=always"]
    for repo in (library, project):
        git(repo, "init", "-q")
    git(library, "add", "-A")
    git(library, *identity, "commit", "-q", "-m", "x")
    git(project, *identity, "submodule", "add", "-q", str(library), "vendor/library")
    result = scan_folder(project)
    assert modules(result) == [("numpy", "main.ipynb"), ("xarray", "vendor/library/lib.ipynb")]


def test_walk_without_git_lists_sorted_posix_paths(tmp_path: Path) -> None:
    write(tmp_path, {"b/z.ipynb": notebook(""), "a.py": "", "b/a/c.py": "", "notes.txt": "import x"})
    assert list_files(tmp_path) == ["a.py", "b/a/c.py", "b/z.ipynb"]


# --------------------------------------------------------------------------- reading

def test_unreadable_notebook_is_an_issue_and_the_scan_goes_on(tmp_path: Path) -> None:
    write(tmp_path, {
        "bad.ipynb": "{not json",
        "list.ipynb": "[1, 2]",
        "empty.ipynb": "",
        "good.ipynb": notebook("import numpy"),
    })
    result = scan_folder(tmp_path)
    assert modules(result) == [("numpy", "good.ipynb")]
    assert [(i.kind, i.location) for i in result.issues] == [
        ("unreadable", Location("bad.ipynb")),
        ("unreadable", Location("empty.ipynb")),
        ("unreadable", Location("list.ipynb")),
    ]


def test_odd_shapes_fall_back_to_plain_json(tmp_path: Path) -> None:
    odd = {"nbformat": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": ["import numpy\n", 3]},
        "not a cell",
        {"cell_type": "code", "source": "import pandas"},
    ]}
    assert read_notebook_bytes(json.dumps(odd).encode())["cells"][2]["source"] == "import pandas"
    write(tmp_path, {"odd.ipynb": json.dumps(odd)})
    assert [m for m, _ in modules(scan_folder(tmp_path))] == ["numpy", "pandas"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
NOTEBOOKISH = st.fixed_dictionaries(
    {},
    optional={
        "nbformat": st.sampled_from([1, 2, 3, 4, 5, "4", None]),
        "metadata": JSON,
        "cells": st.lists(
            st.fixed_dictionaries({}, optional={"cell_type": st.sampled_from(["code", "markdown", 3]),
                                                "source": JSON | st.text(max_size=40)}) | JSON,
            max_size=4,
        ),
        "worksheets": JSON,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NOTEBOOKISH | JSON)
def test_no_notebook_file_crashes_the_scanner(value: object) -> None:
    from jupyter_rees_ui.core.scan import scan_notebook_code

    try:
        nb = read_notebook_bytes(json.dumps(value).encode())
    except ValueError:
        return
    scan_notebook_code(nb, "x.ipynb")


def test_non_python_notebook_is_reported(tmp_path: Path) -> None:
    r_meta = {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}
    write(tmp_path, {"r.ipynb": notebook("library(x)", metadata=r_meta), "p.ipynb": notebook("import numpy")})
    result = scan_folder(tmp_path)
    assert modules(result) == [("numpy", "p.ipynb")]
    assert [(i.kind, i.location.path) for i in result.issues] == [("non-python", "r.ipynb")]
    assert result.kernels == (("r.ipynb", "ir"),)


def test_outputs_are_not_needed_to_scan(tmp_path: Path) -> None:
    image = {"output_type": "display_data", "metadata": {},
             "data": {"image/png": "iVBOR" + "A" * 2_000_000, "text/plain": ["<Figure>"]}}
    write(tmp_path, {"heavy.ipynb": notebook("import numpy", "%matplotlib inline", outputs=[image])})
    assert [m for m, _ in modules(scan_folder(tmp_path))] == ["numpy", "matplotlib"]


def test_plain_json_reader_when_msgspec_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_rees_ui.adapters import files

    write(tmp_path, {"a.ipynb": notebook("import numpy"), "bad.ipynb": "{"})
    with_msgspec = scan_folder(tmp_path)
    monkeypatch.setattr(files, "_notebook_reader", lambda: None)
    without = scan_folder(tmp_path)
    assert without.imports == with_msgspec.imports
    assert [(i.kind, i.location) for i in without.issues] == [(i.kind, i.location) for i in with_msgspec.issues]


def test_nbformat_3_file(tmp_path: Path) -> None:
    nb3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "import numpy", "language": "python", "outputs": [], "metadata": {}}
    ], "metadata": {}}]}
    write(tmp_path, {"old.ipynb": json.dumps(nb3)})
    assert modules(scan_folder(tmp_path)) == [("numpy", "old.ipynb")]


def test_python_file_with_coding_cookie(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes("# -*- coding: latin-1 -*-\nx = 'é'\nimport numpy\n".encode("latin-1"))
    result = scan_folder(tmp_path)
    assert [(s.module, s.location) for s in result.imports] == [("numpy", Location("latin.py", None, 3))]


def test_percent_script_is_read_as_a_notebook(tmp_path: Path) -> None:
    pytest.importorskip("jupytext")
    write(tmp_path, {"analysis.py": (
        "# %% [markdown]\n# Title\n\n"
        "# %%\n# %pip install seaborn==0.13\nimport numpy\n\n"
        "# %%\nimport pandas\n"
    )})
    result = scan_folder(tmp_path)
    assert [(s.module, s.location.cell, s.location.line) for s in result.imports] == [
        ("numpy", 1, 2),
        ("pandas", 2, 1),
    ]
    assert [(h.name, h.location.cell) for h in result.installs] == [("seaborn", 1)]


def test_myst_notebook(tmp_path: Path) -> None:
    pytest.importorskip("jupytext")
    write(tmp_path, {"page.md": (
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n  display_name: Python 3\n  language: python\n---\n\n"
        "# A page\n\n```{code-cell} ipython3\n%pip install altair\nimport altair as alt\n```\n\n"
        "```python\nimport not_a_cell\n```\n"
    )})
    result = scan_folder(tmp_path)
    assert [(s.module, s.location.path, s.location.line) for s in result.imports] == [("altair", "page.md", 2)]
    assert [h.name for h in result.installs] == ["altair"]


# --------------------------------------------------------------------------- local code

def test_local_modules_are_excluded_and_listed(tmp_path: Path) -> None:
    write(tmp_path, {
        "helpers.py": "import toolz",
        "mypkg/__init__.py": "",
        "mypkg/core.py": "from . import x\nimport mypkg.other",
        "nsmod/mod.py": "",
        "src/srcpkg/__init__.py": "",
        "notebooks/sibling.py": "",
        "notebooks/a.ipynb": notebook("import helpers, mypkg.core, nsmod.mod, srcpkg, sibling\nimport numpy"),
        "other/b.ipynb": notebook("import sibling"),
    })
    result = scan_folder(tmp_path)
    assert modules(result) == [
        ("toolz", "helpers.py"),
        ("numpy", "notebooks/a.ipynb"),
        ("sibling", "other/b.ipynb"),  # sibling.py lives next to a.ipynb, not b.ipynb
    ]
    assert result.local_modules == frozenset({"helpers", "mypkg", "nsmod", "srcpkg", "sibling"})


@pytest.mark.parametrize(
    ("entry", "local"),
    [
        ('"../lib"', True),
        ('os.path.abspath("../lib")', True),
        ('"/nonexistent/lib"', False),
        ('"../../outside"', False),
    ],
)
def test_sys_path_additions_make_modules_local(tmp_path: Path, entry: str, local: bool) -> None:
    write(tmp_path, {
        "lib/shared.py": "",
        "nb/a.ipynb": notebook(f"import sys, os\nsys.path.append({entry})\nimport shared"),
    })
    result = scan_folder(tmp_path)
    assert ([m for m, _ in modules(result)] == []) is local
    assert any(i.kind == "other" for i in result.issues) is (not local)


def test_absolute_sys_path_inside_the_root(tmp_path: Path) -> None:
    code = f"sys.path.insert(0, {str(tmp_path / 'lib')!r})\nimport shared"
    write(tmp_path, {"lib/shared.py": "", "a.ipynb": notebook(code)})
    assert scan_folder(tmp_path).imports == ()


def test_writefile_in_one_notebook_is_local_for_another(tmp_path: Path) -> None:
    write(tmp_path, {
        "a.ipynb": notebook("%%writefile tools.py\nimport numpy\n"),
        "b.ipynb": notebook("import tools"),
    })
    result = scan_folder(tmp_path)
    assert modules(result) == [("numpy", "a.ipynb")]
    assert result.local_modules == frozenset({"tools"})


def test_target_python_selects_the_stdlib(tmp_path: Path) -> None:
    write(tmp_path, {"a.ipynb": notebook("import distutils, tomllib")})
    assert [m for m, _ in modules(scan_folder(tmp_path, target_python="3.8"))] == ["tomllib"]
    assert [m for m, _ in modules(scan_folder(tmp_path, target_python="3.12"))] == ["distutils"]


def test_result_is_json_and_deterministic(tmp_path: Path) -> None:
    write(tmp_path, {f"n{i}.ipynb": notebook(f"import m{i}\n!pip install p{i}") for i in range(5)})
    first = to_json(scan_folder(tmp_path))
    assert json.loads(json.dumps(first)) == first == to_json(scan_folder(tmp_path))
    assert first["files"] == sorted(first["files"])


# --------------------------------------------------------------------------- cache

def test_rescan_rereads_only_the_changed_file(tmp_path: Path) -> None:
    write(tmp_path, {f"n{i}.ipynb": notebook(f"import m{i}") for i in range(20)})
    cache = ScanCache()
    cold = scan_folder(tmp_path, cache=cache)
    assert cache.reads == 20
    assert scan_folder(tmp_path, cache=cache) == cold
    assert cache.reads == 20
    write(tmp_path, {"n7.ipynb": notebook("import changed_module")}, age_s=5)
    warm = scan_folder(tmp_path, cache=cache)
    assert cache.reads == 21
    assert ("changed_module", "n7.ipynb") in modules(warm)
    assert ("m7", "n7.ipynb") not in modules(warm)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_rescan_in_a_git_repository_sees_edits_additions_and_removals(tmp_path: Path) -> None:
    write(tmp_path, {f"n{i}.ipynb": notebook(f"import m{i}") for i in range(5)})
    git(tmp_path, "init", "-q")
    cache = ScanCache()
    scan_folder(tmp_path, cache=cache)
    write(tmp_path, {"n1.ipynb": notebook("import edited"), "new.ipynb": notebook("import added")}, age_s=5)
    (tmp_path / "n2.ipynb").unlink()
    result = scan_folder(tmp_path, cache=cache)
    assert modules(result) == [
        ("m0", "n0.ipynb"), ("edited", "n1.ipynb"), ("m3", "n3.ipynb"), ("m4", "n4.ipynb"), ("added", "new.ipynb"),
    ]
    assert cache.reads == 5 + 2


def test_a_rewrite_within_one_clock_tick_is_not_missed(tmp_path: Path) -> None:
    """Same size, same mtime, new content: only trusting old-enough mtimes catches it."""
    path = tmp_path / "a.ipynb"
    cache = ScanCache()
    path.write_text(notebook("import aaaa"), encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    assert [m for m, _ in modules(scan_folder(tmp_path, cache=cache))] == ["aaaa"]
    path.write_text(notebook("import bbbb"), encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # as if within the same tick
    assert [m for m, _ in modules(scan_folder(tmp_path, cache=cache))] == ["bbbb"]


def test_switching_target_python_rereads_nothing(tmp_path: Path) -> None:
    """The server scans for the running Python, then for the kernel's: one read serves both."""
    write(tmp_path, {"a.ipynb": notebook("import distutils")})
    cache = ScanCache()
    assert modules(scan_folder(tmp_path, cache=cache, target_python="3.8")) == []
    assert modules(scan_folder(tmp_path, cache=cache, target_python="3.12")) == [("distutils", "a.ipynb")]
    assert modules(scan_folder(tmp_path, cache=cache, target_python="3.8")) == []
    assert cache.reads == 1


def test_deleted_files_leave_the_result(tmp_path: Path) -> None:
    write(tmp_path, {"a.ipynb": notebook("import x1"), "b.ipynb": notebook("import x2")})
    cache = ScanCache()
    scan_folder(tmp_path, cache=cache)
    (tmp_path / "b.ipynb").unlink()
    assert modules(scan_folder(tmp_path, cache=cache)) == [("x1", "a.ipynb")]
    cache.forget([str(tmp_path / "a.ipynb")])
    assert len(cache) == 1


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_worker_processes_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    from jupyter_rees_ui.adapters import files

    monkeypatch.setattr(files, "_start_method", lambda available: method)

    every_field = ("try:\n    import a\nexcept ImportError:\n    import b", "%%writefile w.py\nimport c",
                   "sys.path.append('../lib')", "def broken(:\n    import d", "importlib.import_module(x)")
    meta = {"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}}
    write(tmp_path, {f"d{i % 3}/n{i}.ipynb": notebook(f"import m{i}\n%pip install p{i}", *every_field, metadata=meta)
                     for i in range(12)})
    serial = scan_folder(tmp_path)
    monkeypatch.setattr(files, "PARALLEL_MIN_FILES", 2)
    batches: list[int] = []
    real = files._read_in_processes

    def counting(pending: list, count: int, all_syntax: bool = False) -> list:
        batches.append(len(pending))
        return real(pending, count, all_syntax)

    monkeypatch.setattr(files, "_read_in_processes", counting)
    cache = ScanCache()
    assert scan_folder(tmp_path, workers=2, cache=cache) == serial
    assert batches == [12] and cache.reads == 12


def test_all_syntax_reads_again_what_a_quick_scan_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_rees_ui.adapters import files

    write(tmp_path, {"a.ipynb": notebook("import numpy", "for i in x\n    pass"), "m.py": "y = (\n"})
    cache = ScanCache()
    assert scan_folder(tmp_path, cache=cache).issues == ()
    full = scan_folder(tmp_path, cache=cache, all_syntax=True)
    assert cache.reads == 4  # both files again: the quick scan parsed neither broken unit
    assert [(i.location.path, i.location.cell, i.kind) for i in full.issues] == [
        ("a.ipynb", 1, "syntax-error"), ("m.py", None, "syntax-error")]
    assert scan_folder(tmp_path, cache=cache).issues == full.issues  # a fuller result serves a quick scan
    assert cache.reads == 4
    monkeypatch.setattr(files, "PARALLEL_MIN_FILES", 1)
    assert scan_folder(tmp_path, workers=2, all_syntax=True) == full


def test_workers_fork_only_from_a_single_threaded_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import threading

    from jupyter_rees_ui.adapters.files import _start_method

    every = ["fork", "forkserver", "spawn"]
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert _start_method(every) == "fork"  # the command line
    monkeypatch.setattr(threading, "active_count", lambda: 3)
    assert _start_method(every) == "forkserver"  # a server: a forked child could inherit a held lock
    assert _start_method(["spawn"]) == "spawn"
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert _start_method(every) == "forkserver"


@pytest.mark.parametrize(("method", "processes"), [("fork", True), ("forkserver", False)])
def test_forked_workers_pay_off_on_smaller_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, processes: bool
) -> None:
    from jupyter_rees_ui.adapters import files

    count = files.PARALLEL_MIN_FORKED + 10
    assert count < files.PARALLEL_MIN_FILES
    write(tmp_path, {f"n{i}.ipynb": notebook(f"import m{i}") for i in range(count)})
    monkeypatch.setattr(files, "_start_method", lambda available: method)
    used: list[int] = []
    monkeypatch.setattr(files, "_read_in_processes", lambda pending, n, every=False: used.append(n) or [
        files.read_and_scan(Path(p), r) for p, r, *_ in pending])
    assert len(scan_folder(tmp_path, workers=2).imports) == count
    assert used == ([2] if processes else [])
    used.clear()
    scan_folder(tmp_path, workers=1)
    assert used == []  # one worker asked for: never processes


def test_linux_start_methods_are_those_multiprocessing_lists() -> None:
    """``_start_methods`` answers on Linux without importing multiprocessing: the list
    it gives must be the one multiprocessing would give."""
    import multiprocessing
    import sys

    from jupyter_rees_ui.adapters import files

    if not sys.platform.startswith("linux"):
        pytest.skip("the list is asked of multiprocessing elsewhere")
    assert files._start_methods() == multiprocessing.get_all_start_methods()


def _forked_folder(root: Path, count: int = 40) -> None:
    meta = {"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}}
    write(root, {f"d{i % 4}/n{i}.ipynb": notebook(f"import m{i}", "%pip install p{i}", "def broken(:\n    import q",
                                                   metadata=meta)
                 for i in range(count)})


@pytest.mark.slow
def test_a_forked_read_imports_no_process_pool(tmp_path: Path) -> None:
    """The command line's read in forked children gives the result of a read in one
    process, and neither multiprocessing nor concurrent.futures is imported for it."""
    _forked_folder(tmp_path)
    script = (
        "import sys, json\n"
        "from jupyter_rees_ui.adapters import files\n"
        "from jupyter_rees_ui.core.model import to_json\n"
        "files.PARALLEL_MIN_FORKED = 2\n"
        f"forked = files.scan_folder({str(tmp_path)!r}, workers=2)\n"
        "pooled = [m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules]\n"
        f"serial = files.scan_folder({str(tmp_path)!r}, workers=1)\n"
        "print(json.dumps([pooled, forked == serial, len(forked.files)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[], True, 40]


def _forking_here(monkeypatch: pytest.MonkeyPatch, files, child=None) -> list[int]:
    """Have a scan of a few files fork its readers, and note their pids (``child`` runs
    first in each child)."""
    forks: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        elif child is not None:
            child()
        return pid

    monkeypatch.setattr(files.os, "fork", counted_fork)
    monkeypatch.setattr(files, "_start_method", lambda available: "fork")
    monkeypatch.setattr(files, "PARALLEL_MIN_FORKED", 2)
    return forks


@pytest.mark.slow
def test_a_batch_whose_child_ended_is_read_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked child that ends without sending its batch back (killed, crashed) costs
    nothing but time: the batches it did not send are read in this process, in order,
    and nothing is left running."""
    from jupyter_rees_ui.adapters import files

    _forked_folder(tmp_path)
    serial = scan_folder(tmp_path)
    parent = os.getpid()
    real = files._read_batch

    def dies_in_a_child(job: list) -> list:
        if os.getpid() != parent and any(relative.endswith("n7.ipynb") for _, relative, _ in job):
            os._exit(3)
        return real(job)

    monkeypatch.setattr(files, "_read_batch", dies_in_a_child)
    forks = _forking_here(monkeypatch, files)
    calls: list[list] = []
    assert scan_folder(tmp_path, workers=2, meanwhile=calls.append) == serial
    assert calls[0] == [] and sorted(s.path for batch in calls for s in batch) == sorted(serial.files)
    assert len(forks) == 2
    for pid in forks:  # each was waited for
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


@pytest.mark.slow
def test_a_cancelled_forked_read_stops_its_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from jupyter_rees_ui.adapters import files

    _forked_folder(tmp_path)
    cancel = threading.Event()
    forks = _forking_here(monkeypatch, files, child=lambda: time.sleep(5))  # slow: the cancel comes first
    seen: list[tuple[int, int]] = []

    def progress(phase: str, done: int, total: int, path: str) -> None:
        seen.append((done, total))

    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(files.Cancelled):
        scan_folder(tmp_path, workers=2, cancel=cancel, progress=progress)
    assert time.monotonic() - started < 4  # the sleeping children were not waited out
    assert len(forks) == 2
    for pid in forks:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_the_garbage_collector_is_back_after_a_scan(tmp_path: Path) -> None:
    import gc

    write(tmp_path, {"a.ipynb": notebook("import numpy"), "bad.ipynb": "{"})
    scan_folder(tmp_path)
    assert gc.isenabled()
    gc.disable()
    try:
        scan_folder(tmp_path, cache=ScanCache())
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


# ---------------------------------------------------------------------------- the reader against plain json
#
# Reading an .ipynb must give the scanner exactly what ``json.loads`` gives, whatever the
# layout, and must call every malformed file unreadable. These cases pin that down for
# any faster reader (one that skips outputs without decoding them must pass them too).


def jupyter_layout(nb: dict) -> bytes:
    """As Jupyter writes a notebook: indent 1, sorted keys, non-ASCII kept."""
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def compact_shuffled(nb: dict) -> bytes:
    """Not Jupyter's layout: no whitespace, keys in reverse order, ASCII escapes."""

    def reverse(value: object) -> object:
        if isinstance(value, dict):
            return {k: reverse(value[k]) for k in sorted(value, reverse=True)}
        if isinstance(value, list):
            return [reverse(v) for v in value]
        return value

    return json.dumps(reverse(nb), separators=(",", ":")).encode()


def code_cell(source: str | list[str], outputs: list | None = None, **extra: object) -> dict:
    return {"cell_type": "code", "execution_count": 1, "id": "c", "metadata": {}, "outputs": outputs or [],
            "source": source, **extra}


PNG = {"output_type": "display_data", "metadata": {},
       "data": {"image/png": "iVBORw0KGgo" + "Ab+/" * 5_000 + "\n", "text/plain": ["<Figure>"]}}
TRICKY_OUTPUT = {"output_type": "stream", "name": "stdout",
                 "text": ['a "quoted" \\ back\\slash \\" and "source": [\n', "]}], \"cells\": [\n", "é ✓ \U0001f600\n"]}
PYTHON_META = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
               "language_info": {"name": "python"}}

READER_CASES = [
    ("string source", [code_cell("import numpy\nimport pandas")]),
    ("list source", [code_cell(["import numpy\n", "import pandas"])]),
    ("empty source", [code_cell(""), code_cell([]), code_cell("import os")]),
    ("escaped quotes in source", [code_cell('s = "a\\"b"\nimport numpy  # "x" \\\\')]),
    ("backslashes before a quote", [code_cell(["x = '\\\\'\n", 'y = "\\\\"\n', "import scipy\n"])]),
    ("unicode source", [code_cell("# é ✓ \U0001f600 \u2028\nimport numpy")]),
    ("tricky outputs", [code_cell("import numpy", [TRICKY_OUTPUT, PNG]), code_cell("import pandas", [PNG])]),
    ("no outputs key", [{"cell_type": "code", "metadata": {}, "source": "import numpy"}]),
    ("markdown and raw", [{"cell_type": "markdown", "metadata": {}, "source": "import notcode"},
                          {"cell_type": "raw", "metadata": {}, "source": ["import notcode\n"]},
                          code_cell("import numpy")]),
    ("attachments", [{"cell_type": "markdown", "metadata": {}, "source": "![x](attachment:x.png)",
                      "attachments": {"x.png": {"image/png": PNG["data"]["image/png"]}}},
                     code_cell("import numpy")]),
    ("a key named source in outputs", [code_cell("import numpy", [{"output_type": "execute_result",
                                        "execution_count": 1, "metadata": {"source": "import evil"},
                                        "data": {"text/plain": ["'source'"]}}])]),
    ("magics and shell", [code_cell(["%pip install requests\n", "!ls\n", "import requests\n"])]),
]


def reader_notebook(cells: list, metadata: dict | None = None, nbformat: int = 4) -> dict:
    return {"cells": cells, "metadata": PYTHON_META if metadata is None else metadata,
            "nbformat": nbformat, "nbformat_minor": 5}


def scan_both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """The scan through the normal reader, and through plain json (msgspec absent)."""
    from jupyter_rees_ui.adapters import files
    from jupyter_rees_ui.core.scan import scan_notebook_code

    def scan() -> object:
        try:
            nb = files.read_notebook_bytes(data)
        except ValueError:
            return "unreadable"
        return scan_notebook_code(nb, "x.ipynb", keep_stdlib=True)

    fast = scan()
    with monkeypatch.context() as patch:
        patch.setattr(files, "_notebook_reader", lambda: None)
        plain = scan()
    return fast, plain


@pytest.mark.parametrize("layout", [jupyter_layout, compact_shuffled])
@pytest.mark.parametrize(("name", "cells"), READER_CASES, ids=[c[0] for c in READER_CASES])
def test_reader_matches_plain_json(name: str, cells: list, layout, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain = scan_both_ways(layout(reader_notebook(cells)), monkeypatch)
    assert fast == plain
    assert fast != "unreadable"
    assert "notcode" not in {s.module for s in fast.imports} and "evil" not in {s.module for s in fast.imports}


@pytest.mark.parametrize("metadata", [
    {},
    {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}},
    {"language_info": {"name": "julia"}},
    {"kernelspec": {"name": "python3"}, "other": {"source": "import evil", "outputs": ["x" * 70_000]}},
])
def test_reader_metadata_matches_plain_json(metadata: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    for layout in (jupyter_layout, compact_shuffled):
        data = layout(reader_notebook([code_cell("import numpy", [PNG])], metadata))
        fast, plain = scan_both_ways(data, monkeypatch)
        assert fast == plain != "unreadable"


def test_reader_nbformat_3_matches_plain_json(monkeypatch: pytest.MonkeyPatch) -> None:
    nb3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "import numpy", "language": "python", "outputs": [PNG]}]}]}
    fast, plain = scan_both_ways(jupyter_layout(nb3), monkeypatch)
    assert fast == plain
    assert [s.module for s in fast.imports] == ["numpy"]


BROKEN_NOTEBOOKS = [
    ("raw newline in an output string", b'"text/plain": "a\nb"'),
    ("raw tab in an output string", b'"image/png": "iVBOR\tAAAA"'),
    ("control byte in a long output string", b'"image/png": "' + b"A" * 100_000 + b'\x01"'),
    ("invalid escape in an output", b'"text/plain": "a\\qb"'),
    ("bad unicode escape in an output", b'"text/plain": "\\u12G4"'),
    ("trailing comma in an output", b'"data": {"a": 1,}'),
    ("bad literal in an output", b'"execution_count": tru'),
]


@pytest.mark.parametrize(("name", "output"), BROKEN_NOTEBOOKS, ids=[c[0] for c in BROKEN_NOTEBOOKS])
def test_malformed_outputs_make_a_notebook_unreadable(name: str, output: bytes,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = (b'{\n "cells": [\n  {\n   "cell_type": "code",\n   "outputs": [\n    {\n     ' + output
            + b'\n    }\n   ],\n   "source": "import numpy"\n  }\n ],\n "metadata": {},\n "nbformat": 4\n}\n')
    assert scan_both_ways(data, monkeypatch) == ("unreadable", "unreadable")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_notebook_is_unreadable(keep: float, monkeypatch: pytest.MonkeyPatch) -> None:
    data = jupyter_layout(reader_notebook([code_cell("import numpy", [TRICKY_OUTPUT, PNG]), code_cell("import os")]))
    cut = data[: int(len(data) * keep)]
    assert scan_both_ways(cut, monkeypatch) == ("unreadable", "unreadable")


SOURCE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
OUTPUT = st.one_of(
    st.fixed_dictionaries({"output_type": st.just("stream"), "name": st.just("stdout"),
                           "text": st.lists(SOURCE_TEXT, max_size=3)}),
    st.fixed_dictionaries({"output_type": st.just("display_data"), "metadata": st.just({}),
                           "data": st.dictionaries(st.sampled_from(["image/png", "text/plain", "text/html"]),
                                                   SOURCE_TEXT | st.text("AB+/=\\\"\n", max_size=3000))}),
    JSON,
)
GENERATED_CELL = st.builds(
    lambda kind, source, outputs, with_outputs: (
        {"cell_type": kind, "metadata": {}, "source": source,
         **({"outputs": outputs, "execution_count": None} if with_outputs else {})}),
    st.sampled_from(["code", "code", "markdown", "raw"]),
    st.sampled_from(["import numpy\n", "import pandas as pd\n", "%pip install x\n", "s = '\\\"'\n"]).flatmap(
        lambda line: st.lists(st.just(line) | SOURCE_TEXT, max_size=4)) | SOURCE_TEXT,
    st.lists(OUTPUT, max_size=3),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(GENERATED_CELL, max_size=5), metadata=st.sampled_from([PYTHON_META, {}, {"kernelspec": {}}]),
       layout=st.sampled_from([jupyter_layout, compact_shuffled]))
def test_generated_notebooks_read_as_plain_json_does(cells: list, metadata: dict, layout) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, plain = scan_both_ways(layout(reader_notebook(cells, metadata)), monkeypatch)
    assert fast == plain


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_meanwhile_hears_of_the_reading_and_every_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """``meanwhile([])`` comes first (the workers have the files, or before reading
    here), then the scans as they are read: together, every file read; nothing read,
    it is still called."""
    from jupyter_rees_ui.adapters import files

    monkeypatch.setattr(files, "PARALLEL_MIN_FILES", 2)
    write(tmp_path, {f"n{i}.ipynb": notebook(f"import m{i}") for i in range(40)})
    calls: list[list] = []
    cache = ScanCache()
    result = scan_folder(tmp_path, workers=workers, cache=cache, meanwhile=calls.append)
    assert calls[0] == [] and len(calls) >= 2
    assert sorted(s.path for batch in calls for s in batch if s is not None) == sorted(result.files)
    calls.clear()
    scan_folder(tmp_path, workers=workers, cache=cache, meanwhile=calls.append)  # all cached
    assert calls and all(batch == [] for batch in calls)
