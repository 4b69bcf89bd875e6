"""Every input error of `jupyter rees` exits 2 with one line, never a traceback."""

from __future__ import annotations

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
