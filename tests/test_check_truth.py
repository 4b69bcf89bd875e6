"""`check` tells the truth: unverified lines and missing verified rows fail it, and
``--resolve`` asks a resolver (hermetically here: a local folder of wheels, no index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from jupyter_rees_ui.adapters.resolver import resolve_requirements
from jupyter_rees_ui.core.check import check_rees
from jupyter_rees_ui.core.model import Proposal, ProposedRequirement


def row(name, trust="verified", **extra):
    return ProposedRequirement(name=name, modules=(name,), trust=trust, **extra)


PROPOSAL = Proposal(
    root="p",
    python_version="3.11",
    requirements=(
        row("numpy"),
        row("frobnicate", trust="unverified", included=False),
        row("ipython-autotime", trust="known"),
    ),
    local_modules=("helpers",),
)


@pytest.mark.parametrize(
    ("text", "missing", "unverified", "ok"),
    [
        ("numpy==2.0\nipython-autotime\n", [], [], True),
        ("ipython-autotime\n", ["numpy"], [], False),  # a verified row is missing
        ("numpy\n", [], [], True),  # a known row absent: reported, not failing
        ("numpy\nfrobnicate\n", [], ["frobnicate"], False),  # a guess written anyway
        ("numpy\nhelpers\n", [], ["helpers"], False),  # the project's own module
        ("numpy\ncPickle\n", [], ["cpickle"], False),  # Python 2's standard library
    ],
)
def test_check_rees_table(text, missing, unverified, ok):
    result = check_rees(PROPOSAL, {"requirements.txt": text})
    assert [r.name for r in result.missing] == missing
    assert [name for name, _ in result.unverified] == unverified
    assert result.ok is ok


def test_covered_counts_declared_rows():
    result = check_rees(PROPOSAL, {"requirements.txt": "numpy\nipython-autotime\n"})
    assert result.covered == 2
    assert check_rees(PROPOSAL, {"requirements.txt": "numpy\n"}).covered == 1


# --------------------------------------------------------------------------- --resolve


@pytest.fixture
def local_index(wheel_index, tiny_wheel):
    tiny_wheel(wheel_index, "tinyone")
    return wheel_index


def running() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def test_resolve_accepts_what_the_index_has(tmp_path, local_index):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tinyone==1.0\n")
    result = resolve_requirements(requirements, running(), uv=False)
    assert result.ok is True, result.message


def test_resolve_names_the_line_pip_cannot_find(tmp_path, local_index):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tinyone\nnot-on-this-index\n")
    result = resolve_requirements(requirements, running(), uv=False)
    assert result.ok is False
    assert "not-on-this-index" in result.message


def rees(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_rees_ui.cli", *args],
        capture_output=True, text=True, timeout=180, env=dict(os.environ),
    )


def test_check_cli_fails_on_an_unverified_line_and_resolves_on_request(tmp_path, local_index, tiny_notebook):
    project = tmp_path / "project"
    (project / "binder").mkdir(parents=True)
    tiny_notebook(project / "nb.ipynb", "import tinyone\nimport frobnicate_zz\nimport helpers")
    (project / "helpers.py").write_text("")
    requirements = project / "binder" / "requirements.txt"

    requirements.write_text("tinyone\nfrobnicate-zz\nhelpers\n")
    failed = rees("check", str(project))
    assert failed.returncode == 1
    assert "unverified: frobnicate-zz" in failed.stdout
    assert "unverified: helpers (a module of the project itself" in failed.stdout

    requirements.write_text("tinyone\n")  # not installed in the kernel: a guess
    guess = rees("check", str(project))
    assert guess.returncode == 1
    assert "unverified: tinyone" in guess.stdout
    assert "not confirmed: frobnicate_zz" in guess.stdout

    (project / "binder" / "runtime.txt").write_text(f"python-{running()}\n")
    resolved = rees("check", str(project), "--resolve")
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    assert f"it resolves for Python {running()}" in resolved.stderr
    assert "confirmed by the resolver: tinyone" in resolved.stdout

    requirements.write_text("tinyone\nnot-on-this-index\n")
    broken = rees("check", str(project), "--resolve")
    assert broken.returncode == 1
    assert "does not resolve" in broken.stdout and "not-on-this-index" in broken.stdout


# --------------------------------------------------------------------------- non-Python projects

from jupyter_rees_ui.core.rees import non_python_refusal  # noqa: E402


@pytest.mark.parametrize(
    ("existing", "languages", "python_code", "refused"),
    [
        ({}, {"a.ipynb": "python"}, True, None),
        ({}, {"a.ipynb": "r"}, False, "not Python"),
        ({}, {"a.ipynb": "julia"}, False, "not Python"),
        ({"binder/runtime.txt": "r-2024-01-15\n", "binder/install.R": None}, {}, True, "selects R"),
        ({"runtime.txt": "r-4.3-2024-01-15"}, {}, True, "selects R"),
        ({"binder/Project.toml": None}, {}, True, "Julia"),
        ({"DESCRIPTION": None}, {"a.ipynb": "r"}, False, "R project"),
        ({"binder/runtime.txt": "python-3.11"}, {"a.ipynb": "python"}, True, None),
        ({}, {}, False, None),  # nothing found: nothing to refuse
    ],
)
def test_non_python_projects_are_refused(existing, languages, python_code, refused):
    reason = non_python_refusal(existing, languages, python_code)
    assert (reason is None) == (refused is None)
    if refused:
        assert refused in reason


def test_write_refuses_an_r_project_and_leaves_its_files(tmp_path):
    project = tmp_path / "rproject"
    (project / "binder").mkdir(parents=True)
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": [],
          "metadata": {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}}
    (project / "analysis.ipynb").write_text(json.dumps(nb))
    (project / "binder" / "install.R").write_text('install.packages("ggplot2")\n')
    result = rees("write", str(project), "--yes")
    assert result.returncode == 2
    assert "not Python" in result.stderr
    assert sorted(p.name for p in (project / "binder").iterdir()) == ["install.R"]
