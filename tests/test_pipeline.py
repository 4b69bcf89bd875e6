"""The whole pipeline on real folders: scan -> the kernel's environment -> proposal."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from jupyter_rees_ui import workflow


def propose(folder: Path, cache=None):
    request = workflow.ProposeRequest(workflow.local_folder(folder))
    return workflow.propose(request, cache=cache).proposal


def notebook(path: Path, *cells: str, kernel: str | None = "python3") -> None:
    metadata = {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}} if kernel else {}
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells], metadata=metadata), path)


def rows(proposal):
    return {r.name.lower(): r for r in proposal.requirements}


def test_calls_that_need_an_unimported_package_are_suggested(tmp_path):
    notebook(tmp_path / "a.ipynb", "import pandas as pd", "df = pd.read_excel('x.xlsx')")
    found = rows(propose(tmp_path))
    assert found["pandas"].included
    openpyxl = found["openpyxl"]
    assert openpyxl.rule == "implicit" and not openpyxl.included
    assert [(s.path, s.cell, s.line) for s in openpyxl.sites] == [("a.ipynb", 1, 1)]


def test_a_second_proposal_reads_only_what_changed(tmp_path):
    notebook(tmp_path / "a.ipynb", "import numpy")
    notebook(tmp_path / "b.ipynb", "import pandas")
    past = time.time() - 60  # files written this instant are re-read (mtime granularity)
    for name in ("a.ipynb", "b.ipynb"):
        os.utime(tmp_path / name, (past, past))
    cache = workflow.scan_cache()
    first = propose(tmp_path, cache=cache)
    reads = cache.reads
    assert propose(tmp_path, cache=cache) == first
    assert cache.reads == reads, "nothing changed: nothing re-read"
    notebook(tmp_path / "b.ipynb", "import pandas", "import matplotlib")
    os.utime(tmp_path / "b.ipynb", (past + 5, past + 5))
    third = propose(tmp_path, cache=cache)
    assert cache.reads == reads + 1
    assert "matplotlib" in rows(third)


def test_the_proposal_is_json_and_deterministic(tmp_path):
    notebook(tmp_path / "a.ipynb", "import numpy as np\nimport yaml")
    (tmp_path / "helpers.py").write_text("import requests\n")
    one = json.dumps(propose(tmp_path).to_json(), sort_keys=True)
    two = json.dumps(propose(tmp_path).to_json(), sort_keys=True)
    assert one == two
    data = json.loads(one)
    assert {r["name"].lower() for r in data["requirements"]} >= {"numpy", "pyyaml", "requests"}
