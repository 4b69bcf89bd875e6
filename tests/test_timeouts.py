"""Every command the package runs ends within its time limit, even when the command
leaves a grandchild holding its output open (a hook, a wrapper script), and a timeout
becomes a clear error, never a hang. The stand-ins are real executables that sleep."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from jupyter_rees_ui.adapters import environment, files, git, listing, process, repo2docker_check, resolver

SLEEP = 30  # what the stand-ins sleep; every call below must return long before
LIMIT = 0.5  # the lowered time limit
ALLOWED = 10  # seconds a timed-out call may take in all (killing, cleaning up)


def sleeper(folder: Path, name: str) -> Path:
    """An executable ``name`` in ``folder`` that starts a child (``sleep``) holding its
    output open, as a hook or a wrapper script does."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pids = folder / f"{name}.pids"
    path.write_text(f"#!/bin/sh\nsleep {SLEEP} &\necho $! >> '{pids}'\nwait\necho done\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def left_running(script: Path) -> list[int]:
    """The stand-in's children still running a moment after the call returned."""
    pids = script.with_name(f"{script.name}.pids")
    if not pids.exists():
        return []
    found = [int(line) for line in pids.read_text().split()]
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and any(_alive(pid) for pid in found):
        time.sleep(0.05)
    return [pid for pid in found if _alive(pid)]


@pytest.fixture
def fake_git(tmp_path, monkeypatch) -> Path:
    """A ``git`` first on PATH that never answers."""
    bin_dir = tmp_path / "bin"
    sleeper(bin_dir, "git")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir / "git"


def timed(call):
    start = time.monotonic()
    try:
        return call(), time.monotonic() - start
    except Exception as exc:  # noqa: BLE001 - returned for the assertions
        return exc, time.monotonic() - start


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="the stand-ins are shell scripts; /proc tells what still runs")


def test_the_runner_stops_the_whole_process_group(tmp_path):
    script = sleeper(tmp_path, "slow")
    result, seconds = timed(lambda: process.run([str(script)], timeout=LIMIT))
    assert isinstance(result, subprocess.TimeoutExpired)
    assert seconds < ALLOWED
    assert left_running(script) == []


def test_a_git_command_that_hangs_becomes_a_git_error(tmp_path, fake_git, monkeypatch):
    monkeypatch.setattr(git, "TIMEOUT", LIMIT)
    result, seconds = timed(lambda: git.run_git(tmp_path, "status"))
    assert isinstance(result, git.GitError)
    assert "did not finish within 0.5 s" in result.message
    assert seconds < ALLOWED
    assert left_running(fake_git) == []


def test_a_hanging_commit_hook_becomes_a_git_error(tmp_path, monkeypatch):
    """Real git, whose pre-commit hook sleeps: the hook is git's child."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Ada Tester")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "ada@example.org")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    hook = sleeper(root / ".git" / "hooks", "pre-commit")
    (root / "requirements.txt").write_text("numpy==1.26.4\n")
    monkeypatch.setattr(git, "TIMEOUT", 2)
    result, seconds = timed(lambda: git.commit_files(root, ["requirements.txt"]))
    assert isinstance(result, git.GitError), result
    assert seconds < ALLOWED
    assert left_running(hook) == []


def test_a_git_listing_that_hangs_falls_back_to_walking(tmp_path, fake_git, monkeypatch):
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "analysis.ipynb").write_text("{}\n")
    monkeypatch.setattr(listing, "GIT_TIMEOUT", LIMIT)
    result, seconds = timed(lambda: files.list_files(root))
    assert result == ["analysis.ipynb"]
    assert seconds < ALLOWED
    assert left_running(fake_git) == []


def test_a_proposal_says_when_the_git_listing_timed_out(tmp_path, fake_git, monkeypatch):
    from jupyter_rees_ui import workflow

    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "analysis.py").write_text("import json\n")
    monkeypatch.setattr(listing, "GIT_TIMEOUT", LIMIT)
    request = workflow.ProposeRequest(workflow.local_folder(str(root)), compare_kernels=False)
    notes = [note for note in workflow.propose(request).proposal.notes if note.code == "listing"]
    assert [str(note) for note in notes] == [
        "git did not list the files of project within 0.5 s (stopped): the folder was walked "
        "instead, so files that .gitignore excludes were scanned too"
    ]
    assert left_running(fake_git) == []
    # git answering again: no note
    monkeypatch.setenv("PATH", os.environ["PATH"].split(os.pathsep, 1)[1])
    assert not [n for n in workflow.propose(request).proposal.notes if n.code == "listing"]


def test_a_repo2docker_check_that_hangs_becomes_an_error(tmp_path, monkeypatch):
    python = sleeper(tmp_path / "bin", "python")
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.setattr(repo2docker_check, "TIMEOUT", LIMIT)
    result, seconds = timed(lambda: repo2docker_check.check(folder, python=str(python)))
    assert isinstance(result, repo2docker_check.Repo2DockerUnavailable)
    assert "did not answer within 0.5 s" in str(result)
    assert seconds < ALLOWED
    assert left_running(python) == []


def test_a_repo2docker_answer_that_is_not_json_becomes_an_error_summary(tmp_path):
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho 'Some warning, not JSON'\n")
    python.chmod(0o755)
    folder = tmp_path / "project"
    folder.mkdir()
    summary = repo2docker_check.check(folder, python=str(python))
    assert summary.error == "repo2docker gave no readable answer"
    assert not summary.ok


def test_an_introspection_that_hangs_becomes_an_error(tmp_path):
    python = sleeper(tmp_path / "bin", "python")
    result, seconds = timed(lambda: environment.run_introspection(str(python), timeout=LIMIT))
    assert isinstance(result, environment.IntrospectionError)
    assert "did not answer within 0.5 s" in str(result)
    assert seconds < ALLOWED
    assert left_running(python) == []


def test_a_resolver_that_hangs_gives_no_verdict(tmp_path):
    uv = sleeper(tmp_path / "bin", "uv")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("numpy\n")
    result, seconds = timed(
        lambda: resolver.resolve_requirements(requirements, "3.11", timeout=LIMIT, uv=str(uv))
    )
    assert isinstance(result, resolver.ResolveResult)
    assert result.ok is None and "no answer within" in (result.message or "")
    assert seconds < ALLOWED
    assert left_running(uv) == []


def test_a_verify_step_that_never_reads_its_input_is_stopped_and_says_why(tmp_path):
    """A child given more input than a pipe holds, that never reads it (a hung
    interpreter): the step still ends at its time limit, and its output says why."""
    import threading

    from jupyter_rees_ui.adapters import verify

    python = sleeper(tmp_path / "bin", "python")
    answer: list = []
    step = threading.Thread(
        target=lambda: answer.append(verify.run_process([str(python), "-c", "x"], stdin="m\n" * 200_000, timeout=LIMIT)),
        daemon=True,
    )
    started = time.monotonic()
    step.start()
    step.join(ALLOWED)
    assert not step.is_alive(), "still writing the input of a child that never reads it"
    assert time.monotonic() - started < ALLOWED
    [(code, output)] = answer
    assert code is None
    assert output.strip().splitlines()[-1] == "stopped: python did not finish within 0.5 s"
    assert left_running(python) == []


def test_an_interrupted_verify_step_stops_what_it_started(tmp_path):
    """Ctrl-C during `jupyter rees verify`: the step's process group (in a session of
    its own, so the terminal's interrupt does not reach it) is stopped too."""
    import signal

    from jupyter_rees_ui.adapters import verify

    script = sleeper(tmp_path, "install")

    def interrupt(*_args):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            verify.run_process([str(script)], timeout=SLEEP * 2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert left_running(script) == []


async def until(condition, what: str, limit: float = 30.0) -> None:
    """Wait for ``condition()`` (a bound on the wait, not a timing assertion)."""
    import asyncio

    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_proposal_whose_client_went_away_stops(
    tmp_path, monkeypatch, http_server, jp_http_port, jp_base_url, jp_auth_header, jp_root_dir
):
    """A plain GET proposal: once its only client closes the connection the work stops,
    here while the kernel's environment is read (its interpreter never answers)."""
    import asyncio
    import json

    from jupyter_rees_ui import handlers

    python = sleeper(tmp_path / "bin", "python")
    kernel = tmp_path / "data" / "kernels" / "never"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps(
        {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "Never", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    (jp_root_dir / "project").mkdir()
    (jp_root_dir / "project" / "analysis.py").write_text("import numpy\n")

    _reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    headers = "".join(f"{k}: {v}\r\n" for k, v in jp_auth_header.items())
    url = f"{jp_base_url}jupyter-rees-ui/proposal?path=project&kernel=never"
    writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    await writer.drain()
    started = python.with_name("python.pids")
    await until(started.exists, "the environment's introspection to start")
    assert len(handlers.IN_FLIGHT) == 1
    writer.close()
    await until(lambda: not handlers.IN_FLIGHT, "the shared work to be dropped")
    assert left_running(python) == [], "the introspection was stopped"
    assert "done" not in started.read_text()


def test_a_cancelled_command_is_stopped_with_everything_it_started(tmp_path):
    import threading

    from jupyter_rees_ui.core.model import Cancelled

    script = sleeper(tmp_path, "slow")
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    result, seconds = timed(lambda: process.run([str(script)], timeout=SLEEP * 2, cancel=stop))
    assert isinstance(result, Cancelled) and "slow was no longer needed" in str(result)
    assert seconds < ALLOWED
    assert left_running(script) == []
    assert process.run(["echo", "still answers"], timeout=10, cancel=threading.Event()).stdout == "still answers\n"


def test_a_preview_whose_client_left_stops_its_resolver(tmp_path, monkeypatch):
    """The sidebar's preview resolves the REES before showing it (up to ten minutes in
    all); once its client has gone the resolver is stopped and nothing is remembered."""
    import threading

    from jupyter_rees_ui import workflow
    from jupyter_rees_ui.core.model import Cancelled

    uv = sleeper(tmp_path / "bin", "uv")
    monkeypatch.setattr(resolver, "find_uv", lambda: str(uv))
    resolver.forget()
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "nb.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,'
        ' "source": "!pip install frobnicate\\nimport frobnicate"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    proposal = workflow.propose(workflow.ProposeRequest(workflow.local_folder(str(folder)))).proposal
    request = workflow.ReesRequest(
        workflow.local_folder(str(folder)), proposal.requirements, proposal.python_version, resolve=True
    )
    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    result, seconds = timed(lambda: workflow.plan(request, cancel=stop))
    assert isinstance(result, Cancelled)
    assert seconds < ALLOWED
    assert left_running(uv) == []
    assert resolver._CACHE == {}


def test_a_proposal_comparing_kernels_stops_every_read_once_cancelled(tmp_path, monkeypatch):
    """Comparing the kernels the notebooks name reads each one's environment, all at once;
    once the proposal is cancelled (its client went away) none of them runs on."""
    import json
    import sys
    import threading

    from jupyter_rees_ui import workflow
    from jupyter_rees_ui.core.model import Cancelled

    hanging = sleeper(tmp_path / "slow-env" / "bin", "python")
    kernels = tmp_path / "data" / "kernels"
    for name, python in (("python3", sys.executable), ("zslow", str(hanging))):
        (kernels / name).mkdir(parents=True)
        (kernels / name / "kernel.json").write_text(json.dumps(
            {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": name, "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    folder = tmp_path / "project"
    folder.mkdir()
    for stem, kernel in (("a", "python3"), ("b", "python3"), ("c", "zslow")):
        (folder / f"{stem}.ipynb").write_text(json.dumps({
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "import json"}],
            "metadata": {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5,
        }))
    environment.clear_cache()
    request = workflow.ProposeRequest(workflow.local_folder(str(folder)), compare_kernels=True)
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    result, seconds = timed(lambda: workflow.propose(request, cancel=stop))
    assert isinstance(result, Cancelled), result
    assert seconds < ALLOWED
    assert left_running(hanging) == []
