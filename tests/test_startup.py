"""What a `jupyter rees` command imports before it answers: only what the command needs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
# Jupyter's server and kernel machinery, and IPython: a tenth of a second or more each.
SERVER_SIDE = ("IPython", "jupyter_client", "jupyter_server", "tornado", "zmq", "ipykernel", "traitlets")
# What propose needs only for some inputs: YAML for environment.yml, git's and the
# writer's modules for other commands.
NOT_FOR_PROPOSE = ("ruamel", "jupyter_rees_ui.adapters.git", "jupyter_rees_ui.adapters.rees_files",
                   "jupyter_rees_ui.core.binder", "jupyter_rees_ui.adapters.repo2docker_check",
                   "jupyter_rees_ui.workflow_types")  # the later steps' request and reply types

PROBE = """
import json, sys
from jupyter_rees_ui.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(*args: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
        # no Jupyter config naming c.Rees (the tests' own turns a setting off): nothing to load
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JUPYTER_CONFIG_DIR": os.devnull},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "demo"))


def test_help_imports_no_pipeline(demo):
    code, modules = imported_by("--help")
    assert code == 0
    heavy = loaded(modules, (*SERVER_SIDE, "packaging", "msgspec", "ruamel", "dataclasses",
                             "jupyter_rees_ui.workflow", "jupyter_rees_ui.core", "jupyter_rees_ui.adapters"))
    assert [m for m in heavy if m not in ("jupyter_rees_ui.core", "jupyter_rees_ui.core.vocabulary")] == []


@pytest.mark.parametrize(
    "args",
    [
        ["propose", "{demo}"],  # the notebooks' kernel, found by its kernel.json
        ["propose", "{demo}", "--python", sys.executable],
        ["propose", "{demo}", "--table"],
        ["check", "{demo}"],
    ],
    ids=["kernel", "python", "table", "check"],
)
def test_propose_and_check_import_no_jupyter_server_or_ipython(demo, args):
    if args[0] == "check":
        (demo / "requirements.txt").write_text("numpy\npandas\nmatplotlib\n")
    code, modules = imported_by(*(a.replace("{demo}", str(demo)) for a in args))
    assert code == 0
    assert loaded(modules, SERVER_SIDE) == []
    # check reads the REES folder's layout with the writer's module, nothing more
    allowed = ("jupyter_rees_ui.adapters.rees_files", "jupyter_rees_ui.core.binder") if args[0] == "check" else ()
    assert loaded(modules, tuple(m for m in NOT_FOR_PROPOSE if m not in allowed)) == []
    # nor what their libraries would load for little: argparse's terminal width (shutil),
    # a temporary file name (tempfile), the Jupyter folders (jupyter_core.paths, on Linux)
    spared = ("shutil", "tempfile", "multiprocessing", "concurrent")
    if sys.platform.startswith("linux"):
        spared += ("jupyter_core.paths",)
    assert loaded(modules, spared) == []


@pytest.mark.parametrize("command", ["propose", "check"])
def test_a_remembered_answer_is_given_without_the_pipeline(demo, command):
    """The pre-commit case: the same command on an unchanged folder replays its answer
    after a listing and a few stats, importing neither the scanner nor the resolver."""
    (demo / "requirements.txt").write_text("numpy\npandas\nmatplotlib\n")
    first, modules = imported_by(command, str(demo))
    assert "jupyter_rees_ui.workflow" in modules
    again, modules = imported_by(command, str(demo))
    assert again == first
    pipeline = ("jupyter_rees_ui.workflow", "jupyter_rees_ui.core.model", "jupyter_rees_ui.core.scan",
                "jupyter_rees_ui.core.resolve", "jupyter_rees_ui.adapters.files", "dataclasses", "packaging", "msgspec")
    assert loaded(modules, pipeline) == []


def test_a_replayed_answer_imports_neither_jupyter_core_nor_the_pipeline(demo, tmp_path, monkeypatch):
    """The pre-commit case: an unchanged folder's answer is checked and printed without
    the pipeline and without jupyter_core (the folders it looks in are remembered)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, _ = imported_by("propose", str(demo))
    again, modules = imported_by("propose", str(demo))
    assert first == again == 0
    assert loaded(modules, (*SERVER_SIDE, "jupyter_core", "platformdirs", "packaging", "msgspec", "argparse", "pathlib",
                            "jupyter_rees_ui.workflow", "jupyter_rees_ui.core.scan", "jupyter_rees_ui.core.resolve")) == []


EARLY_PROBE = """
import json, sys
from jupyter_rees_ui.adapters import environment
started = []
original = environment._start_script
def counting(*args, **kwargs):
    started.append(sorted(m for m in ("argparse", "jupyter_rees_ui.workflow", "jupyter_rees_ui.core.resolve")
                          if m in sys.modules))
    return original(*args, **kwargs)
environment._start_script = counting
from jupyter_rees_ui.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "started": started, "left": len(environment._started_early)}))
"""


@pytest.mark.parametrize("extra", [[], ["--python", sys.executable]], ids=["kernel", "python"])
def test_a_first_run_reads_the_environment_once_starting_before_the_pipeline_loads(demo, tmp_path, extra):
    """The environment's child process starts before the workflow and the resolver are
    imported (for a plain command line, before it is even parsed), and the workflow
    takes that one over instead of starting another."""
    done = subprocess.run(
        [sys.executable, "-c", EARLY_PROBE, "propose", str(demo), *extra], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JUPYTER_CONFIG_DIR": os.devnull,
             "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["started"] == [[]]
    assert report["left"] == 0


def test_a_jupyter_config_naming_rees_reads_the_environment_after_the_settings(demo, tmp_path):
    """c.Rees settings may name another interpreter: then nothing is started early."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps({"Rees": {"default_pin": ">="}}))
    done = subprocess.run(
        [sys.executable, "-c", EARLY_PROBE, "propose", str(demo)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JUPYTER_CONFIG_DIR": str(config),
             "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert len(report["started"]) == 1 and "jupyter_rees_ui.workflow" in report["started"][0]


def test_a_first_run_whose_notebooks_name_another_kernel_reads_that_one(demo, tmp_path):
    """The plain command line's early read is of the usual kernel; notebooks that name
    another get theirs read, and the early one is stopped (nothing left running)."""
    import shutil

    folder = tmp_path / "other"
    shutil.copytree(demo, folder)
    for path in folder.rglob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb.setdefault("metadata", {})["kernelspec"] = {"name": "not-python3", "display_name": "X", "language": "python"}
        path.write_text(json.dumps(nb), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", EARLY_PROBE, "propose", str(folder)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JUPYTER_CONFIG_DIR": os.devnull,
             "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["started"][0] == [] and report["left"] == 0


GIT_PROBE = """
import json, sys
from jupyter_rees_ui.adapters import listing
started = []
original = listing._start_git_listing
def counting(*args, **kwargs):
    started.append("argparse" in sys.modules)
    return original(*args, **kwargs)
listing._start_git_listing = counting
from jupyter_rees_ui.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "started": started, "left": len(listing._started_early)}))
"""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("extra", [[], ["--kernel", "python3"]], ids=["plain", "parsed"])
def test_a_first_run_has_git_list_the_folder_before_parsing(demo, tmp_path, extra):
    """A plain first run starts git listing the folder before the command line is
    parsed (it answers on another CPU while the pipeline loads) and its listing is the
    one used: git is asked once. Any other line lists the folder when it gets there."""
    subprocess.run(["git", "init", "-q", str(demo)], check=True)
    done = subprocess.run(
        [sys.executable, "-c", GIT_PROBE, "propose", str(demo), *extra], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JUPYTER_CONFIG_DIR": os.devnull,
             "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["started"] == ([True] if extra else [False])
    assert report["left"] == 0


def test_an_early_git_listing_nothing_took_over_is_stopped(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("needs git")
    from jupyter_rees_ui.adapters import listing

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    listing.start_early(str(tmp_path))
    (git,) = listing._started_early.values()
    listing.cancel_early()
    assert listing._started_early == {} and git.poll() is not None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["propose", "."], (None, ".")),
        (["check", ".", "--unused", "--json"], (None, ".")),
        (["propose", "--python", "/env/bin/python", "."], ("/env/bin/python", ".")),
        (["propose", ".", "--python=/env/bin/python"], ("/env/bin/python", ".")),
        (["propose", ".", "--python"], None),
        (["propose", ".", "--python", ""], None),
        (["propose", ".", "--python", "a", "--python", "b"], None),
        (["propose", ".", "--kernel", "k"], None),
        (["propose", ".", "--no-cache"], None),
        (["propose", ".", "--pin", "=="], None),
        (["propose", "a", "b"], None),
        (["propose"], None),
    ],
)
def test_which_first_runs_read_the_environment_before_parsing(words, expected):
    """Only a plain line (the folder, flags that choose neither the interpreter nor the
    caching, at most one --python) starts the environment read before argparse."""
    from jupyter_rees_ui.cli import _plain

    assert _plain(words) == expected


KEPT_PROBE = """
import json, sys
from jupyter_rees_ui import cli
def end(code):
    from jupyter_rees_ui import workflow
    print("\\n" + json.dumps({"code": code, "kept": len(workflow.kept_until_exit or ())}))
    sys.stdout.flush()
cli._end = end
sys.argv = ["jupyter-rees", *sys.argv[1:]]
cli.main()
"""


def test_a_command_that_ends_with_exit_keeps_the_proposals_objects_instead_of_freeing_them(demo, tmp_path):
    """The command line, which ends with os._exit, keeps a proposal's working objects to
    the end (nothing frees them one by one); a call from Python (argv given) keeps none."""
    done = subprocess.run(
        [sys.executable, "-c", KEPT_PROBE, "propose", str(demo)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "JUPYTER_CONFIG_DIR": os.devnull,
             "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "kept": 1}, done.stderr
    from jupyter_rees_ui import cli, workflow

    assert cli.main(["propose", str(demo), "--no-cache"]) == 0
    assert workflow.kept_until_exit is None
