"""Background jobs: a scan and a verification started by POST, followed by GET
jobs/<id>, cancelled by DELETE; on real folders in the server root."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import nbformat
import pytest
from tornado.httpclient import HTTPClientError

from jupyter_rees_ui import workflow
from jupyter_rees_ui.adapters.files import scan_folder
from jupyter_rees_ui.jobs import Jobs

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


def notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def rees_project(root: Path, requirements: str, *cells: str) -> Path:
    (root / "binder").mkdir(parents=True)
    (root / "binder" / "requirements.txt").write_text(requirements)
    notebook(root / "analysis.ipynb", *cells)
    return root


async def start(jp_fetch, endpoint: str, body: dict) -> dict:
    response = await jp_fetch("jupyter-rees-ui", endpoint, method="POST", body=json.dumps(body))
    assert response.code == 202
    job = json.loads(response.body)["job"]
    assert job["state"] == "running" and job["kind"] == endpoint
    return job


async def follow(jp_fetch, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = await jp_fetch("jupyter-rees-ui", "jobs", job_id)
        job = json.loads(response.body)
        assert set(job) >= {"id", "kind", "state", "progress", "result", "error"}
        assert set(job["progress"]) == {"phase", "done", "total", "message"}
        if job["state"] != "running":
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def test_a_scan_job_answers_exactly_the_proposal(jp_fetch, jp_root_dir):
    shutil.copytree(DEMO, jp_root_dir / "demo")
    job = await start(jp_fetch, "scan", {"path": "demo", "pin": "~="})
    done = await follow(jp_fetch, job["id"])
    assert done["state"] == "done" and done["error"] is None
    response = await jp_fetch("jupyter-rees-ui", "proposal", params={"path": "demo", "pin": "~="})
    assert done["result"] == json.loads(response.body)
    assert done["progress"]["phase"] in ("scanning", "environment")


async def test_a_finished_job_is_answered_as_encoded_once_in_its_thread(jp_fetch, jp_root_dir, monkeypatch):
    """Polls of a finished job send the answer its thread encoded; nothing of it is
    converted or encoded again on the event loop."""
    from jupyter_rees_ui import jobs

    shutil.copytree(DEMO, jp_root_dir / "demo")
    job = await start(jp_fetch, "scan", {"path": "demo"})
    done = await follow(jp_fetch, job["id"])
    assert done["state"] == "done"

    def refuse(*_args, **_kwargs):
        raise AssertionError("encoded again")

    monkeypatch.setattr(jobs.Job, "to_json", refuse)
    monkeypatch.setattr(workflow, "to_json", refuse)
    for _ in range(2):
        response = await jp_fetch("jupyter-rees-ui", "jobs", job["id"])
        assert json.loads(response.body) == done


class TestWithASmallFileSizeLimit:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        return {**jp_server_config, "Rees": {**jp_server_config["Rees"], "max_file_size": 4096}}

    async def test_a_verify_job_applies_the_servers_file_size_limit(self, jp_fetch, jp_root_dir, monkeypatch):
        asked = []

        def verify(request, **_kwargs):
            asked.append(request.max_bytes)
            raise workflow.BadRequest("stopped here")

        monkeypatch.setattr(workflow, "verify", verify)
        rees_project(jp_root_dir / "demo", "numpy\n", "import numpy")
        job = await start(jp_fetch, "verify", {"path": "demo"})
        done = await follow(jp_fetch, job["id"])
        assert done["state"] == "failed" and asked == [4096]


@pytest.mark.parametrize(
    ("endpoint", "body", "status", "fragment"),
    [
        ("scan", {"path": "../"}, 403, "outside"),
        ("scan", {"path": "demo", "pin": "<<"}, 400, "pin policy"),
        ("scan", {"path": "demo", "overrides": [1]}, 400, "overrides"),
        ("verify", {"path": "demo", "run": "yes"}, 400, "'run'"),
        ("verify", {"path": "demo", "timeout": -1}, 400, "cell_timeout"),
        ("verify", {"path": "nowhere"}, 404, "no such folder"),
    ],
)
async def test_bad_job_requests_are_refused_before_anything_starts(jp_fetch, jp_root_dir, endpoint, body, status, fragment):
    shutil.copytree(DEMO, jp_root_dir / "demo")
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("jupyter-rees-ui", endpoint, method="POST", body=json.dumps(body))
    assert err.value.code == status
    assert fragment in json.loads(err.value.response.body)["message"]


async def test_a_verify_job_reports_the_missing_module(jp_fetch, jp_root_dir):
    rees_project(jp_root_dir / "proj", "# nothing yet\n", "import json", "import tinybeta_not_installed")
    job = await start(jp_fetch, "verify", {"path": "proj"})
    done = await follow(jp_fetch, job["id"])
    assert done["state"] == "done", done
    verification = done["result"]["verification"]
    assert verification["rees_fault"] and not verification["ok"]
    (nb,) = verification["notebooks"]
    assert nb["path"] == "analysis.ipynb"
    (failure,) = nb["failures"]
    assert failure["kind"] == "missing-module" and failure["cell"] == 1 and failure["rees_fault"]
    assert str(jp_root_dir) not in json.dumps(done)  # no server paths in the answer


async def test_a_folder_without_a_rees_fails_the_job_with_the_reason(jp_fetch, jp_root_dir):
    notebook(jp_root_dir / "bare" / "a.ipynb", "import json")
    job = await start(jp_fetch, "verify", {"path": "bare"})
    done = await follow(jp_fetch, job["id"])
    assert done["state"] == "failed" and "nothing to verify" in done["error"]["message"]


@pytest.fixture
def silent_index():
    """An index that accepts connections and never answers: installs hang on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"http://127.0.0.1:{server.getsockname()[1]}/simple"
    server.close()


async def test_delete_cancels_a_verification_and_its_install(jp_fetch, jp_root_dir, silent_index):
    rees_project(jp_root_dir / "slow", f"--index-url {silent_index}\ntinyalpha==1.0\n", "import tinyalpha")
    job = await start(jp_fetch, "verify", {"path": "slow"})
    for _ in range(600):  # until the install is under way
        current = json.loads((await jp_fetch("jupyter-rees-ui", "jobs", job["id"])).body)
        if current["progress"]["phase"] == "installing":
            break
        await asyncio.sleep(0.1)
    assert current["progress"]["phase"] == "installing", current
    started = time.monotonic()
    response = await jp_fetch("jupyter-rees-ui", "jobs", job["id"], method="DELETE")
    cancelled = json.loads(response.body)
    assert cancelled["state"] == "cancelled" and cancelled["result"] is None
    assert time.monotonic() - started < 10


async def test_unknown_jobs_are_404(jp_fetch):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("jupyter-rees-ui", "jobs", "0" * 32)
    assert err.value.code == 404


@pytest.mark.parametrize(
    ("route", "method"),
    [("scan", "POST"), ("verify", "POST"), ("jobs/" + "0" * 32, "GET"), ("jobs/" + "0" * 32, "DELETE")],
)
async def test_job_routes_refuse_unauthenticated_requests(jp_fetch, route, method):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyter-rees-ui", route, method=method, body="{}" if method == "POST" else None,
            headers={"Authorization": "token not-the-token"},
        )
    assert err.value.code == 403


# ----------------------------------------------------------------------------- the pool


def wait_for(job, seconds: float = 10) -> None:
    assert job.finished.wait(seconds)


def test_jobs_are_bounded_and_forgotten_after_a_while():
    jobs = Jobs(workers=1, limit=1, keep=0.0)
    release = threading.Event()
    first = jobs.submit("test", lambda progress, cancel: release.wait(10) and "first")
    with pytest.raises(workflow.Busy):
        jobs.submit("test", lambda progress, cancel: None)
    release.set()
    wait_for(first)
    assert first.state == "done" and first.result == "first"
    time.sleep(0.01)
    assert jobs.get(first.id) is None  # expired
    second = jobs.submit("test", lambda progress, cancel: 1 / 0)
    wait_for(second)
    assert second.state == "failed" and "ZeroDivisionError" in second.error["message"]


def test_cancel_reaches_the_work_and_a_queued_job_never_starts():
    jobs = Jobs(workers=1, limit=4)
    seen = []

    def work(progress, cancel):
        for i in range(1000):
            if cancel.is_set():
                raise workflow.Cancelled("stopped")
            progress("counting", i, 1000, "")
            time.sleep(0.01)
        return "finished"

    running = jobs.submit("test", work)
    queued = jobs.submit("test", lambda progress, cancel: seen.append("ran"))
    time.sleep(0.1)
    jobs.cancel(queued.id)
    jobs.cancel(running.id)
    wait_for(running)
    wait_for(queued)
    assert running.state == "cancelled" and running.done < 1000
    assert queued.state == "cancelled" and not seen


def test_a_folder_scan_stops_between_files(tmp_path):
    for i in range(5):
        notebook(tmp_path / f"n{i}.ipynb", f"import m{i}")
    cancel = threading.Event()
    seen = []

    def progress(phase, done, total, message):
        seen.append((phase, done, total))
        if done == 2:
            cancel.set()

    with pytest.raises(workflow.Cancelled):
        scan_folder(tmp_path, progress=progress, cancel=cancel)
    assert seen == [("scanning", 0, 5), ("scanning", 1, 5), ("scanning", 2, 5)]
    assert len(scan_folder(tmp_path, progress=lambda *a: None).imports) == 5
