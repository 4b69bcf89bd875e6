import os

import pytest
from hypothesis import settings

pytest_plugins = ("pytest_jupyter.jupyter_server",)

# Property tests explore new examples on every local run; CI runs a fixed set, so a
# submission's verdict does not depend on the draw (a failure found locally becomes an
# explicit example test).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def jp_server_config(jp_server_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_rees_ui": True},
            "allow_unauthenticated_access": False,
        },
        "Rees": {
            "resolve_before_write": False,  # no network in tests (see below)
            "freeze_startup_heap": False,  # the test process collects as usual (test_startup_heap.py)
        },
    }


@pytest.fixture(autouse=True)
def _user_cache_folder(tmp_path_factory, monkeypatch):
    """Commands keep scans and environments in the user's cache folder: a fresh one per
    test (subprocesses inherit it), never the real one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture(autouse=True)
def _no_resolution_check(tmp_path_factory, monkeypatch):
    """Writing asks the package index whether lines not pinned from the kernel resolve
    (c.Rees.resolve_before_write): off in tests unless a test turns it on, so no test
    reaches the network by accident."""
    config = tmp_path_factory.mktemp("jupyter-config")
    (config / "jupyter_config.json").write_text('{"Rees": {"resolve_before_write": false}}')
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
