"""Binder's own code judges what we write: repo2docker's Docker-free dry run on folders
written by the Writer (buildpack, Python version, every requirement installed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_rees_ui.adapters import repo2docker_check
from jupyter_rees_ui.adapters.rees_files import preview, write
from jupyter_rees_ui.core.model import ProposedRequirement
from jupyter_rees_ui.core.rees import render_rees

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not repo2docker_check.available(), reason="jupyter-repo2docker not installed"
    ),
]

ROWS = [
    ProposedRequirement("numpy", specifier="==1.26.4", source="conda"),
    ProposedRequirement("pandas", specifier="==2.1.0"),
    ProposedRequirement("torch", specifier="==2.1.0", source="conda"),
    ProposedRequirement("tool", url="git+https://github.com/o/tool@0123456789abcdef", source="vcs"),
]


def written(root: Path, fmt: str, python: str, target: str = "binder") -> Path:
    write(root, preview(root, render_rees(ROWS, python, fmt=fmt), target=target))
    return root


CASES = [
    # (format, python, target, buildpack, files the Dockerfile installs, requirements checked)
    (
        "requirements",
        "3.11.4",
        "binder",
        "PythonBuildPack",
        ("binder/requirements.txt",),
        ["numpy", "pandas", "tool", "torch"],
    ),
    (
        "requirements",
        "3.12",
        ".",
        "PythonBuildPack",
        ("requirements.txt",),
        ["numpy", "pandas", "tool", "torch"],
    ),
    (
        "requirements",
        "3.10",
        ".binder",
        "PythonBuildPack",
        (".binder/requirements.txt",),
        ["numpy", "pandas", "tool", "torch"],
    ),
    (
        "environment",
        "3.12",
        "binder",
        "CondaBuildPack",
        ("binder/environment.yml",),
        ["numpy", "pandas", "pytorch", "tool"],
    ),
]


@pytest.mark.parametrize(("fmt", "python", "target", "buildpack", "used", "names"), CASES)
def test_repo2docker_builds_what_we_write(tmp_path, fmt, python, target, buildpack, used, names):
    summary = repo2docker_check.check(written(tmp_path, fmt, python, target))
    assert summary.error is None
    assert summary.buildpack == buildpack
    assert summary.python_version == ".".join(python.split(".")[:2])
    assert summary.files_used == used
    assert sorted(r.name for r in summary.requirements) == names
    assert all(r.reached for r in summary.requirements) and summary.ok


def test_cli_dry_run_agrees(tmp_path):
    """``repo2docker --no-run --no-build`` prints the Dockerfile; it installs our file."""
    folder = written(tmp_path, "requirements", "3.11")
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-run", "--no-build", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in result.stdout
    assert "Building conda environment for python=3.11" in result.stdout + result.stderr


def test_written_environment_is_picked_over_an_old_requirements_file(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "requirements.txt").write_text("requests\n")
    summary = repo2docker_check.check(written(tmp_path, "environment", "3.11"))
    assert summary.buildpack == "CondaBuildPack"
    assert "binder/requirements.txt" not in summary.files_used
    ignored = [r for r in summary.requirements if r.file == "binder/requirements.txt"]
    assert [(r.name, r.reached) for r in ignored] == [("requests", False)]
    assert not summary.ok


@pytest.mark.parametrize(
    ("files", "python", "error"),
    [
        # why runtime.txt must be python-X.Y: repo2docker passes detection, then fails
        ({"runtime.txt": "python-3.12.1\n"}, None, "3.12.1"),
        # why environment.yml must say python=X.Y: ">=" is silently not understood
        ({"environment.yml": "dependencies:\n  - python>=3.12\n"}, "3.10", None),
    ],
)
def test_forms_repo2docker_misreads(tmp_path, files, python, error):
    (tmp_path / "binder").mkdir()
    for name, text in files.items():
        (tmp_path / "binder" / name).write_text(text)
    summary = repo2docker_check.check(tmp_path)
    if error:
        assert summary.error is not None and error in summary.error
    else:
        assert summary.error is None and summary.python_version == python


def test_empty_folder_falls_back_to_python(tmp_path):
    summary = repo2docker_check.check(tmp_path)
    assert (summary.buildpack, summary.binder_dir, summary.requirements) == (
        "PythonBuildPack",
        "",
        (),
    )


def test_an_interpreter_without_repo2docker_gives_an_error_summary(tmp_path):
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None or python == sys.executable:
        pytest.skip("no second interpreter")
    summary = repo2docker_check.check(tmp_path, python=python)
    assert summary.error is not None and "repo2docker" in summary.error
    assert not summary.ok
