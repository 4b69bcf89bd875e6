"""`jupyter rees verify` on tiny projects whose wheels are built here and installed with
``--no-index --find-links``: no package index needed (except ipykernel for --run)."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from jupyter_rees_ui import workflow
from jupyter_rees_ui.adapters import verify
from jupyter_rees_ui.cli import main

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheels(tmp_path_factory, tiny_wheel) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    for name in ("tinyalpha", "tinybeta", "tinymac"):
        tiny_wheel(folder, name)
    return folder


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache-home")


@pytest.fixture
def cache(cache_home, monkeypatch) -> Path:
    """Rebuilt environments go to a cache folder of the tests; uv's and pip's own caches
    stay where they are, so packages downloaded once are not downloaded again."""
    home = Path.home() / ".cache"
    monkeypatch.setenv("UV_CACHE_DIR", os.environ.get("UV_CACHE_DIR") or str(home / "uv"))
    monkeypatch.setenv("PIP_CACHE_DIR", os.environ.get("PIP_CACHE_DIR") or str(home / "pip"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    assert verify.cache_root().is_relative_to(cache_home)
    return verify.cache_root()


def notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def project(root: Path, requirements: str, notebooks: dict[str, tuple[str, ...]], files: dict[str, str] | None = None) -> Path:
    (root / "binder").mkdir(parents=True)
    (root / "binder" / "requirements.txt").write_text(requirements)
    (root / "binder" / "runtime.txt").write_text(f"python-{PYTHON}\n")
    for name, cells in notebooks.items():
        notebook(root / name, *cells)
    for name, text in (files or {}).items():
        (root / name).write_text(text)
    return root


def run_verify(root: Path, wheels: Path, cache: Path, progress=None, cancel=None, **kwargs) -> verify.Verification:
    request = workflow.VerifyRequest(
        workflow.local_folder(root), index_args=("--no-index", "--find-links", str(wheels)), python=sys.executable, **kwargs
    )
    return workflow.verify(request, progress=progress, cancel=cancel)


def by_path(result: verify.Verification) -> dict[str, verify.NotebookVerdict]:
    return {n.path: n for n in result.notebooks}


def test_a_passing_project(tmp_path, wheels, cache, capsys):
    root = project(
        tmp_path / "ok",
        "tinyalpha==1.0\n",
        {"analysis.ipynb": ("import tinyalpha\nimport helpers",)},
        {"helpers.py": "import tinyalpha\n"},  # a local module: never a requirement
    )
    result = run_verify(root, wheels, cache)
    assert result.ok and not result.rees_fault, result.to_json()
    assert result.install.ok and result.python_used == PYTHON
    assert [c.module for c in by_path(result)["analysis.ipynb"].imports] == ["tinyalpha"]
    json.dumps(result.to_json())  # the server's answer is plain JSON
    # The same through the CLI, reusing the cached environment.
    code = main(["verify", str(root), "--no-index", "--find-links", str(wheels)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "analysis.ipynb" in out and "ok" in out


def test_a_folder_named_relative_to_the_working_directory(tmp_path, wheels, cache, capsys, monkeypatch):
    # The installer runs in a folder of its own: a relative folder must still find its REES.
    project(tmp_path / "rel", "tinyalpha==1.0  # named relative\n", {"a.ipynb": ("import tinyalpha",)})
    monkeypatch.chdir(tmp_path)
    code = main(["verify", "rel", "--no-index", "--find-links", str(wheels)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "FAILED" not in out


def test_a_missing_requirement_names_the_distribution(tmp_path, wheels, cache, capsys):
    root = project(tmp_path / "missing", "tinyalpha==1.0\n", {"a.ipynb": ("import tinyalpha", "import tinybeta")})
    result = run_verify(root, wheels, cache)
    assert result.rees_fault
    (failure,) = by_path(result)["a.ipynb"].failures
    assert failure.kind == "missing-module" and failure.module == "tinybeta"
    assert failure.suggestion == "tinybeta" and failure.cell == 1
    assert "add tinybeta" in failure.message
    assert "lacks tinybeta" in result.summary()
    assert main(["verify", str(root), "--no-index", "--find-links", str(wheels)]) == 1
    assert "tinybeta" in capsys.readouterr().out


def test_a_refused_line_is_named_and_the_rest_still_checked(tmp_path, wheels, cache):
    root = project(tmp_path / "refused", "tinyalpha==1.0\ntinynothere==2.0\n", {"a.ipynb": ("import tinyalpha",)})
    result = run_verify(root, wheels, cache)
    assert not result.install.ok and result.rees_fault
    (failure,) = result.install.failures
    assert failure.kind == "install-failed" and failure.line == "tinynothere==2.0"
    assert "tinynothere" in failure.message
    assert result.install.left_out == ("tinynothere==2.0",)
    assert by_path(result)["a.ipynb"].ok  # checked against what did install


def test_a_platform_guarded_import_is_skipped_by_its_marker(tmp_path, wheels, cache):
    guarded = 'import sys\nif sys.platform == "darwin":\n    import tinymac\n'
    root = project(
        tmp_path / "marker",
        'tinyalpha==1.0\ntinymac==1.0; sys_platform == "darwin"\n',
        {"a.ipynb": ("import tinyalpha", guarded)},
    )
    result = run_verify(root, wheels, cache)
    assert result.ok, result.to_json()
    checks = {c.module: c for c in by_path(result)["a.ipynb"].imports}
    assert checks["tinymac"].status == ("ok" if sys.platform == "darwin" else "skipped")


def test_an_unreachable_index_is_not_the_rees_fault(tmp_path, cache):
    root = project(tmp_path / "offline", "tinyalpha==1.0\n", {"a.ipynb": ("import tinyalpha",)})
    result = verify.verify_folder(
        root, index_args=["--index-url", "http://127.0.0.1:9/simple"], cache_dir=cache, kernel_python=sys.executable
    )  # the adapter alone: no proposal, suggestions from the bundled mapping
    assert result.unreachable and not result.rees_fault
    assert "could not be reached" in result.summary()
    assert not Path(result.environment).exists()  # nothing cached from a failed reach


def test_cancel_stops_the_build_and_keeps_nothing(tmp_path, wheels, cache):
    root = project(tmp_path / "cancel", "tinyalpha==1.0\ntinybeta==1.0\n", {"a.ipynb": ("import tinyalpha",)})
    cancel = threading.Event()

    def progress(phase, done, total, message):
        if phase == "installing":
            cancel.set()

    with pytest.raises(workflow.Cancelled):
        run_verify(root, wheels, cache, progress=progress, cancel=cancel)
    assert not any(p.is_dir() and (p / verify.MARKER_FILE).exists() and "tinybeta" in (p / verify.MARKER_FILE).read_text() for p in cache.iterdir())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("binder/requirements.txt", None),
        ("binder/Dockerfile", "Dockerfile"),
        ("Dockerfile", "nothing to verify"),  # the binder folder hides the root's files
    ],
)
def test_what_can_be_verified(tmp_path, text, expected):
    (tmp_path / "binder").mkdir()
    (tmp_path / text).write_text("FROM scratch\n" if expected else "tinyalpha\n")
    if expected:
        with pytest.raises(verify.VerifyError, match=expected):
            verify.read_rees(tmp_path)
    else:
        spec = verify.read_rees(tmp_path)
        assert spec.python_version == verify.BINDER_DEFAULT_PYTHON and spec.notes


def test_environment_yml_gives_python_and_pip_lines(tmp_path):
    (tmp_path / "environment.yml").write_text(
        "dependencies:\n  - python=3.12\n  - numpy\n  - pip\n  - pip:\n    - tinyalpha==1.0\n"
    )
    spec = verify.read_rees(tmp_path)
    assert spec.python_version == "3.12"
    assert [(line.text, line.origin) for line in spec.lines] == [("tinyalpha==1.0", "pip"), ("numpy", "conda")]


@pytest.mark.parametrize(
    ("conda", "pip"),
    [
        ("numpy", "numpy"),
        ("numpy=1.26", "numpy==1.26.*"),
        ("numpy=1.26.4=py311_0", "numpy==1.26.4.*"),
        ("numpy==1.26.4", "numpy==1.26.4"),
        ("numpy>=1.20", "numpy>=1.20"),
        ("conda-forge::pytables=3.9", "tables==3.9.*"),
        ("numpy 1.26", "numpy==1.26.*"),
    ],
)
def test_conda_specs_become_pip_requirements(conda, pip):
    assert verify.conda_to_pip(conda) == pip


@pytest.mark.parametrize(
    ("ename", "evalue", "kind", "reason"),
    [
        ("ModuleNotFoundError", "No module named 'tinybeta'", "missing-module", None),
        ("FileNotFoundError", "[Errno 2] No such file or directory: 'data.csv'", "runtime-error", "data"),
        ("URLError", "<urlopen error [Errno -2] Name or service not known>", "runtime-error", "network"),
        ("ValueError", "bad value", "runtime-error", "code"),
    ],
)
def test_errors_are_classified(ename, evalue, kind, reason):
    assert verify.classify_error(ename, evalue)[0] == kind
    assert verify.classify_error(ename, evalue)[2] == reason


def test_run_reports_timeouts_and_data_errors_without_blaming_the_rees(tmp_path, wheels, cache, monkeypatch):
    """--run (and --register-kernel): ipykernel comes from the configured index (uv's
    cache makes it quick)."""
    root = project(
        tmp_path / "run",
        "tinyalpha==1.0\n",
        {
            "fine.ipynb": ("import tinyalpha", "print(tinyalpha.VERSION)"),
            "slow.ipynb": ("import tinyalpha", "import time\ntime.sleep(60)"),
            "data.ipynb": ("import tinyalpha", "open('data/missing.csv').read()"),
        },
    )
    result = run_verify(root, wheels, cache, run=True, cell_timeout=20, kernel_index_args=())  # a loaded machine still meets it
    if any("ipykernel" in note for note in result.notes):
        pytest.skip("ipykernel could not be installed from the package index")
    verdicts = by_path(result)
    assert verdicts["fine.ipynb"].executed and verdicts["fine.ipynb"].ok
    (slow,) = verdicts["slow.ipynb"].failures
    assert slow.kind == "timeout" and slow.cell == 1
    (data,) = verdicts["data.ipynb"].failures
    assert data.kind == "runtime-error" and data.reason == "data" and data.cell == 1
    assert not result.rees_fault
    assert not (root / "data").exists() and not list(root.glob("*.nbconvert*"))  # the user's files untouched
    # The rebuilt environment, registered as a kernel (in a data folder of the test).
    data = tmp_path / "jupyter-data"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    name = workflow.register_kernel(workflow.local_folder(root), result)
    spec = json.loads((data / "kernels" / name / "kernel.json").read_text())
    assert spec["display_name"] == "run (from its REES)"
    assert spec["argv"][0].startswith(result.environment)


def test_the_cache_keeps_the_most_recently_used_environments(tmp_path):
    for i, name in enumerate(["old", "middle", "new"]):
        (tmp_path / name).mkdir()
        marker = tmp_path / name / verify.MARKER_FILE
        marker.write_text("{}")
        os.utime(marker, (1000 + i, 1000 + i))
    (tmp_path / "building").mkdir()  # no marker yet: never pruned
    assert verify.prune_cache(tmp_path, keep=2) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["building", "middle", "new"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "{root}/nowhere"], "no such folder"),
        (["verify", "{root}"], "nothing to verify"),
        (["verify", "{root}", "--timeout", "0"], "cell_timeout"),
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, argv, message):
    assert main([a.format(root=tmp_path) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_json_verdict_and_running_only_the_chosen_notebooks(tmp_path, wheels, cache, capsys):
    root = project(
        tmp_path / "chosen",
        "tinyalpha==1.0\n",
        {"fine.ipynb": ("import tinyalpha",), "sub/slow.ipynb": ("import tinyalpha", "import time\ntime.sleep(60)")},
    )
    argv = ["verify", str(root), "--json", "--no-index", "--find-links", str(wheels)]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and not data["rees_fault"] and data["install"]["ok"]
    assert {n["path"]: n["executed"] for n in data["notebooks"]} == {"fine.ipynb": None, "sub/slow.ipynb": None}
    # --notebook: the imports of both are checked, only the chosen one runs.
    result = run_verify(root, wheels, cache, run=True, cell_timeout=60, kernel_index_args=(), notebooks=("./fine.ipynb",))
    if any("ipykernel" in note for note in result.notes):
        pytest.skip("ipykernel could not be installed from the package index")
    verdicts = by_path(result)
    assert verdicts["fine.ipynb"].executed and verdicts["fine.ipynb"].ok
    assert verdicts["sub/slow.ipynb"].executed is None and verdicts["sub/slow.ipynb"].ok
    assert "the chosen notebook runs (1 not run)" in result.summary()


@pytest.mark.parametrize("name", ["missing.ipynb", "../outside.ipynb", "notes.txt"])
def test_a_notebook_to_run_must_be_one_of_the_folder(tmp_path, capsys, name):
    root = project(tmp_path / "p", "tinyalpha==1.0\n", {"a.ipynb": ("import tinyalpha",)}, {"notes.txt": "x"})
    notebook(tmp_path / "outside.ipynb", "import os")
    assert main(["verify", str(root), "--run", "--notebook", name]) == 2
    assert f"no notebook {name}" in capsys.readouterr().err


def test_what_no_rees_line_explains_is_not_the_rees_fault(tmp_path, wheels, cache):
    """A Python 2 module, a module the installed release no longer has, a module of the
    project in another folder and the needs of a script nothing in the project imports are
    reported, but do not blame the REES; a missing module of a script a notebook does
    import still does."""
    root = project(
        tmp_path / "p",
        "tinyalpha==1.0\n",
        {"a.ipynb": ("import tinyalpha", "import urllib2", "from tinyalpha.gone import x", "import helpers"),
         "solutions/b.ipynb": ("import chapter",)},  # code/chapter.py: a sibling folder's module
        {"fabfile.py": "from fabric.api import local\n", "helpers.py": "import tinyalpha\n"},
    )
    (root / "code").mkdir()
    (root / "code" / "chapter.py").write_text("import tinyalpha.gone\n")
    result = run_verify(root, wheels, cache)
    assert result.install.ok and not result.rees_fault, result.to_json()
    verdicts = by_path(result)
    failures = {f.module: f for f in verdicts["a.ipynb"].failures}
    assert set(failures) == {"urllib2", "tinyalpha.gone"}
    (chapter,) = verdicts["solutions/b.ipynb"].failures
    assert chapter.kind == "runtime-error" and "module of this project" in chapter.message
    assert all(f.kind == "runtime-error" and f.reason == "code" for f in failures.values())
    assert "Python 2" in failures["urllib2"].message
    (fabric,) = verdicts["fabfile.py"].imports
    assert fabric.status == "skipped" and verdicts["fabfile.py"].ok
    # helpers.py is imported by the notebook: what it lacks is the REES's fault.
    (root / "helpers.py").write_text("import tinyalpha\nimport tinybeta\n")
    result = run_verify(root, wheels, cache)
    assert result.rees_fault and [f.module for f in by_path(result)["helpers.py"].failures] == ["tinybeta"]


@pytest.mark.parametrize(("text", "expected"), [
    ('{"status": "ok", "cell": null}', {"status": "ok", "cell": None}),
    # A kernel's last words after the child's answer, in the same stream.
    ('{"status": "ok", "cell": null}\n[IPKernelApp] WARNING | Parent appears to have exited, shutting down.\n',
     {"status": "ok", "cell": None}),
    ("\n{}", {}),
    ("not json", None),
])
def test_a_childs_answer_is_read_up_to_its_end(text, expected):
    assert verify._payload(text) == expected


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("yaml", ("PyYAML", "pyyaml", None)),  # known: a line to add
        ("sklearn", ("scikit-learn", "scikit-learn", None)),
        ("google.cloud.newthing", (None, None, "google-cloud-newthing")),  # a namespace's naming convention
        ("airflow.providers.foo", (None, None, "apache-airflow-core")),  # other wheels install under it
        ("nonexistent_zzz", (None, None, None)),
    ],
)
def test_verify_suggests_a_line_only_for_a_known_distribution(module, expected):
    """A mapping answer that only guesses is named as a guess, never offered as the line to add."""
    assert verify._suggest(module, None) == expected
