"""The sidebar and ``jupyter rees write`` hold back the same rows, for the same reasons:
both plan the REES with ``workflow.plan`` from the same proposal (hermetically here: tiny
local wheels are the only package index)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest


@pytest.fixture
def jp_server_config(jp_server_config):
    """This module's server checks before writing (c.Rees.resolve_before_write)."""
    return {**jp_server_config, "Rees": {**jp_server_config["Rees"], "resolve_before_write": True}}


@pytest.fixture
def project(jp_root_dir, wheel_index, tiny_wheel, tiny_notebook):
    """tinyold and tinyold2 need tinybase<2, the notebook installs tinybase 2.0: with either
    of them the REES does not resolve; tinyok does; tinygone is on no index."""
    tiny_wheel(wheel_index, "tinybase", "1.0")
    tiny_wheel(wheel_index, "tinybase", "2.0")
    tiny_wheel(wheel_index, "tinyold", "1.0", ("tinybase<2",))
    tiny_wheel(wheel_index, "tinyold2", "1.0", ("tinybase<2",))
    tiny_wheel(wheel_index, "tinyok", "1.0")
    tiny_notebook(
        jp_root_dir / "p" / "nb.ipynb",
        "!pip install tinybase==2.0 tinyold tinyok tinyold2 tinygone",
        "import tinybase, tinyold, tinyok, tinyold2, tinygone",
    )
    return jp_root_dir / "p"


def sidebar_rows(requirements: list[dict]) -> list[dict]:
    """The rows as the sidebar sends them back (``reviewed`` in src/formatters.ts)."""
    fields = ("name", "extras", "specifier", "url", "source", "conda_name", "included", "marker",
              "trust", "status", "in_file", "written_specifier", "installed_version")
    return [{k: row.get(k) for k in fields if row.get(k) is not None} for row in requirements]


async def held_by_the_sidebar(jp_fetch) -> list[tuple[str, str]]:
    response = await jp_fetch("jupyter-rees-ui", "proposal", params={"path": "p"})
    proposal = json.loads(response.body)["proposal"]
    body = {"path": "p", "requirements": sidebar_rows(proposal["requirements"]),
            "python_version": proposal["python_version"], "hold": []}
    response = await jp_fetch("jupyter-rees-ui", "preview", method="POST", body=json.dumps(body))
    return [(h["name"], h["reason"]) for h in json.loads(response.body)["held"]]


HELD_LINE = re.compile(r"^needs a decision: (\S+) is not written: (.*) \(--include \1 writes it anyway\)$", re.MULTILINE)


def held_by_write(folder, tmp_path) -> list[tuple[str, str]]:
    config = tmp_path / "cli-config"
    config.mkdir()
    (config / "jupyter_config.json").write_text('{"Rees": {"resolve_before_write": true}}')
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_rees_ui.cli", "write", str(folder), "--no-cache"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "JUPYTER_CONFIG_DIR": str(config)},
    )
    assert result.returncode == 0, result.stderr
    return HELD_LINE.findall(result.stderr)


async def test_the_sidebar_and_write_hold_back_the_same_rows(jp_fetch, project, tmp_path):
    sidebar = await held_by_the_sidebar(jp_fetch)
    assert [name for name, _ in sidebar] == ["tinygone", "tinyold", "tinyold2"]
    assert all(reason for _, reason in sidebar)
    assert held_by_write(project, tmp_path) == sidebar
    assert not (project / "binder").exists(), "neither a preview nor a write without --yes writes"
