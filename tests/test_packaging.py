"""The package as users install it, on a machine without Node.js: the sdist and wheel of
`python -m build`, the wheel installed in a fresh virtualenv, `pip install .` in a checkout
after a develop install, and the pre-commit hook installed from a git checkout.

Each test builds real environments from the package index (about a minute each)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LABEXTENSION = "jupyter_rees_ui/labextension"
SHARE = "share/jupyter/labextensions/jupyter-rees-ui"
# Removed from PATH as the extension template's CI removes Node.js: npm stays behind,
# unusable, which the build must not mistake for a working Node.js.
NODE_TOOLS = frozenset({"node", "nodejs"})
JUPYTERLAB = "jupyterlab>=4.5,<5"
BUILD_TOOLS = ("hatchling>=1.27", "hatch-nodejs-version>=0.3.2", "hatch-jupyter-builder>=0.5", "editables")
INSTALL_TIMEOUT = 900


def path_without_node(scratch: Path) -> str:
    """PATH without this environment's bin folder, and with every folder that holds node
    replaced by a folder of links to everything else in it."""
    kept = []
    own_bin = Path(sys.prefix, "bin").resolve()
    for index, entry in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        folder = Path(entry)
        if not entry or not folder.is_dir() or folder.resolve() == own_bin:
            continue
        if not any((folder / tool).exists() for tool in NODE_TOOLS):
            kept.append(entry)
            continue
        shadow = scratch / f"bin{index}"
        shadow.mkdir(parents=True)
        for item in folder.iterdir():
            if item.name not in NODE_TOOLS:
                (shadow / item.name).symlink_to(item)
        kept.append(str(shadow))
    path = os.pathsep.join(kept)
    assert shutil.which("node", path=path) is None
    return path


@pytest.fixture(scope="module")
def no_node(tmp_path_factory) -> dict[str, str]:
    """The environment variables of a shell without Node.js, nor this test run's
    virtualenv, PYTHONPATH or Jupyter paths."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not key.startswith("JUPYTER_")
    }
    env["PATH"] = path_without_node(tmp_path_factory.mktemp("path"))
    return env


def run(args: list[str | Path], env: dict[str, str], cwd: Path, timeout: float = INSTALL_TIMEOUT) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def venv(where: Path, env: dict[str, str]) -> dict[str, str]:
    """A fresh virtualenv (with pip, no system packages); the environment to run it."""
    run([sys.executable, "-m", "venv", where], env, where.parent)
    return {**env, "PATH": f"{where / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(where)}


def copy_checkout(dest: Path, *, labextension: bool) -> Path:
    """The checkout's tracked and unignored files (and the built labextension if asked)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    if labextension:
        shutil.copytree(ROOT / LABEXTENSION, dest / LABEXTENSION, ignore=shutil.ignore_patterns("install.json"))
    return dest


def needs_built_labextension() -> None:
    if not (ROOT / LABEXTENSION / "static/style.js").is_file():
        pytest.skip("the labextension is not built (npm run build:prod)")


@pytest.fixture(scope="module")
def dists(tmp_path_factory, no_node) -> tuple[Path, Path]:
    """(sdist, wheel) of `python -m build` in a copy of this checkout, without Node.js."""
    needs_built_labextension()
    if importlib.util.find_spec("build") is None:
        pytest.skip("python -m build is not installed (pip install .[test])")
    source = copy_checkout(tmp_path_factory.mktemp("checkout"), labextension=True)
    out = tmp_path_factory.mktemp("dist")
    # Without build isolation: the build backend comes from this environment.
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source], no_node, source)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_sdist_and_wheel_carry_the_prebuilt_labextension(dists):
    sdist, wheel = dists
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"{LABEXTENSION}/static/style.js", f"{LABEXTENSION}/package.json", "hatch_build.py", "install.json"} <= names
    with zipfile.ZipFile(wheel) as archive:
        data = [name.split(".data/data/", 1)[1] for name in archive.namelist() if ".data/data/" in name]
    assert f"{SHARE}/static/style.js" in data and f"{SHARE}/package.json" in data
    assert data.count(f"{SHARE}/install.json") == 1
    assert "etc/jupyter/jupyter_server_config.d/jupyter_rees_ui.json" in data


@pytest.fixture(scope="module")
def wheel_venv(dists, no_node, tmp_path_factory) -> dict[str, str]:
    """A fresh virtualenv with JupyterLab and the wheel, installed without Node.js. The
    develop test below reuses it (saving a JupyterLab install) and runs after the others."""
    _, wheel = dists
    where = tmp_path_factory.mktemp("wheel-venv")
    env = venv(where / "venv", no_node)
    run(["python", "-m", "pip", "install", "--quiet", wheel, JUPYTERLAB], env, where)
    return env


def test_wheel_installs_and_runs_without_node(wheel_venv, tmp_path):
    env = wheel_venv
    assert "propose" in run(["jupyter", "rees", "--help"], env, tmp_path).stdout
    labextensions = run(["jupyter", "labextension", "list"], env, tmp_path)
    assert re.search(r"jupyter-rees-ui v\S+ \S*enabled\S* \S*OK", labextensions.stdout + labextensions.stderr)
    server = run(["jupyter", "server", "extension", "list"], env, tmp_path)
    assert re.search(r"jupyter_rees_ui \S+ \S*OK", server.stdout + server.stderr)
    # Installing the extension leaves the environment's IPython alone (pipreqs 0.5 pinned
    # ipython==8.12.3) and every installed requirement consistent.
    ipython = run(["python", "-c", "import importlib.metadata as m; print(m.version('ipython'))"], env, tmp_path)
    assert ipython.stdout.strip() != "8.12.3"
    run(["python", "-m", "pip", "check"], env, tmp_path)

    # No repo2docker in this environment: the CLI and the server's reply say how to get it.
    project = write_project(tmp_path / "project", requirements=None)
    written = run(["jupyter", "rees", "write", project, "--yes"], env, tmp_path)
    assert "not installed: pip install 'jupyter_rees_ui[repo2docker]'" in written.stderr
    reply = run(
        ["python", "-c", "import json, sys; from jupyter_rees_ui.adapters import repo2docker_check as r; "
         "print(json.dumps(r.summarize(sys.argv[1])))", project],
        env, tmp_path,
    )
    assert json.loads(reply.stdout) == {
        "installed": False,
        "message": "repo2docker not installed: pip install 'jupyter_rees_ui[repo2docker]' to see what Binder would build",
        "install": "pip install 'jupyter_rees_ui[repo2docker]'",
    }


def write_project(folder: Path, requirements: str | None) -> Path:
    """A folder with one notebook importing yaml and requests, and optionally a REES."""
    folder.mkdir(parents=True)
    cell = {"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "import yaml\nimport requests\n"}
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "python"}}, "cells": [cell]}
    (folder / "analysis.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    if requirements is not None:
        (folder / "binder").mkdir()
        (folder / "binder" / "requirements.txt").write_text(requirements, encoding="utf-8")
    return folder


def git_commit_all(folder: Path, env: dict[str, str]) -> None:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    run(["git", "init", "--quiet", "."], env, folder)
    run(["git", "add", "--all"], env, folder)
    run(["git", *identity, "commit", "--quiet", "-m", "snapshot"], env, folder)


def test_pre_commit_hook_installs_and_runs_without_node(no_node, tmp_path):
    """pre-commit installs the hook from a git checkout (no labextension built, no Node.js):
    the wheel it builds holds the CLI, which passes and fails the check as it should."""
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (pip install .[test])")
    env = {**no_node, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    hooks = copy_checkout(tmp_path / "hooks", labextension=False)
    shutil.rmtree(hooks / LABEXTENSION, ignore_errors=True)
    git_commit_all(hooks, env)
    project = write_project(tmp_path / "project", requirements="PyYAML\nrequests\n")
    git_commit_all(project, env)
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", hooks, "rees-check", "--all-files"]

    passed = run(try_repo, env, project)
    assert re.search(r"REES covers every notebook import\.+\S*Passed", passed.stdout), passed.stdout

    (project / "binder" / "requirements.txt").write_text("PyYAML\n", encoding="utf-8")
    failed = subprocess.run([str(a) for a in try_repo], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "missing: requests" in failed.stdout


def test_pip_install_works_after_a_develop_install(wheel_venv, tmp_path):
    """`jupyter labextension develop` links the build folder into the environment; an
    editable install after it writes install.json through that link. A plain
    `pip install .` must still build."""
    env = wheel_venv
    run(["python", "-m", "pip", "install", "--quiet", *BUILD_TOOLS], env, tmp_path)
    checkout = copy_checkout(tmp_path / "checkout", labextension=True)
    pip = ["python", "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps"]

    run([*pip, "-e", "."], env, checkout)
    run(["jupyter", "labextension", "develop", "--overwrite", "."], env, checkout)
    run([*pip, "-e", "."], env, checkout)
    assert (checkout / LABEXTENSION / "install.json").is_file()  # the state that used to break

    run([*pip, "."], env, checkout)
    labextensions = run(["jupyter", "labextension", "list"], env, tmp_path)
    assert "jupyter-rees-ui" in labextensions.stdout + labextensions.stderr
