"""Loopback load test: 50 concurrent proposal requests on 300 notebooks while
``/api/status`` is polled. Reports p50/p95/max latency of both and the server's RSS
before and after; writes benchmarks/RESULTS-load.md.

Bounded: one server on 127.0.0.1, a fixed number of requests, a deadline.

    python benchmarks/load_benchmark.py [--notebooks 300] [--requests 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient

HERE = Path(__file__).resolve().parent
DEADLINE_S = 300


def make_notebooks(root: Path, count: int) -> None:
    modules = ["numpy", "pandas", "matplotlib.pyplot", "json", "os", "scipy.stats", "requests"]
    for i in range(count):
        cells = [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": f"import {modules[i % len(modules)]}\nimport {modules[(i + 3) % len(modules)]}\nx = {i}\n"},
            {"cell_type": "markdown", "metadata": {}, "source": f"# Notebook {i}"},
        ]
        nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (root / f"nb{i:04d}.ipynb").write_text(json.dumps(nb))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, at any depth (the server's reader processes)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found += children
        pending += children
    return found


def memory(pid: int) -> tuple[float, float]:
    """(the server's RSS, its child processes' RSS) in MB."""
    return rss_mb(pid), sum(rss_mb(child) for child in descendants(pid))


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
        "max": ordered[-1] * 1000,
        "n": len(ordered),
    }


async def load(base: str, token: str, requests: int) -> dict[str, object]:
    client = AsyncHTTPClient(max_clients=requests + 4)
    headers = {"Authorization": f"token {token}"}
    status_times: list[float] = []
    done = asyncio.Event()

    async def poll() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await client.fetch(f"{base}api/status", headers=headers, request_timeout=60)
            status_times.append(time.perf_counter() - start)
            await asyncio.sleep(0.02)

    async def proposal() -> float:
        start = time.perf_counter()
        await client.fetch(
            f"{base}jupyter-rees-ui/proposal?path=corpus", headers=headers, request_timeout=DEADLINE_S
        )
        return time.perf_counter() - start

    poller = asyncio.ensure_future(poll())
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    proposal_times = await asyncio.gather(*(proposal() for _ in range(requests)))
    wall = time.perf_counter() - started
    await asyncio.sleep(0.5)
    done.set()
    await poller
    return {"status": percentiles(status_times), "proposal": percentiles(list(proposal_times)), "wall": wall}


def one_run(root: Path, requests: int) -> dict[str, object]:
    """A fresh (cold) server on ``root``: the load, and its memory before and after."""
    port, token = free_port(), secrets.token_hex(16)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False", "--allow-root",
         "--ServerApp.jpserver_extensions={'jupyter_rees_ui': True}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(HERE.parent)},
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        deadline = time.monotonic() + 15
        while descendants(server.pid) and time.monotonic() < deadline:
            time.sleep(0.1)  # the server's start-up helpers (npm prefix -g) have ended
        load_average = os.getloadavg()[0]
        before = memory(server.pid)
        result = asyncio.run(asyncio.wait_for(load(base, token, requests), DEADLINE_S))
        after = memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {**result, "before": before, "after": after, "load": load_average}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=300)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="fresh servers, one after the other")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS-load.md")
    args = parser.parse_args()
    requests = min(args.requests, 200)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "corpus").mkdir()
        make_notebooks(root / "corpus", min(args.notebooks, 5000))
        for _ in range(max(1, min(args.runs, 10))):
            runs.append(one_run(root, requests))
    worst = max(run["status"]["max"] for run in runs)
    growth = max(sum(run["after"]) - sum(run["before"]) for run in runs)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report = [
        "# Load: concurrent proposals on a running server",
        "",
        f"{requests} concurrent `GET /jupyter-rees-ui/proposal` on {args.notebooks} generated notebooks, "
        "each run on a fresh (cold) server, while `GET /api/status` is polled every 20 ms; loopback only, "
        f"`python benchmarks/load_benchmark.py`. 2-core machine; measured {stamp}.",
        "",
        "| run | /api/status n | p50 ms | p95 ms | max ms | proposal p50 ms | p95 ms | max ms | all answered, s "
        "| RSS before → after, MB (growth) | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for i, run in enumerate(runs, 1):
        s, p, before, after = run["status"], run["proposal"], run["before"], run["after"]
        report.append(
            f"| {i} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['max']:.1f} | {p['p50']:.0f} | {p['p95']:.0f} "
            f"| {p['max']:.0f} | {run['wall']:.2f} | {sum(before):.0f} → {sum(after):.0f} ({sum(after) - sum(before):+.0f}) "
            f"| {run['load']:.2f} |"
        )
    report += [
        "",
        "- RSS counts the server **and its child processes** (the reader processes that parse "
        "notebooks for it); server alone / children: "
        + "; ".join(
            f"run {i}: {run['before'][0]:.0f} → {run['after'][0]:.0f} / {run['before'][1]:.0f} → {run['after'][1]:.0f}"
            for i, run in enumerate(runs, 1)
        )
        + " MB.",
        "- Identical requests in flight share one scan and one encoded answer.",
        f"- Targets: /api/status max < 100 ms (worst run: {worst:.1f} ms, "
        f"{'met' if worst < 100 else 'missed'}); RSS growth < 100 MB (worst: {growth:.0f} MB, "
        f"{'met' if growth < 100 else 'missed'}).",
    ]
    args.out.write_text("\n".join(report) + "\n")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
