"""The whole pipeline for one folder: scan -> the kernel's environment -> proposal.

Shared by the server handlers and the CLI so both give the same answer.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from ..core.model import Proposal, ScanResult
from ..core.resolve import build_proposal
from .environment import (
    PYPI_JSON,
    check_guesses_on_index,
    introspect,
    introspect_kernels,
    kernel_env,
    kernel_python,
)
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
    check_index: bool = False,
    index_url: str = PYPI_JSON,
    workers: int | None = 1,
    all_syntax: bool = False,
) -> Proposal:
    """Scan ``root`` and resolve its imports against the environment that runs its notebooks.

    The environment is, in order: ``python`` (an interpreter path), the interpreter of the
    kernelspec ``kernel``, the kernel most notebooks in the folder name, the server's own.
    When the notebooks name several kernels, each is read too, so rows whose versions
    differ between them are flagged. ``check_index`` (opt-in, the only network use) asks
    the package index whether names guessed for modules that are not installed exist.
    ``workers=None`` reads a large cold folder with a process per CPU (callers need the
    usual ``if __name__ == "__main__"`` guard). ``all_syntax`` parses every code cell, so
    syntax errors in cells that cannot import are reported too.
    """
    cache = ScanCache() if cache is None else cache  # the second scan below is then free
    scan = scan_folder(root, target_python=None, cache=cache, workers=workers, all_syntax=all_syntax)
    names = kernel_names(scan)
    chosen = None
    if python is None:
        chosen = kernel or (names[0] if names else None)
        env = introspect(kernel_python(chosen), timeout=timeout, env=kernel_env(chosen))
    else:
        env = introspect(python, timeout=timeout)
    if env.python_version != running_python_version():
        # The standard library differs between versions: filter for the kernel's Python.
        scan = scan_folder(root, target_python=env.python_version, cache=cache, all_syntax=all_syntax)
    others = introspect_kernels(names, timeout=timeout) if len(names) > 1 else None
    proposal = build_proposal(scan, env, pin=pin, overrides=overrides, kernel_environments=others)
    if check_index:
        proposal = check_guesses_on_index(proposal, index_url=index_url)
    return proposal
