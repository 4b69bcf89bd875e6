"""Once the server runs, the objects its start-up built are out of the cyclic garbage
collector's reach (gc.freeze), so a full collection does not hold up its requests."""

from __future__ import annotations

import asyncio
import gc

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
