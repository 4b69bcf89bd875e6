"""The whole pipeline for one folder: scan -> the kernel's environment -> proposal.

Shared by the server handlers and the CLI so both give the same answer.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from ..core.model import Proposal, ScanResult
from ..core.resolve import build_proposal
from .environment import introspect, kernel_python
from .files import ScanCache, scan_folder


def running_python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def kernel_names(scan: ScanResult) -> list[str]:
    """Kernel names the notebooks ask for, most used first."""
    counts = Counter(name for _path, name in scan.kernels if name)
    return [name for name, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def propose(
    root: str | Path,
    *,
    python: str | None = None,
    kernel: str | None = None,
    pin: str = "==",
    overrides: Mapping[str, str] | None = None,
    cache: ScanCache | None = None,
    timeout: float = 60,
) -> Proposal:
    """Scan ``root`` and resolve its imports against the environment that runs its notebooks.

    The environment is, in order: ``python`` (an interpreter path), the interpreter of the
    kernelspec ``kernel``, the kernel most notebooks in the folder name, the server's own.
    """
    scan = scan_folder(root, target_python=None, cache=cache)
    notes: list[str] = []
    names = kernel_names(scan)
    if python is None:
        chosen = kernel or (names[0] if names else None)
        python = kernel_python(chosen)
        if not kernel and len(names) > 1:
            notes.append(
                "Notebooks in this folder use several kernels ("
                + ", ".join(names)
                + f"); pins come from '{chosen}'. Choose another environment to compare."
            )
    env = introspect(python, timeout=timeout)
    if env.python_version != running_python_version():
        # The standard library differs between versions: filter for the kernel's Python.
        scan = scan_folder(root, target_python=env.python_version, cache=cache)
    proposal = build_proposal(scan, env, pin=pin, overrides=overrides)
    if notes:
        proposal = dataclasses.replace(proposal, notes=tuple(notes) + proposal.notes)
    return proposal
