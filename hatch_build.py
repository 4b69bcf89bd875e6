"""Build hook: the JupyterLab extension template's npm build (hatch-jupyter-builder), with
three changes.

1. The labextension goes into the wheel part by part (package.json, static/, schemas/ and
   the repository's install.json), so whatever else lies in the build folder
   (``jupyter labextension develop`` can leave an install.json there) never collides.
2. A wheel built where there is neither Node.js nor an already built labextension (a
   pre-commit hook or a CI job installing from a git checkout) is the Python half only:
   the ``jupyter rees`` command and the server extension, without the sidebar. The sdist
   still needs the frontend and fails without it.
3. JupyterLab (for ``jupyter labextension build``) is a build dependency only where Node.js
   can run, so that a Python-only build installs nothing it cannot use.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUILD_DIR = "jupyter_rees_ui/labextension"
SHARE_DIR = "share/jupyter/labextensions/jupyter-rees-ui"
BUILT_PARTS = ("package.json", "static", "schemas")
BUILT_MARKER = "static/style.js"
BUILDER = "hatch-jupyter-builder>=0.5"
JUPYTERLAB = "jupyterlab>=4.5,<5"


class ReesBuildHook(BuildHookInterface):
    """Configured under ``[tool.hatch.build.hooks.custom]`` with hatch-jupyter-builder's
    options, which are handed to its hook unchanged."""

    def dependencies(self) -> list[str]:
        # hatch-jupyter-builder is imported only in initialize, after it is installed.
        return [BUILDER, JUPYTERLAB] if _node_available() else [BUILDER]

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        build_dir = Path(self.root) / BUILD_DIR
        built = (build_dir / BUILT_MARKER).is_file()
        if self.target_name == "wheel" and not built and not _node_available():
            sys.stderr.write(
                "jupyter_rees_ui: Node.js (npm) is not on PATH and the labextension is not "
                "built: this wheel has the `jupyter rees` command and the server extension, "
                "without the JupyterLab sidebar. Install the released wheel, or Node.js 18+, "
                "for the sidebar.\n"
            )
            return
        from hatch_jupyter_builder.plugin import JupyterBuildHook

        JupyterBuildHook(
            self.root, self.config, self.build_config, self.metadata, self.directory, self.target_name, self.app
        ).initialize(version, build_data)
        if self.target_name == "wheel" and (build_dir / "package.json").is_file():
            shared = build_data.setdefault("shared_data", {})
            for part in BUILT_PARTS:
                shared[f"{BUILD_DIR}/{part}"] = f"{SHARE_DIR}/{part}"
            shared["install.json"] = f"{SHARE_DIR}/install.json"


def _node_available() -> bool:
    """Both node and npm on PATH (npm is a script that needs node: removing node alone,
    as CI jobs do, leaves npm behind)."""
    return shutil.which("node") is not None and shutil.which("npm") is not None


def get_build_hook() -> type[BuildHookInterface]:
    return ReesBuildHook
