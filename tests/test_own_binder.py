"""Our own repository launches on Binder: repo2docker's dry run accepts binder/."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_repo2docker_renders_our_binder_folder(tmp_path):
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    if repo2docker is None:
        pytest.skip("jupyter-repo2docker is not installed (pip install .[test])")
    shutil.copytree(ROOT / "binder", tmp_path / "binder")
    result = subprocess.run(
        [repo2docker, "--no-run", "--no-build", "--debug", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "Building conda environment for python=3.11" in out
    assert "binder/postBuild" in out
