"""Probes of a running server that must get a clear 4xx (never a 500), a per-file
problem, or exactly one success: injection rows, hangs, lost updates."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
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
    assert "255" in message


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
