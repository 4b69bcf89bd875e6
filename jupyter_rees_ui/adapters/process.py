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
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import threading

CANCEL_POLL = 0.1  # seconds between looks at a cancel event while a command runs


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
    cancel: threading.Event | None = None,
) -> subprocess.CompletedProcess[Any]:
    """Run ``cmd`` (stdin empty, output captured) for at most ``timeout`` seconds;
    raises ``subprocess.TimeoutExpired`` (after stopping it) or ``OSError``. Once
    ``cancel`` is set the command is stopped and ``Cancelled`` raised."""
    process = start(
        cmd,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=text,
    )
    if cancel is None:
        stdout, stderr = finish(process, timeout)
    else:
        stdout, stderr = _finish_unless(process, timeout, cancel)
    return subprocess.CompletedProcess(list(cmd), process.returncode, stdout, stderr)


def _finish_unless(process: subprocess.Popen[Any], timeout: float, cancel: threading.Event) -> tuple[Any, Any]:
    """``finish``, looking at ``cancel`` every ``CANCEL_POLL`` seconds (``communicate``
    may be called again after its own timeout without losing output)."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            if cancel.is_set():
                from ..core.model import Cancelled  # not loaded by a command that only lists files

                name = os.path.basename(str(process.args[0] if isinstance(process.args, list) else process.args))
                raise Cancelled(f"stopped: {name} was no longer needed")
            try:
                return process.communicate(timeout=max(0.0, min(CANCEL_POLL, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise subprocess.TimeoutExpired(process.args, timeout) from None
    except BaseException:
        stop(process)
        raise


__all__ = ["finish", "run", "start", "stop"]
