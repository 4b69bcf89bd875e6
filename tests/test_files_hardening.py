"""Only regular files are read; every per-file failure is reported and the scan goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_rees_ui.adapters.files import scan_folder

ROOT = Path(__file__).resolve().parents[1]


def notebook(source: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source, "execution_count": None}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def problems(result) -> dict[str, str]:
    return {issue.location.path: issue.message for issue in result.issues}


def git_init(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


@pytest.mark.parametrize("in_git", [False, True], ids=["walked", "git-listed"])
def test_a_link_to_a_fifo_is_reported_never_opened(tmp_path: Path, in_git: bool) -> None:
    if in_git:
        git_init(tmp_path)
    (tmp_path / "ok.ipynb").write_text(notebook("import pandas"))
    os.mkfifo(tmp_path / "pipe.ipynb")
    (tmp_path / "via.ipynb").symlink_to("pipe.ipynb")
    # In a separate process with a deadline: a scan that opens the FIFO waits for ever.
    script = (
        "import sys, json; from jupyter_rees_ui.adapters.files import scan_folder; "
        "r = scan_folder(sys.argv[1]); "
        "print(json.dumps({'imports': [i.module for i in r.imports], "
        "'issues': {i.location.path: i.message for i in r.issues}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=10
    )
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)
    assert reply["imports"] == ["pandas"]
    assert "named pipe" in reply["issues"]["via.ipynb"]
    if not in_git:  # git does not list FIFOs at all
        assert "named pipe" in reply["issues"]["pipe.ipynb"]


def test_links_that_loop_dangle_or_cannot_be_read_are_reported(tmp_path: Path) -> None:
    (tmp_path / "ok.ipynb").write_text(notebook("import pandas"))
    (tmp_path / "loop.ipynb").symlink_to("loop.ipynb")
    (tmp_path / "dangling.ipynb").symlink_to("missing.ipynb")
    (tmp_path / "dev.py").symlink_to("/dev/null")
    found = problems(scan_folder(tmp_path))
    assert "loop" in found["loop.ipynb"]
    assert "dangling" in found["dangling.ipynb"]
    assert "outside the scanned folder" in found["dev.py"] or "device" in found["dev.py"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "secret.ipynb").write_text(notebook("import numpy"))
    (tmp_path / "secret.ipynb").chmod(0)
    assert "ermission" in problems(scan_folder(tmp_path))["secret.ipynb"]


def test_deeply_nested_json_is_one_files_problem(tmp_path: Path) -> None:
    (tmp_path / "ok.ipynb").write_text(notebook("import pandas"))
    (tmp_path / "deep.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    nested = '{"a":' * 5000 + "1" + "}" * 5000
    (tmp_path / "meta.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "source": "import numpy", "metadata": ' + nested + "}], "
        '"metadata": {}, "nbformat": 4}'
    )
    result = scan_folder(tmp_path)
    assert [i.module for i in result.imports] == ["pandas"]
    found = problems(result)
    assert "nested too deeply" in found["deep.ipynb"]
    assert "nested too deeply" in found["meta.ipynb"]


def test_a_file_over_the_size_limit_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "small.ipynb").write_text(notebook("import pandas"))
    (tmp_path / "big.py").write_text("import numpy\n" + "#" * 5000)
    result = scan_folder(tmp_path, max_bytes=1000)
    assert [i.module for i in result.imports] == ["pandas"]
    assert "over the size limit" in problems(result)["big.py"]
    assert [i.module for i in scan_folder(tmp_path, max_bytes=None).imports] == ["numpy", "pandas"]
