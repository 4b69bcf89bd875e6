"""Every REES we write installs: before writing, the lines not pinned from the kernel are
resolved with the rest (hermetically here: tiny local wheels, no package index), and the
ones that break the REES are held back under "Needs a decision"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyter_rees_ui import workflow
from jupyter_rees_ui.adapters import resolver
from jupyter_rees_ui.core.model import ProposedRequirement


@pytest.fixture
def local_index(wheel_index, tiny_wheel):
    """tinybase 1.0 and 2.0; tinyold needs tinybase<2 (as old basemap releases cap
    numpy); tinyok needs nothing. The only index pip and uv see."""
    tiny_wheel(wheel_index, "tinybase", "1.0")
    tiny_wheel(wheel_index, "tinybase", "2.0")
    tiny_wheel(wheel_index, "tinyold", "1.0", ("tinybase<2",))
    tiny_wheel(wheel_index, "tinyok", "1.0")
    return wheel_index


@pytest.fixture
def no_index(monkeypatch):
    """An index nobody answers on (a closed local port): the resolver cannot be asked."""
    for name in ("PIP_NO_INDEX", "PIP_FIND_LINKS", "UV_NO_INDEX", "UV_FIND_LINKS", "UV_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_DEFAULT_INDEX", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    resolver.forget()


def running() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def kernel_pin(name: str, version: str) -> ProposedRequirement:
    return ProposedRequirement(name=name, modules=(name,), installed_version=version, specifier=f"=={version}")


def known(name: str, specifier: str = "") -> ProposedRequirement:
    return ProposedRequirement(name=name, modules=(name,), specifier=specifier, source="not-installed", trust="known")


def request(folder: Path, *rows: ProposedRequirement, **options) -> workflow.ReesRequest:
    return workflow.ReesRequest(workflow.local_folder(folder), rows, running(), resolve=True, **options)


def written(plan: workflow.Plan) -> list[str]:
    (change,) = [c for c in plan.changes if c.path.endswith("requirements.txt")]
    return [line for line in change.new.splitlines() if not line.startswith("#")]


ROWS = (kernel_pin("tinybase", "2.0"), known("tinyold"), known("tinyok"))


def test_a_known_row_that_breaks_resolution_is_held_back_and_the_rest_written(tmp_path, local_index):
    plan = workflow.plan(request(tmp_path, *ROWS))
    assert [h.name for h in plan.held] == ["tinyold"]
    assert "tinybase" in plan.held[0].reason and "\n" not in plan.held[0].reason
    assert written(plan) == ["tinybase==2.0", "tinyok"]
    assert plan.resolution.ok is True and set(plan.resolution.checked) == {"tinyold", "tinyok"}
    (note,) = [n for n in plan.notes if n.code == "does-not-resolve"]
    assert "tinyold" in note.message and "Needs a decision" in note.message
    # apply writes what the plan showed, given its held rows back, and records no choice
    apply_request = workflow.ReesRequest(
        workflow.local_folder(tmp_path), ROWS, running(), hold=tuple(h.name for h in plan.held)
    )
    workflow.apply(apply_request, plan.expected)
    text = (tmp_path / "binder" / "requirements.txt").read_text()
    assert "tinyold" not in text and "tinyok" in text and "left out" not in text


def test_the_user_can_force_a_held_row_in(tmp_path, local_index):
    plan = workflow.plan(request(tmp_path, *ROWS, force=("tinyold",)))
    assert plan.held == ()
    assert "tinyold" in written(plan)
    assert plan.resolution.ok is False  # and says so
    assert any(n.code == "does-not-resolve" and "not even without" in n.message for n in plan.notes)


def test_several_bad_rows_among_many_are_each_held(tmp_path, local_index, tiny_wheel):
    tiny_wheel(local_index, "tinyold2", "1.0", ("tinybase<2",))
    rows = (kernel_pin("tinybase", "2.0"), known("tinyold"), known("tinyok"), known("tinyold2"),
            known("tinybase-missing-friend"))
    plan = workflow.plan(request(tmp_path, *rows))
    assert [h.name for h in plan.held] == ["tinybase-missing-friend", "tinyold", "tinyold2"]
    assert written(plan) == ["tinybase==2.0", "tinyok"]


def test_every_line_a_kernel_pin_asks_no_resolver(tmp_path, no_index):
    plan = workflow.plan(request(tmp_path, kernel_pin("tinybase", "2.0"), kernel_pin("tinyok", "1.0")))
    assert plan.resolution is None and plan.held == ()
    assert not any(n.code.startswith("resolve") or n.code == "does-not-resolve" for n in plan.notes)


def test_a_range_typed_by_hand_is_checked(tmp_path, local_index):
    rows = (kernel_pin("tinybase", "2.0"), ProposedRequirement(
        name="tinyok", installed_version="1.0", specifier=">=5"))  # excludes the kernel's 1.0
    plan = workflow.plan(request(tmp_path, *rows))
    assert [h.name for h in plan.held] == ["tinyok"]


def test_index_unreachable_is_a_note_and_the_rees_is_written_unchanged(tmp_path, no_index):
    plan = workflow.plan(request(tmp_path, *ROWS))
    assert plan.held == () and plan.resolution.ok is None
    assert written(plan) == ["tinybase==2.0", "tinyok", "tinyold"]
    (note,) = [n for n in plan.notes if n.code == "resolve-unreachable"]
    assert "could not check" in note.message and "written as proposed" in note.message


def test_a_held_row_from_the_existing_file_is_taken_out_of_it(tmp_path, local_index):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "requirements.txt").write_text("tinybase==2.0\ntinyold\n")
    rows = (
        kernel_pin("tinybase", "2.0"),
        ProposedRequirement(name="tinyold", source="not-installed", trust="known", status="kept",
                            in_file="tinyold", written_specifier=""),
    )
    plan = workflow.plan(request(tmp_path, *rows))
    assert [h.name for h in plan.held] == ["tinyold"]
    assert written(plan) == ["tinybase==2.0"]


# --------------------------------------------------------------------------- CLI


def rees(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_rees_ui.cli", *args],
        capture_output=True, text=True, timeout=300, env=env,
    )


def test_write_holds_back_what_does_not_resolve_and_include_forces_it(tmp_path, local_index, tiny_notebook):
    project = tmp_path / "project"
    project.mkdir()
    tiny_notebook(project / "nb.ipynb", "!pip install tinybase==2.0 tinyold tinyok", "import tinybase, tinyold, tinyok")
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_config.json").write_text('{"Rees": {"resolve_before_write": true}}')
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config)}
    result = rees("write", str(project), "--yes", "--no-cache", env=env)
    assert result.returncode == 0, result.stderr
    text = (project / "binder" / "requirements.txt").read_text()
    assert "tinyold" not in text and "tinyok" in text and "tinybase==2.0" in text
    assert "needs a decision: tinyold is not written" in result.stderr
    assert "--include tinyold" in result.stderr
    forced = rees("write", str(project), "--yes", "--no-cache", "--include", "tinyold", env=env)
    assert forced.returncode == 0, forced.stderr
    assert "tinyold" in (project / "binder" / "requirements.txt").read_text()
    assert "does not resolve" in forced.stderr
    # --no-resolve: written as proposed, nothing asked
    (project / "binder" / "requirements.txt").unlink()
    unchecked = rees("write", str(project), "--yes", "--no-cache", "--no-resolve", env=env)
    assert "tinyold" in (project / "binder" / "requirements.txt").read_text()
    assert "needs a decision: tinyold" not in unchecked.stderr


def resolving(tmp_path) -> dict[str, str]:
    """The environment of a command run with c.Rees.resolve_before_write on."""
    config = tmp_path / "resolving-config"
    config.mkdir(exist_ok=True)
    (config / "jupyter_config.json").write_text('{"Rees": {"resolve_before_write": true}}')
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(config)}


def aged(*paths: Path) -> None:
    """Files as if written a minute ago."""
    past = time.time_ns() - 60 * 10**9
    for path in paths:
        os.utime(path, ns=(past, past))


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.fixture
def project(tmp_path, tiny_notebook):
    folder = tmp_path / "project"
    tiny_notebook(folder / "nb.ipynb", "!pip install tinybase==2.0 tinyold tinyok", "import tinybase, tinyold, tinyok")
    return str(folder)


def test_propose_resolve_shows_what_write_holds_back(tmp_path, local_index, project):
    env = resolving(tmp_path)
    checked = rees("propose", project, "--no-cache", "--resolve", env=env)
    assert checked.returncode == 0, checked.stderr
    assert lines(checked.stdout) == ["tinybase==2.0", "tinyok"]
    assert "warning: tinyold: needs a decision: with tinyold the REES does not resolve" in checked.stderr
    assert "(--include tinyold writes it anyway)" in checked.stderr
    assert "needs a decision: tinyold is not written" in rees("write", project, "--no-cache", env=env).stderr
    table = rees("propose", project, "--no-cache", "--resolve", "--table", env=env).stdout
    decision = table.split("Needs a decision", 1)[1]
    assert "[ ] tinyold" in decision and "does not resolve" in decision and "tinyok" not in decision
    data = json.loads(rees("propose", project, "--no-cache", "--resolve", "--json", env=env).stdout)
    row = next(r for r in data["requirements"] if r["name"] == "tinyold")
    assert row["included"] is False and row["warnings"][0].startswith("needs a decision: with tinyold")
    forced = rees("propose", project, "--no-cache", "--resolve", "--include", "tinyold", env=env)
    assert "tinyold" in lines(forced.stdout)


def test_plain_propose_asks_nobody_and_says_what_write_will_check(tmp_path, no_index, project, tiny_notebook):
    plain = rees("propose", project, "--no-cache", env=resolving(tmp_path))
    assert plain.returncode == 0, plain.stderr
    assert lines(plain.stdout) == ["tinybase==2.0", "tinyok", "tinyold"]
    assert "could not check" not in plain.stderr  # the (unreachable) index was not asked
    assert "not checked: whether the lines not pinned from the kernel (tinybase, tinyok, tinyold) resolve" in plain.stderr
    assert "propose --resolve" in plain.stderr
    # c.Rees.resolve_before_write off (as in the tests' config): write checks nothing, nor does propose say so
    assert "not checked" not in rees("propose", project, "--no-cache", env=dict(os.environ)).stderr
    # every line pinned from the kernel: nothing for write to check
    pinned = tmp_path / "pinned"
    tiny_notebook(pinned / "nb.ipynb", "import packaging")
    result = rees("propose", str(pinned), "--no-cache", "--python", sys.executable, env=resolving(tmp_path))
    assert lines(result.stdout)[0].startswith("packaging==") and "not checked" not in result.stderr


def test_propose_resolve_with_the_index_unreachable_is_a_note(tmp_path, no_index, project):
    result = rees("propose", project, "--no-cache", "--resolve", env=resolving(tmp_path))
    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == ["tinybase==2.0", "tinyok", "tinyold"]
    assert "note: could not check that the REES resolves" in result.stderr
    assert "needs a decision" not in result.stderr


def test_propose_resolve_is_never_replayed(tmp_path, local_index, project, tiny_wheel):
    """An answer that asked the package index is not remembered: the index may change."""
    env = resolving(tmp_path)
    aged(*Path(project).iterdir())  # past the racy window: an answer could be remembered
    assert "tinyold" not in lines(rees("propose", project, "--resolve", env=env).stdout)
    (local_index / "tinyold-1.0-py3-none-any.whl").unlink()
    tiny_wheel(local_index, "tinyold", "1.0")  # no longer caps tinybase
    assert "tinyold" in lines(rees("propose", project, "--resolve", env=env).stdout)


def test_check_resolve_is_never_replayed(tmp_path, local_index, project, tiny_wheel):
    """check --resolve asks the package index too: its verdict is not remembered."""
    env = resolving(tmp_path)
    Path(project, "requirements.txt").write_text("tinybase==2.0\ntinyold\ntinyok\n")
    aged(*Path(project).iterdir())  # past the racy window: an answer could be remembered
    first = rees("check", project, "--resolve", env=env)
    assert first.returncode == 1, first.stdout + first.stderr
    (local_index / "tinyold-1.0-py3-none-any.whl").unlink()
    tiny_wheel(local_index, "tinyold", "1.0")  # no longer caps tinybase
    again = rees("check", project, "--resolve", env=env)
    assert again.returncode == 0, again.stdout + again.stderr


def test_write_help_names_the_switches():
    result = subprocess.run([sys.executable, "-m", "jupyter_rees_ui.cli", "write", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert "--no-resolve" in result.stdout and "resolve_before_write" in result.stdout
    result = subprocess.run([sys.executable, "-m", "jupyter_rees_ui.cli", "propose", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert "--resolve" in result.stdout


# --------------------------------------------------------------------------- server


@pytest.fixture
def jp_server_config(jp_server_config):
    """This module's server checks before writing (c.Rees.resolve_before_write)."""
    return {**jp_server_config, "Rees": {"resolve_before_write": True}}


async def test_preview_holds_back_and_write_leaves_out_what_it_held(jp_fetch, jp_root_dir, local_index):
    (jp_root_dir / "p").mkdir()
    rows = [
        {"name": "tinybase", "specifier": "==2.0", "trust": "known", "source": "not-installed"},
        {"name": "tinyold", "trust": "known", "source": "not-installed"},
        {"name": "tinyok", "trust": "known", "source": "not-installed"},
    ]
    body = {"path": "p", "requirements": rows, "python_version": running()}
    response = await jp_fetch("jupyter-rees-ui", "preview", method="POST", body=json.dumps(body))
    preview = json.loads(response.body)
    assert [h["name"] for h in preview["held"]] == ["tinyold"]
    assert preview["resolution"]["ok"] is True
    expected = {c["path"]: c["old_sha256"] for c in preview["changes"]}
    write = {**body, "expected": expected, "hold": ["tinyold"]}
    await jp_fetch("jupyter-rees-ui", "write", method="POST", body=json.dumps(write))
    text = (jp_root_dir / "p" / "binder" / "requirements.txt").read_text()
    assert "tinyold" not in text and "tinybase==2.0" in text and "tinyok" in text


async def test_preview_of_kernel_pins_asks_no_resolver(jp_fetch, jp_root_dir, no_index):
    (jp_root_dir / "p").mkdir()
    rows = [{"name": "tinybase", "specifier": "==2.0", "installed_version": "2.0"}]
    body = {"path": "p", "requirements": rows, "python_version": running()}
    response = await jp_fetch("jupyter-rees-ui", "preview", method="POST", body=json.dumps(body))
    preview = json.loads(response.body)
    assert preview["resolution"] is None and preview["held"] == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "  × No solution found when resolving dependencies:\n"
            "  ╰─▶ Because all versions of tinyold depend on tinybase<2 and you require tinybase==2.0, we can conclude"
            " that all versions of tinyold cannot be used.\n"
            "      And because you require tinyold, we can conclude that your requirements are unsatisfiable.\n\n"
            "      hint: Pre-releases are available for tinybase in the requested range (e.g., 2.1a1), but pre-releases"
            " weren't selected by default. Consider using --prerelease=allow.",
            "every version of tinyold depends on tinybase<2, and the REES requires tinybase==2.0: no version of tinyold fits",
        ),
        (
            "  × No solution found when resolving dependencies:\n"
            "  ╰─▶ Because tinyold==1.0 depends on tinybase<2 and only tinyold==1.0 is available, we can conclude"
            " that all versions of tinyold depend on tinybase<2.\n"
            "      And because you require tinybase==2.0, we can conclude that your requirements are unsatisfiable.",
            "every version of tinyold depends on tinybase<2, and the REES requires tinybase==2.0: no version of tinyold fits",
        ),
    ],
)
def test_the_resolvers_reason_is_one_short_line_about_the_held_row(message, expected):
    from jupyter_rees_ui.adapters.resolver import reason

    assert reason(message, "tinyold") == expected
