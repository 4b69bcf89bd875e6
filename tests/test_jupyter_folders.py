"""The Jupyter folders (config files, kernelspecs) worked out on Linux without importing
jupyter_core.paths must be jupyter_core's own, whatever the variables that move them say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BOTH = """
import json, sys
from jupyter_rees_ui.adapters import jupyter_config as j
ours = j._linux_folders() is not None
fast = [j.config_dirs(), j.kernel_dirs()]
imported = "jupyter_core.paths" in sys.modules
j._linux_folders = lambda: None
print(json.dumps([ours, imported, fast, [j.config_dirs(), j.kernel_dirs()]]))
"""

MOVED = (
    "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "XDG_DATA_HOME",
    "JUPYTER_PREFER_ENV_PATH", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "JUPYTER_PLATFORM_DIRS", "JUPYTER_NO_CONFIG",
    "PYTHONUSERBASE", "IPYTHONDIR",
)


def _both(python: str, settings: dict[str, str], extra_path: str = "") -> list:
    env = {k: v for k, v in os.environ.items() if k not in MOVED}
    env.update(settings)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), extra_path) if p)
    done = subprocess.run([python, "-c", BOTH], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _cases(tmp: Path) -> list[dict[str, str]]:
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    linked = tmp / "linked-home"
    if not linked.exists():
        linked.symlink_to(home)
    prefix = sys.prefix
    return [
        {},
        {"HOME": str(linked)},
        {"HOME": str(tmp / "no-such-home")},
        {"JUPYTER_PATH": f"{tmp}/a/{os.pathsep}{tmp}/b", "JUPYTER_CONFIG_PATH": f"{tmp}/c/"},
        {"JUPYTER_CONFIG_DIR": f"{tmp}/cfg", "JUPYTER_DATA_DIR": f"{tmp}/data"},
        {"JUPYTER_CONFIG_DIR": "", "JUPYTER_DATA_DIR": "", "JUPYTER_PATH": ""},
        {"XDG_DATA_HOME": f"{tmp}/xdg"},
        {"XDG_DATA_HOME": ""},
        {"JUPYTER_PREFER_ENV_PATH": "0"},
        {"JUPYTER_PREFER_ENV_PATH": "1"},
        {"JUPYTER_PREFER_ENV_PATH": ""},
        {"JUPYTER_PREFER_ENV_PATH": "No"},
        {"JUPYTER_PREFER_ENV_PATH": "off"},
        {"CONDA_PREFIX": prefix, "CONDA_DEFAULT_ENV": "work"},
        {"CONDA_PREFIX": prefix, "CONDA_DEFAULT_ENV": "base"},
        {"CONDA_PREFIX": prefix},
        {"JUPYTER_PLATFORM_DIRS": "1"},  # jupyter_core's own answer: platformdirs
        {"JUPYTER_PLATFORM_DIRS": "0"},
        {"JUPYTER_NO_CONFIG": "1"},  # jupyter_core's own answer: a fresh temporary folder
        {"PYTHONUSERBASE": f"{tmp}/userbase/"},
        {"PYTHONUSERBASE": f"{tmp}/x/../userbase"},
        {"IPYTHONDIR": f"{tmp}/ipython"},
    ]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the folders are worked out here on Linux only")
def test_the_folders_are_jupyter_cores_in_a_virtual_environment(tmp_path: Path) -> None:
    for settings in _cases(tmp_path):
        ours, imported, fast, theirs = _both(sys.executable, settings)
        delegated = settings.get("JUPYTER_PLATFORM_DIRS") == "1" or bool(settings.get("JUPYTER_NO_CONFIG"))
        assert ours is not delegated, settings
        if settings.get("JUPYTER_NO_CONFIG"):
            continue  # a temporary folder made on each call
        assert fast == theirs, settings
        assert imported is delegated, settings  # worked out without jupyter_core.paths


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the folders are worked out here on Linux only")
def test_the_folders_are_jupyter_cores_for_a_python_outside_any_environment(tmp_path: Path) -> None:
    """The base interpreter (not a venv: the user's site folder counts, and the
    environment is not preferred) with this environment's packages on its path."""
    base = os.path.join(sys.base_prefix, "bin", "python3")
    if sys.prefix == sys.base_prefix or not os.path.exists(base):
        pytest.skip("needs a virtual environment over a base Python")
    import jupyter_core

    packages = str(Path(jupyter_core.__file__).parents[1])
    for settings in _cases(tmp_path):
        if settings.get("JUPYTER_NO_CONFIG"):
            continue
        ours, _, fast, theirs = _both(base, settings, packages)
        assert fast == theirs, settings
