"""Bounded subprocesses: every command the package runs (git, introspection,
repo2docker's dry run, the resolver) ends within its time limit.

``subprocess.run(..., timeout=)`` kills only the process it started and then waits for
its pipes to close, which never happens while a grandchild (a git hook, a wrapper
script's ``sleep``, pip's build backends) holds them open. Here the command runs in its
own process group; on timeout (or an interrupt) the whole group is killed and the pipes
are closed without waiting.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any


def start(cmd: Sequence[str], **options: Any) -> subprocess.Popen[Any]:
    """``Popen(cmd)`` in its own process group (so ``stop`` can end all of it)."""
    if os.name == "posix":
        options.setdefault("start_new_session", True)
    return subprocess.Popen(list(cmd), **options)


def stop(process: subprocess.Popen[Any]) -> None:
    """Kill ``process`` and everything it started; close its pipes without waiting for
    the grandchildren that may still hold them."""
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def finish(process: subprocess.Popen[Any], timeout: float) -> tuple[Any, Any]:
    """``process.communicate(timeout=)``; on timeout (``subprocess.TimeoutExpired``,
    re-raised) or an interrupt the process group is stopped first."""
    try:
        return process.communicate(timeout=timeout)
    except BaseException:
        stop(process)
        raise


def run(
    cmd: Sequence[str],
    *,
    timeout: float,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess[Any]:
    """Run ``cmd`` (stdin empty, output captured) for at most ``timeout`` seconds;
    raises ``subprocess.TimeoutExpired`` (after stopping it) or ``OSError``."""
    process = start(
        cmd,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=text,
    )
    stdout, stderr = finish(process, timeout)
    return subprocess.CompletedProcess(list(cmd), process.returncode, stdout, stderr)


__all__ = ["finish", "run", "start", "stop"]
