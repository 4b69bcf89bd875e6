"""Build hook: the JupyterLab extension template's npm build, with two changes.

1. The labextension goes into the wheel file by file (package.json, static/, schemas/
   and the repository's install.json), so whatever else lies in the build folder
   (``jupyter labextension develop`` can leave an install.json there) never collides.
2. A wheel built where there is neither Node.js nor an already built labextension (a
   pre-commit hook or a CI job installing from a git checkout) is the Python half only:
   the ``jupyter rees`` command and the server extension, without the sidebar. The sdist
   and release wheels still need the frontend and fail without it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from hatch_jupyter_builder.plugin import JupyterBuildHook

BUILD_DIR = "jupyter_rees_ui/labextension"
SHARE_DIR = "share/jupyter/labextensions/jupyter-rees-ui"
BUILT_PARTS = ("package.json", "static", "schemas")
BUILT_MARKER = "static/style.js"


class ReesBuildHook(JupyterBuildHook):
    """``hatch_jupyter_builder``'s hook, configured under ``[tool.hatch.build.hooks.custom]``."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        build_dir = Path(self.root) / BUILD_DIR
        if self.target_name == "wheel" and not self._can_build_frontend(build_dir):
            sys.stderr.write(
                "jupyter_rees_ui: Node.js (npm) is not on PATH and the labextension is not "
                "built: this wheel has the `jupyter rees` command and the server extension, "
                "without the JupyterLab sidebar. Install the released wheel, or Node.js 18+, "
                "for the sidebar.\n"
            )
            return
        super().initialize(version, build_data)
        if self.target_name == "wheel" and (build_dir / "package.json").is_file():
            shared = build_data.setdefault("shared_data", {})
            for part in BUILT_PARTS:
                shared[f"{BUILD_DIR}/{part}"] = f"{SHARE_DIR}/{part}"
            shared["install.json"] = f"{SHARE_DIR}/install.json"

    @staticmethod
    def _can_build_frontend(build_dir: Path) -> bool:
        return (build_dir / BUILT_MARKER).is_file() or shutil.which("npm") is not None


def get_build_hook() -> type[JupyterBuildHook]:
    return ReesBuildHook
