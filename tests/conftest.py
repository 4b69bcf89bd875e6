"""What the tests that resolve, install or scan tiny projects share: wheels built here,
a folder of them as the only package index, and notebooks written from code cells."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest


def build_wheel(
    folder: Path, name: str, version: str = "1.0", requires: tuple[str, ...] = (), module: str | None = None
) -> Path:
    """A minimal pure-Python wheel of ``name`` providing ``module`` (default: the name,
    with ``VERSION`` set), depending on ``requires``: enough for a resolver and an installer."""
    module = module or name
    dist = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {
        f"{module}/__init__.py": f"VERSION = {version!r}\n".encode(),
        f"{dist}/METADATA": metadata.encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist}/top_level.txt": f"{module}\n".encode(),
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return wheel


def write_notebook(path: Path, *cells: str) -> None:
    """A notebook (nbformat 4) whose code cells are ``cells``, none of them run."""
    nb = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                  for c in cells],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))


@pytest.fixture(scope="session")
def tiny_wheel() -> Callable[..., Path]:
    """``tiny_wheel(folder, name, version="1.0", requires=(), module=None)``: build_wheel."""
    return build_wheel


@pytest.fixture(scope="session")
def tiny_notebook() -> Callable[..., None]:
    """``tiny_notebook(path, *cells)``: write_notebook."""
    return write_notebook


@pytest.fixture
def wheel_index(tmp_path, monkeypatch) -> Path:
    """An empty folder of wheels (add some with ``tiny_wheel``) that is the only package
    index pip and uv see, in this process and the ones it starts; remembered resolver
    verdicts are dropped."""
    from jupyter_rees_ui.adapters import resolver

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for name in ("UV_OFFLINE", "UV_INDEX_URL", "UV_DEFAULT_INDEX", "PIP_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    # uv does not read pip's settings: the same local index for it (and nothing else)
    monkeypatch.setenv("UV_NO_INDEX", "1")
    monkeypatch.setenv("UV_FIND_LINKS", str(wheels))
    resolver.forget()
    return wheels
