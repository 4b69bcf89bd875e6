"""Once the server runs, the objects its start-up built are out of the cyclic garbage
collector's reach (gc.freeze), so a full collection does not hold up its requests."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


@pytest.fixture(params=[True, False], ids=["on", "off"])
def freeze(request) -> bool:
    return request.param


@pytest.fixture
def jp_server_config(jp_server_config, freeze):
    return {**jp_server_config, "Rees": {**jp_server_config.get("Rees", {}), "freeze_startup_heap": freeze}}


async def test_the_start_up_heap_is_frozen_once_the_server_runs(unfrozen, freeze, jp_fetch):
    await jp_fetch("api", "status")
    for _ in range(50):  # the server's loop runs the callback within a few turns
        if gc.get_freeze_count():
            break
        await asyncio.sleep(0)
    if freeze:
        assert gc.get_freeze_count() > 1000
    else:
        assert gc.get_freeze_count() == 0


def test_once_prepared_a_proposal_imports_nothing_of_ours(tmp_path):
    """What a server prepares while it starts (c.Rees.prepare_at_startup) is all a
    proposal imports of this package, and the import-name data is loaded: the first
    proposal neither imports nor loads them while other requests wait."""
    script = """
import json, sys
from jupyter_rees_ui import handlers, workflow
from jupyter_rees_ui.core import mapping
workflow.prepare()
assert mapping.bundled_wheel_data.cache_info().currsize == 1
cache = workflow.scan_cache()  # as the server's start makes it (handlers.setup_handlers)
before = set(sys.modules)
reply = workflow.propose(workflow.ProposeRequest(workflow.locate(sys.argv[1], "")), cache=cache)
json.dumps(workflow.to_json(reply))
cache.readers.close()
print(json.dumps(sorted(m for m in set(sys.modules) - before if m.startswith("jupyter_rees_ui"))))
"""
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "requirements.txt").write_text("numpy==1.0\n")
    (tmp_path / "analysis.py").write_text("import numpy\nimport pandas\n")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "import scipy\n%matplotlib inline\n"}
    (tmp_path / "notes.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


@pytest.fixture
def prepared(monkeypatch) -> list[int]:
    """Calls of workflow.prepare (recorded, not run) by servers started from here on."""
    from jupyter_rees_ui import workflow

    calls: list[int] = []
    monkeypatch.setattr(workflow, "prepare", lambda: calls.append(1))
    return calls


async def test_the_server_prepares_proposals_while_it_starts(prepared, jp_fetch):
    await jp_fetch("api", "status")
    assert prepared == [1]
