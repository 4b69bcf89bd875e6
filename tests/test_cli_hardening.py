"""Every input error of `jupyter rees` exits 2 with one line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
LONG = "x" * 300


def rees(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_rees_ui.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.mark.parametrize(
    "args",
    [
        ["propose", f"/tmp/{LONG}"],
        ["write", f"/tmp/{LONG}"],
        ["check", f"/tmp/{LONG}"],
        ["badge", f"/tmp/{LONG}"],
        ["commit", f"/tmp/{LONG}"],
        ["propose", "no/such/folder"],
    ],
)
def test_a_bad_folder_exits_2_with_one_line(args):
    result = rees(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert len(result.stderr) < 300


def test_a_long_remove_path_exits_2(tmp_path):
    result = rees("write", str(tmp_path), "--remove", f"{LONG}/requirements.txt")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_commit_takes_files_after_the_message(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env={**os.environ, **GIT_ENV})
    (tmp_path / "README.md").write_text("# Project\n")
    result = rees("badge", str(tmp_path), "--readme", "--yes", "--doi", "10.5281/zenodo.1234567")
    assert result.returncode == 0, result.stderr
    result = rees("commit", str(tmp_path), "-m", "Add the Binder badge", "README.md")
    assert result.returncode == 0, result.stderr
    log = subprocess.run(
        ["git", "-C", str(tmp_path), "log", "--name-only", "--format=%s"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert log.split() == ["Add", "the", "Binder", "badge", "README.md"]
    assert rees("commit", str(tmp_path), "-m", "x", "--bogus").returncode == 2


@pytest.mark.parametrize("command", ["propose", "check", "write", "verify"])
@pytest.mark.parametrize("size", ["lots", "-1", "0.5", "2T", ""])
def test_a_bad_file_size_limit_exits_2_with_one_line(tmp_path, command, size):
    result = rees(command, str(tmp_path), "--max-file-size", size)
    assert result.returncode == 2
    assert "--max-file-size takes a size" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_the_file_size_limit_is_applied_and_reported(tmp_path):
    """A file over --max-file-size is reported and its imports are not read, also when
    an earlier run (without the limit) kept its scan; 0 lifts the limit."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "small.py").write_text("import numpy\n")
    (folder / "big.py").write_text("import scipy\n" + "# padding\n" * 300)
    env = {**os.environ, **GIT_ENV, "XDG_CACHE_HOME": str(tmp_path / "cache"), "GIT_CEILING_DIRECTORIES": str(tmp_path)}

    def propose(*options: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "jupyter_rees_ui.cli", "propose", str(folder), "--json", *options],
            capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).resolve().parents[1],
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def read(proposal: dict) -> set[str]:
        return {row["name"] for row in proposal["requirements"]}

    assert {"numpy", "scipy"} <= read(propose())
    limited = propose("--max-file-size", "2K")
    assert "scipy" not in read(limited) and "numpy" in read(limited)
    [issue] = [i for i in limited["issues"] if i["location"]["path"] == "big.py"]
    assert "over the size limit of 2.0 KB" in issue["message"]
    assert {"numpy", "scipy"} <= read(propose("--max-file-size", "0"))


def test_verify_reads_no_file_over_the_size_limit(tmp_path, monkeypatch):
    """verify's scans (the proposal's, and its own of each notebook's imports) apply the
    size limit the request carries, as propose does."""
    from jupyter_rees_ui import workflow
    from jupyter_rees_ui.adapters import files, verify

    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "requirements.txt").write_text("numpy\n")
    limits = []

    class Stop(Exception):
        pass

    def scan_folder(root, **options):
        limits.append(options.get("max_bytes", "not given"))
        raise Stop

    monkeypatch.setattr(files, "scan_folder", scan_folder)
    with pytest.raises(Stop):
        workflow.verify(workflow.VerifyRequest(workflow.local_folder(tmp_path), max_bytes=2048))
    with pytest.raises(Stop):
        verify.verify_folder(tmp_path, max_bytes=2048)
    assert limits == [2048, 2048]
