"""Probes of a running server that must get a clear 4xx (never a 500), a per-file
problem, or exactly one success: injection rows, hangs, lost updates."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"


@pytest.fixture
def demo(jp_root_dir: Path) -> Path:
    target = jp_root_dir / "demo"
    shutil.copytree(DEMO, target)
    return target


async def post(jp_fetch, endpoint, body):
    response = await jp_fetch("jupyter-rees-ui", endpoint, method="POST", body=json.dumps(body))
    return json.loads(response.body)


async def refused(jp_fetch, endpoint, body, status=400, *, method="POST", params=None):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyter-rees-ui",
            endpoint,
            method=method,
            params=params or {},
            body=None if body is None else json.dumps(body),
        )
    assert err.value.code == status, err.value.response.body
    return json.loads(err.value.response.body)["message"]


INJECTIONS = [
    ({"name": "numpy", "conda_name": "numpy\n  - pip:\n    - --index-url http://evil"}, "conda_name"),
    ({"name": "numpy", "url": 5}, "url"),
    ({"name": "numpy", "url": "file:///etc/passwd"}, "url"),
    ({"name": "n" * 10_000_000}, "name"),
    ({"name": "numpy\n--index-url http://evil"}, "name"),
    ({"name": "numpy", "specifier": "==1\n--index-url http://evil"}, "specifier"),
    ({"name": "numpy", "marker": "os_name=="}, "marker"),
    ({"name": "numpy", "extras": "excel"}, "extras"),
    ({"name": "numpy", "source": "anything"}, "source"),
]


@pytest.mark.parametrize(("row", "field"), INJECTIONS)
@pytest.mark.parametrize("endpoint", ["preview", "write"])
async def test_an_injected_row_is_a_400_naming_the_field(jp_fetch, demo, row, field, endpoint):
    body = {"path": "demo", "requirements": [row], "python_version": "3.11", "format": "environment"}
    message = await refused(jp_fetch, endpoint, body)
    assert f"requirements[0].{field}:" in message
    assert len(message) < 400
    assert not (demo / "binder").exists()


async def test_a_marker_is_kept_and_written(jp_fetch, demo):
    body = {
        "path": "demo",
        "requirements": [{"name": "numpy; os_name=='nt'", "specifier": "==1.26.4"}],
        "python_version": "3.11",
    }
    preview = await post(jp_fetch, "preview", body)
    expected = {c["path"]: c["old_sha256"] for c in preview["changes"]}
    await post(jp_fetch, "write", {**body, "expected": expected})
    text = (demo / "binder" / "requirements.txt").read_text()
    assert "numpy==1.26.4; os_name == \"nt\"" in text.splitlines()


LONG = "x" * 300


@pytest.mark.parametrize(
    ("endpoint", "method", "params", "body"),
    [
        ("proposal", "GET", {"path": LONG}, None),
        ("proposal", "GET", {"path": f"demo/{LONG}"}, None),
        ("badge", "GET", {"path": LONG}, None),
        ("preview", "POST", None, {"path": LONG, "requirements": [], "python_version": "3.11"}),
        ("write", "POST", None, {"path": LONG, "requirements": [], "python_version": "3.11"}),
        ("commit", "POST", None, {"path": LONG, "files": ["a"]}),
        ("preview", "POST", None, {"path": "demo", "requirements": [], "python_version": "3.11",
                                   "remove": [f"{LONG}/requirements.txt"]}),
    ],
)
async def test_a_name_over_255_bytes_is_a_400(jp_fetch, demo, endpoint, method, params, body):
    message = await refused(jp_fetch, endpoint, body, method=method, params=params)
    assert "255" in message or "removes" in message


async def test_a_link_to_a_fifo_does_not_hang_the_proposal(jp_fetch, demo):
    os.mkfifo(demo / "pipe.ipynb")
    (demo / "via.ipynb").symlink_to("pipe.ipynb")
    response = await asyncio.wait_for(
        jp_fetch("jupyter-rees-ui", "proposal", params={"path": "demo"}), timeout=10
    )
    proposal = json.loads(response.body)["proposal"]
    problems = {i["location"]["path"]: i["message"] for i in proposal["issues"]}
    assert "named pipe" in problems["via.ipynb"]
    assert {r["name"] for r in proposal["requirements"]} >= {"numpy", "pandas"}


async def test_the_proposal_never_shows_the_servers_root(jp_fetch, demo, jp_root_dir):
    body = (await jp_fetch("jupyter-rees-ui", "proposal", params={"path": "demo"})).body.decode()
    assert str(jp_root_dir) not in body
    assert str(Path(jp_root_dir).resolve()) not in body
    assert json.loads(body)["proposal"]["root"] == "demo"


async def test_of_20_concurrent_writes_with_the_same_expectation_exactly_one_wins(jp_fetch, demo):
    (demo / "binder").mkdir()
    (demo / "binder" / "requirements.txt").write_text("numpy==1.0\n")
    base = {"path": "demo", "python_version": "3.11"}
    preview = await post(jp_fetch, "preview", {**base, "requirements": [{"name": "numpy", "specifier": "==1.1"}]})
    expected = {c["path"]: c["old_sha256"] for c in preview["changes"]}

    async def write(i):
        body = {**base, "requirements": [{"name": "numpy", "specifier": f"==2.{i}"}], "expected": expected}
        try:
            await jp_fetch("jupyter-rees-ui", "write", method="POST", body=json.dumps(body))
        except HTTPClientError as err:
            return err.code, i
        return 200, i

    results = await asyncio.gather(*(write(i) for i in range(20)))
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 19
    winner = next(i for code, i in results if code == 200)
    assert f"numpy==2.{winner}" in (demo / "binder" / "requirements.txt").read_text()


BAD_LINKS = [
    "https://mybinder.org/v2/gh/o/r/main\n",
    "https://evil.example/v2/gh/o/r/main",
    "https://evil.example/x)](javascript:alert(1))",
    "https://mybinder.org/v2/gh/o/r/x)](javascript:alert(1))",
    'https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/a"onmouseover=x',
    "https://mybinder.org/v2/nosuch/o/r/main",
    "https://mybinder.org.evil.example/v2/gh/o/r/main",
    "javascript:alert(1)",
    5,
]


@pytest.mark.parametrize("link", BAD_LINKS)
async def test_a_badge_link_not_built_from_binder_parts_is_a_400(jp_fetch, demo, link):
    before = sorted(p.name for p in demo.iterdir())
    readme = (demo / "README.md").read_bytes() if (demo / "README.md").exists() else None
    message = await refused(jp_fetch, "badge", {"path": "demo", "link": link, "expected": {}})
    assert "link" in message
    assert sorted(p.name for p in demo.iterdir()) == before
    assert ((demo / "README.md").read_bytes() if readme is not None else None) == readme


@pytest.mark.parametrize("readme", ["analysis.ipynb", "notes.md", 5, ["README.md"]])
async def test_the_badge_goes_only_into_a_readme_text_file(jp_fetch, demo, readme):
    link = "https://mybinder.org/v2/gh/o/r/main"
    message = await refused(jp_fetch, "badge", {"path": "demo", "link": link, "readme": readme})
    assert "readme" in message.lower() or "README" in message


@pytest.fixture
def repository(demo, monkeypatch):
    for key, value in {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(key, value)
    subprocess.run(["git", "init", "-q", "-b", "main", str(demo)], check=True)
    subprocess.run(["git", "-C", str(demo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(demo), "commit", "-qm", "initial"], check=True)
    return demo


def staged(folder: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), "diff", "--cached", "--name-only"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    ("files", "message", "field"),
    [
        (["secrets.env"], "m", "secrets.env"),
        (["binder/requirements.txt", "secrets.env"], "m", "secrets.env"),
        (["sub/requirements.txt"], "m", "sub/requirements.txt"),
        (["binder/requirements.txt"], "a\x00b", "message"),
        (["binder/requirements.txt"], "m" * (128 * 1024 + 1), "message"),
        (["binder/require\x00ments.txt"], "m", "files"),
        (["binder/" + "x" * 300], "m", "files"),
    ],
)
async def test_commit_takes_only_what_this_tool_wrote(jp_fetch, repository, files, message, field):
    (repository / "secrets.env").write_text("TOKEN=hunter2\n")
    (repository / "sub").mkdir()
    (repository / "sub" / "requirements.txt").write_text("numpy\n")
    (repository / "binder").mkdir()
    (repository / "binder" / "requirements.txt").write_text("# Written by jupyter-rees-ui\nnumpy==1\n")
    head = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    reply = await refused(jp_fetch, "commit", {"path": "demo", "files": files, "message": message})
    assert field in reply
    assert staged(repository) == "", "nothing is staged by a refused commit"
    after = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert after == head


async def test_a_hand_written_rees_file_is_not_committed(jp_fetch, repository):
    (repository / "binder").mkdir()
    (repository / "binder" / "requirements.txt").write_text("numpy\n")
    message = await refused(jp_fetch, "commit", {"path": "demo", "files": ["binder/requirements.txt"]})
    assert "not written by this tool" in message


@pytest.mark.parametrize("path", [".hidden/requirements.txt", "sub/requirements.txt", "a/binder/Pipfile"])
async def test_remove_deletes_only_rees_files_where_binder_looks(jp_fetch, demo, path):
    target = demo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("numpy\n")
    body = {"path": "demo", "requirements": [], "python_version": "3.11", "remove": [path]}
    assert "removes" in await refused(jp_fetch, "preview", body)
    assert target.exists()


async def test_50_identical_proposal_requests_cost_one_scan(jp_fetch, demo, jp_web_app):
    from jupyter_rees_ui.handlers import ProposalHandler

    for i in range(30):
        (demo / f"extra{i}.py").write_text(f"import numpy\nx = {i}\n")
    for path in demo.rglob("*"):  # not just written: a flight that starts late may use the cache
        os.utime(path, (time.time() - 60, time.time() - 60))
    def rules(router):
        for rule in getattr(router, "rules", []):
            yield rule
            yield from rules(rule.target)

    cache = next(
        rule.target_kwargs["cache"]
        for rule in rules(jp_web_app.default_router)
        if rule.target is ProposalHandler
    )
    before = cache.reads
    replies = await asyncio.gather(
        *(jp_fetch("jupyter-rees-ui", "proposal", params={"path": "demo"}) for _ in range(50))
    )
    assert {r.code for r in replies} == {200}
    files = len(json.loads(replies[0].body)["proposal"]["files"])
    # One flight reads each file once; a request arriving after that flight ended may
    # start a second one on a busy machine. Without sharing, 50 requests read ~6x the files.
    assert cache.reads - before <= 2 * files, "about one scan for all 50 requests"


async def test_identical_proposal_requests_in_flight_are_checked_once(jp_fetch, demo, monkeypatch):
    """A request identical to one in flight joins it without building and checking its
    parameters again; all get the same answer, with the same tag."""
    import hashlib
    import threading

    from jupyter_rees_ui import handlers, workflow

    located, gate = [], threading.Event()
    locate, propose = workflow.locate, workflow.propose
    monkeypatch.setattr(workflow, "locate", lambda *a, **k: located.append(a) or locate(*a, **k))
    monkeypatch.setattr(workflow, "propose", lambda *a, **k: gate.wait(60) and propose(*a, **k))
    replies = asyncio.gather(
        *(jp_fetch("jupyter-rees-ui", "proposal", params={"path": "demo"}) for _ in range(8))
    )  # the test client sends at most 10 at a time
    deadline = time.monotonic() + 60
    while not any(flight.waiting == 8 for flight in handlers.IN_FLIGHT.values()):
        assert time.monotonic() < deadline, "still waiting for 8 requests to join"
        await asyncio.sleep(0.02)
    gate.set()
    replies = await replies
    assert len(located) == 1
    assert len({r.body for r in replies}) == 1
    assert {r.headers["Etag"] for r in replies} == {f'"{hashlib.sha1(replies[0].body).hexdigest()}"'}
    assert not handlers.ASKED and not handlers.IN_FLIGHT


async def test_requests_waiting_for_one_answer_are_answered_in_batches():
    """The first batch at once, then one batch per turn of the event loop, so that other
    requests are served in between."""
    import threading

    from jupyter_rees_ui import handlers

    flight = handlers.Flight("key", asyncio.get_running_loop().create_future(), threading.Event())
    answered: list[int] = []

    async def waiter(i: int) -> None:
        await flight.turn()
        answered.append(i)

    waiters = [asyncio.ensure_future(waiter(i)) for i in range(2 * handlers.BATCH + 3)]
    seen = []
    for _ in range(4):
        await asyncio.sleep(0)
        seen.append(len(answered))
    await asyncio.gather(*waiters)
    assert seen == [handlers.BATCH, 2 * handlers.BATCH, 2 * handlers.BATCH + 3, 2 * handlers.BATCH + 3]


def test_the_scan_cache_is_bounded(tmp_path):
    from jupyter_rees_ui.adapters.files import ScanCache, scan_folder

    for i in range(20):
        (tmp_path / f"m{i}.py").write_text("import numpy\n")
        os.utime(tmp_path / f"m{i}.py", (1_000_000, 1_000_000))
    cache = ScanCache(max_entries=5)
    scan_folder(tmp_path, cache=cache)
    assert len(cache) == 5
