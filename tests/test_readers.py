"""A server reads files in reader processes: the same scan as reading them in-thread,
per-file problems kept, cancellation between batches, a reader that dies replaced."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import pytest

from jupyter_rees_ui import workflow
from jupyter_rees_ui.adapters import readers as readers_module
from jupyter_rees_ui.adapters.files import ScanCache, scan_folder
from jupyter_rees_ui.adapters.readers import ReaderProcesses


def notebook(source: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source, "execution_count": None}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def readers():
    pool = ReaderProcesses(count=2)
    yield pool
    pool.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Plain files and every kind of per-file problem."""
    root = tmp_path / "project"
    root.mkdir()
    for i in range(40):
        (root / f"nb{i:02d}.ipynb").write_text(notebook(f"import numpy\nimport mod{i}\n"))
    (root / "script.py").write_text("import pandas\n")
    (root / "broken.py").write_text("import (\n")
    (root / "nested.ipynb").write_text("[" * 5000 + "]" * 5000)
    (root / "not-json.ipynb").write_text("{")
    (root / "dangling.py").symlink_to("nowhere.py")
    os.mkfifo(root / "pipe.ipynb")
    return root


def test_reader_processes_give_the_same_scan_as_this_process(folder, readers):
    cache = ScanCache(readers=readers)
    scanned = scan_folder(folder, cache=cache, all_syntax=True)
    assert scanned == scan_folder(folder, all_syntax=True)
    assert readers.started >= 1 and cache.reads == 44  # read once each, in the readers
    kinds = {issue.location.path: issue.kind for issue in scanned.issues}
    assert {path: kinds.get(path) for path in ("broken.py", "nested.ipynb", "not-json.ipynb", "dangling.py", "pipe.ipynb")} == {
        "broken.py": "syntax-error", "nested.ipynb": "unreadable", "not-json.ipynb": "unreadable",
        "dangling.py": "unreadable", "pipe.ipynb": "unreadable",
    }
    again = ScanCache(readers=readers)
    assert scan_folder(folder, cache=again, all_syntax=True) == scanned
    assert readers.started <= readers.count, "idle readers are used again"


def test_a_cancelled_scan_stops_between_batches(folder, readers, monkeypatch):
    monkeypatch.setattr(readers_module, "BATCH_FILES", 4)
    cancel = threading.Event()
    seen: list[int] = []

    def progress(phase, done, total, message):
        seen.append(done)
        if done >= 4:
            cancel.set()

    cache = ScanCache(readers=readers)
    with pytest.raises(workflow.Cancelled):
        scan_folder(folder, cache=cache, progress=progress, cancel=cancel)
    assert seen[0] == 0 and max(seen) < 44 and cache.reads == 0  # nothing kept of a cancelled scan
    assert readers._slots.acquire(blocking=False) and readers._slots.acquire(blocking=False), "slots given back"
    readers._slots.release()
    readers._slots.release()
    assert len(scan_folder(folder, cache=cache).files) == 46


def test_a_reader_that_dies_is_replaced_and_its_files_read_again(folder, readers, monkeypatch):
    readers.count = 1
    readers._slots = threading.BoundedSemaphore(1)
    expected = scan_folder(folder)
    scan_folder(folder, cache=ScanCache(readers=readers))  # one reader, now idle
    (reader,) = readers._idle
    os.kill(reader.process.pid, signal.SIGSTOP)  # it cannot answer what it is given next
    handed = threading.Event()
    hand = readers_module._Reader.read

    def read(self, batch):
        hand(self, batch)
        handed.set()

    monkeypatch.setattr(readers_module._Reader, "read", read)
    answer: list = []
    scanning = threading.Thread(target=lambda: answer.append(scan_folder(folder, cache=ScanCache(readers=readers))))
    scanning.start()
    assert handed.wait(60)
    os.kill(reader.process.pid, signal.SIGKILL)  # dies holding a batch
    scanning.join(120)
    assert answer == [expected]
    assert readers.started == 2


def test_an_idle_reader_that_exited_is_replaced(folder, readers):
    scan_folder(folder, cache=ScanCache(readers=readers))
    for reader in readers._idle:
        reader.process.kill()
        reader.process.wait()
    started = readers.started
    assert scan_folder(folder, cache=ScanCache(readers=readers)) == scan_folder(folder)
    assert readers.started > started


async def test_the_server_reads_files_in_reader_processes(jp_fetch, jp_root_dir, jp_web_app):
    from jupyter_rees_ui.handlers import ProposalHandler

    (jp_root_dir / "project").mkdir()
    (jp_root_dir / "project" / "analysis.ipynb").write_text(notebook("import numpy"))
    cache = next(
        rule.target_kwargs["cache"]
        for router in (jp_web_app.default_router, *[r.target for r in jp_web_app.default_router.rules])
        for rule in getattr(router, "rules", [])
        if rule.target is ProposalHandler
    )
    reply = await jp_fetch("jupyter-rees-ui", "proposal", params={"path": "project"})
    assert json.loads(reply.body)["proposal"]["files"] == ["analysis.ipynb"]
    assert cache.readers.started >= 1 and cache.reads == 1


def test_a_scan_reading_files_again_one_by_one_can_still_be_cancelled(tmp_path, monkeypatch):
    """A reader that died holding a batch has its files read again one at a time; a
    reader that then never answers does not hold the scan once it is cancelled, and is
    stopped."""
    import time

    monkeypatch.setattr(readers_module, "_CHILD", (
        "import os, time; from multiprocessing.connection import Connection; "
        "batch = Connection(os.dup(0), writable=False).recv(); "
        "os._exit(3) if len(batch) > 1 else time.sleep(30)"
    ))
    started: list = []
    init = readers_module._Reader.__init__

    def record(self):
        init(self)
        started.append(self)

    monkeypatch.setattr(readers_module._Reader, "__init__", record)
    pool = ReaderProcesses(count=1)
    jobs = [(str(tmp_path / f"m{i}.py"), f"m{i}.py", False) for i in range(8)]
    cancel, outcome = threading.Event(), []

    def scan() -> None:
        try:
            pool.read(jobs, cancel=cancel, cancelled=workflow.Cancelled)
        except BaseException as error:  # noqa: BLE001 - looked at below
            outcome.append(error)

    scanning = threading.Thread(target=scan, daemon=True)
    scanning.start()
    deadline = time.monotonic() + 60
    while len(started) < 2:  # the second reader has one file and never answers
        assert time.monotonic() < deadline, "the batch was never handed over again"
        time.sleep(0.02)
    cancel.set()
    scanning.join(20)
    assert not scanning.is_alive(), "the cancelled scan still waits for the reader"
    assert len(outcome) == 1 and isinstance(outcome[0], workflow.Cancelled)
    assert started[1].process.poll() is not None, "the reader that never answered was stopped"
    assert pool._slots.acquire(blocking=False), "its slot was given back"
    pool.close()
