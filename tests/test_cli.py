"""`jupyter rees …` run as a subprocess on real folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
EXPECTED = {"matplotlib", "numpy", "pandas"}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def rees(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_rees_ui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        timeout=120,
    )


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "demo"))


def test_propose_prints_requirements_lines(demo):
    result = rees("propose", str(demo))
    assert result.returncode == 0, result.stderr
    names = {line.split("==")[0].lower() for line in lines(result.stdout)}
    assert names == EXPECTED
    assert all("==" in line for line in lines(result.stdout))


def test_the_jupyter_command_dispatches_to_rees(demo):
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent))
    result = subprocess.run([jupyter, "rees", "propose", str(demo)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert {line.split("==")[0].lower() for line in lines(result.stdout)} == EXPECTED


def test_propose_json_and_table(demo):
    data = json.loads(rees("propose", str(demo), "--json").stdout)
    assert {r["name"].lower() for r in data["requirements"]} == EXPECTED
    assert "sales" in data["local_modules"]
    table = rees("propose", str(demo), "--table").stdout
    assert "Required:" in table and "01-load-data.ipynb cell 2" in table


def test_propose_environment_format_and_pin_policy(demo):
    result = rees("propose", str(demo), "--format", "environment", "--pin", "none")
    assert result.returncode == 0, result.stderr
    assert "dependencies:" in result.stdout and "python=" in result.stdout
    assert "numpy" in result.stdout and "numpy=" not in result.stdout.replace("python=", "")


def test_warnings_go_to_stderr(demo):
    (demo / "broken.ipynb").write_text("{not json")
    result = rees("propose", str(demo))
    assert result.returncode == 0
    assert "broken.ipynb" in result.stderr and "broken.ipynb" not in result.stdout


def test_write_previews_by_default_then_writes_with_yes(demo):
    preview = rees("write", str(demo))
    assert preview.returncode == 0, preview.stderr
    assert "+++ " in preview.stdout and "--yes" in preview.stderr
    assert not (demo / "binder").exists()

    written = rees("write", str(demo), "--yes")
    assert written.returncode == 0, written.stderr
    assert {l.split("==")[0].lower() for l in lines((demo / "binder/requirements.txt").read_text())} == EXPECTED
    assert (demo / "binder/runtime.txt").read_text().strip().splitlines()[-1].startswith("python-3.")

    again = rees("write", str(demo), "--yes")
    assert "Nothing to write" in again.stderr


def test_write_keeps_user_lines(demo):
    (demo / "binder").mkdir()
    (demo / "binder/requirements.txt").write_text("# my comment\nseaborn==0.13.2  # plots\n")
    assert rees("write", str(demo), "--yes").returncode == 0
    text = (demo / "binder/requirements.txt").read_text()
    assert "seaborn==0.13.2  # plots" in text and "# my comment" in text and "numpy==" in text


def test_check_exit_codes(demo):
    missing = rees("check", str(demo))
    assert missing.returncode == 1 and "write" in missing.stderr

    rees("write", str(demo), "--yes")
    ok = rees("check", str(demo))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    req = demo / "binder/requirements.txt"
    req.write_text("".join(l + "\n" for l in req.read_text().splitlines() if not l.startswith("pandas")) + "requests\n")
    failed = rees("check", str(demo), "--unused")
    assert failed.returncode == 1
    assert "missing: pandas" in failed.stdout
    assert "unused: requests" in failed.stdout


def test_check_syntax_fails_on_a_cell_that_will_not_run(demo):
    rees("write", str(demo), "--yes")
    notebook = demo / "01-load-data.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "broken", "metadata": {},
                        "outputs": [], "source": "for i in range(3)\n    print(i)"})
    notebook.write_text(json.dumps(nb))
    cell = len(nb["cells"])

    assert rees("check", str(demo)).returncode == 0  # the cell cannot import: not parsed by default
    strict = rees("check", str(demo), "--syntax")
    assert strict.returncode == 1
    assert f"syntax error: 01-load-data.ipynb cell {cell} line 1:" in strict.stdout
    assert "1 cell will not run" in strict.stderr
    assert f"01-load-data.ipynb cell {cell}" not in rees("propose", str(demo)).stderr
    assert f"01-load-data.ipynb cell {cell} line 1" in rees("propose", str(demo), "--syntax").stderr


def test_usage_errors_exit_2(tmp_path):
    assert rees("propose", str(tmp_path / "nope")).returncode == 2
    assert rees("frobnicate").returncode == 2
    assert rees("propose", str(tmp_path), "--pin", "<<").returncode == 2


def test_badge_and_commit_in_a_git_repository(demo):
    def git(*args):
        return subprocess.run(["git", *args], cwd=demo, check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}).stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "demo")
    no_remote = rees("badge", str(demo))
    assert no_remote.returncode == 2 and "remote" in no_remote.stderr

    git("remote", "add", "origin", "git@gitlab.com:group/sub/demo.git")
    badge = rees("badge", str(demo), "--notebook", "02-plots.ipynb")
    assert badge.returncode == 0, badge.stderr
    assert badge.stdout.strip() == (
        "[![Binder](https://mybinder.org/badge_logo.svg)]"
        "(https://mybinder.org/v2/gl/group%2Fsub%2Fdemo/main?urlpath=lab/tree/02-plots.ipynb)"
    )
    assert rees("badge", str(demo), "--readme", "--yes").returncode == 0
    assert "mybinder.org" in (demo / "README.md").read_text()

    assert rees("write", str(demo), "--yes").returncode == 0
    (demo / "scratch.txt").write_text("keep me out of the commit\n")
    commit = rees("commit", str(demo), "-m", "Make it Binder-ready")
    assert commit.returncode == 0, commit.stderr
    committed = git("show", "--name-only", "--format=", "HEAD").split()
    assert sorted(committed) == ["README.md", "binder/requirements.txt", "binder/runtime.txt"]
    assert "scratch.txt" in git("status", "--porcelain")


def test_pre_commit_hook_entry_runs_the_check(demo):
    import re

    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    entry = re.search(r"entry:\s*(\S+)", hooks).group(1)
    assert entry == "jupyter-rees"
    args = re.search(r"args:\s*\[(.*)\]", hooks).group(1).replace('"', "").split(", ")
    result = rees(*args, cwd=demo)
    assert result.returncode == 1  # no REES yet
    rees("write", ".", "--yes", cwd=demo)
    assert rees(*args, cwd=demo).returncode == 0


def test_switching_to_environment_yml_can_remove_the_ignored_requirements(demo):
    assert rees("write", str(demo), "--yes").returncode == 0
    preview = rees("write", str(demo), "--format", "environment")
    assert "--remove binder/requirements.txt" in preview.stderr
    result = rees("write", str(demo), "--format", "environment", "--remove", "binder/requirements.txt", "--yes")
    assert result.returncode == 0, result.stderr
    assert (demo / "binder/environment.yml").is_file()
    assert not (demo / "binder/requirements.txt").exists()


def test_nbgitpuller_badge_for_a_content_repository(demo):
    def git(*args):
        subprocess.run(["git", *args], cwd=demo, check=True, capture_output=True, env={**os.environ, **GIT_ENV})

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "demo")
    git("remote", "add", "origin", "https://github.com/me/content.git")
    result = rees("badge", str(demo), "--env-repo", "https://github.com/org/env", "--notebook", "02-plots.ipynb", "--format", "url")
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url.startswith("https://mybinder.org/v2/gh/org/env/HEAD?urlpath=git-pull%3Frepo%3D")
    assert "https%253A%252F%252Fgithub.com%252Fme%252Fcontent" in url  # encoded twice
    assert "content%252F02-plots.ipynb" in url  # the clone folder comes first


def test_overrides_and_the_guix_export(demo):
    result = rees("propose", str(demo), "--override", "numpy=numpy-quaternion", "--override", "matplotlib=")
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout)[0] == "numpy-quaternion"
    assert not any(l.startswith("matplotlib") for l in lines(result.stdout))
    assert rees("propose", str(demo), "--override", "nonsense").returncode == 2
    guix = rees("propose", str(demo), "--format", "guix").stdout
    assert "(specifications->manifest" in guix and '"python-numpy"' in guix


def test_install_lines_keep_extras_and_conda_specs(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    cells = ["%conda install -c conda-forge numpy=1.26", "!pip install 'pandas[excel]==2.2.0'", "import numpy, pandas"]
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), tmp_path / "a.ipynb")
    result = rees("propose", str(tmp_path))
    assert result.returncode == 0, result.stderr
    import numpy
    import pandas

    # the kernel has other versions: its pins win (they are what the notebooks last ran
    # with, beside the other pins), the extras stay, and the warning says so
    assert lines(result.stdout) == [f"numpy=={numpy.__version__}", f"pandas[excel]=={pandas.__version__}"]
    assert "numpy==1.26.*" in result.stderr and "pinned the kernel's version" in result.stderr


def test_write_keeps_pins_as_written_and_honours_left_out_packages(demo):
    assert rees("write", str(demo), "--exclude", "matplotlib", "--yes").returncode == 0
    req = demo / "binder/requirements.txt"
    assert "# left out: matplotlib" in req.read_text()
    numpy = next(l for l in lines(req.read_text()) if l.startswith("numpy"))
    req.write_text(req.read_text().replace(numpy, "numpy>=1.20") + "scipy\n")

    again = rees("write", str(demo))  # a re-scan after the write: nothing to change
    assert again.returncode == 0, again.stderr
    assert "+++" not in again.stdout, again.stdout
    assert "matplotlib" not in lines(req.read_text())

    updated = rees("write", str(demo), "--update-pins")
    assert "-numpy>=1.20" in updated.stdout and "+numpy==" in updated.stdout
    removed = rees("write", str(demo), "--exclude", "scipy")
    assert "-scipy" in removed.stdout


@pytest.mark.parametrize(
    "name, text",
    [
        ("jupyter_server_config.py", 'c = get_config()  # noqa\nc.Rees.default_pin = "~="\n'),
        ("jupyter_config.json", json.dumps({"Rees": {"default_pin": "~="}})),
    ],
)
def test_the_cli_reads_the_servers_rees_options(demo, tmp_path, monkeypatch, name, text):
    config = tmp_path / "config"
    config.mkdir()
    (config / name).write_text(text)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    result = rees("propose", str(demo))
    assert result.returncode == 0, result.stderr
    assert all("~=" in line for line in lines(result.stdout)), result.stdout
    assert all("==" in line for line in lines(rees("propose", str(demo), "--pin", "==").stdout))


def test_a_bad_rees_option_is_a_usage_error(demo, tmp_path, monkeypatch):
    (tmp_path / "jupyter_config.json").write_text(json.dumps({"Rees": {"default_pin": "<<"}}))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))
    result = rees("propose", str(demo))
    assert result.returncode == 2 and "Rees" in result.stderr


def test_an_unknown_kernel_exits_2(demo):
    result = rees("propose", str(demo), "--kernel", "no-such-kernel")
    assert result.returncode == 2 and "no-such-kernel" in result.stderr


def test_a_command_parsed_alone_parses_as_with_every_command_built():
    """A run builds only the parser part of the command it names: the same answers."""
    import argparse

    from jupyter_rees_ui.cli import COMMANDS, build_parser

    full = build_parser()
    subparsers = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert tuple(subparsers.choices) == COMMANDS
    for line in (["propose", ".", "--table", "--pin", ">="], ["write", ".", "--yes", "--dir", ".binder"],
                 ["check", ".", "--unused"], ["badge", ".", "--format", "url"], ["commit", ".", "-m", "x"],
                 ["verify", ".", "--run"]):
        assert vars(build_parser(line[0]).parse_args(line)) == vars(full.parse_args(line))


@pytest.mark.parametrize("columns", ["60", "0", "-3", "wide", "", None])
def test_help_is_as_wide_as_argparse_would_make_it(monkeypatch, columns):
    """The parsers' width is shutil's terminal width (found without importing it)."""
    import shutil

    from jupyter_rees_ui.cli import terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setenv("LINES", "40")
    assert terminal_columns() == shutil.get_terminal_size().columns
