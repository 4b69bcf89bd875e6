"""The git CLI, called with argument lists (never a shell), for remotes, the current
ref, whether it is pushed, and committing exactly the files we wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import process
from .paths import PathRefused, inside
from ..core.binder import MYBINDER, BinderError, BinderLink, binder_link

DEFAULT_MESSAGE = "Add Binder configuration (REES) written by jupyter-rees-ui"
TIMEOUT = 60


class GitError(Exception):
    """A git operation failed; the message says why in the user's words."""

    def __init__(self, message: str, *, stderr: str = ""):
        super().__init__(message)
        self.message = message
        self.stderr = stderr


class GitNotFoundError(GitError):
    pass


class NotARepositoryError(GitError):
    pass


class NoIdentityError(GitError):
    pass


class DetachedHeadError(GitError):
    pass


class NothingToCommitError(GitError):
    pass


class HookError(GitError):
    pass


class NoRemoteError(GitError):
    pass


@dataclass(frozen=True)
class GitRemote:
    name: str
    url: str  # as ``git remote get-url`` prints it (insteadOf applied); may hold a token


@dataclass(frozen=True)
class RefInfo:
    branch: str | None  # None when HEAD is detached
    sha: str | None  # None before the first commit
    detached: bool
    upstream: str | None  # e.g. "origin/main"
    pushed: bool | None  # HEAD's commit is on some remote-tracking branch; None: unknown
    ahead: int | None  # commits not on the upstream


@dataclass(frozen=True)
class CommitResult:
    sha: str
    branch: str | None
    message: str
    files: tuple[str, ...]
    pushed: bool
    upstream: str | None
    note: str  # what to do next (push, set an upstream)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C", "GIT_PAGER": "cat"})
    return env


def run_git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``git -C root ARGS``; raises GitError when it fails and ``check``."""
    executable = shutil.which("git")
    if executable is None:
        raise GitNotFoundError("git is not installed (or not on PATH).")
    try:
        result = process.run([executable, "-C", str(root), *args], env=_environment(), timeout=TIMEOUT)
    except subprocess.TimeoutExpired as err:
        raise GitError(f"git {args[0]} did not finish within {TIMEOUT:g} s (stopped).") from err
    except OSError as err:
        raise GitError(f"git {args[0]} could not be run: {err}") from err
    if check and result.returncode != 0:
        raise GitError(f"git {args[0]} failed: {result.stderr.strip()}", stderr=result.stderr)
    return result


def toplevel(root: Path) -> Path:
    """The work tree containing ``root``; NotARepositoryError when there is none."""
    if not Path(root).is_dir():
        raise NotARepositoryError(f"{root} is not a folder.")
    result = run_git(root, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise NotARepositoryError(
            f"{root} is not inside a git repository: run `git init` (and add a remote) first.",
            stderr=result.stderr,
        )
    return Path(result.stdout.strip())


def remotes(root: Path) -> list[GitRemote]:
    """The repository's remotes, ``origin`` first, then by name."""
    toplevel(root)
    names = run_git(root, "remote").stdout.split()
    found = []
    for name in sorted(names, key=lambda n: (n != "origin", n)):
        result = run_git(root, "remote", "get-url", name, check=False)
        if result.returncode == 0 and result.stdout.strip():
            found.append(GitRemote(name, result.stdout.strip()))
    return found


def remote_url(root: Path, name: str | None = None) -> str:
    """The URL of remote ``name`` (default: origin, else the first one)."""
    found = remotes(root)
    if not found:
        raise NoRemoteError(
            "This repository has no remote: push it to GitHub/GitLab (git remote add origin URL) "
            "or enter the provider by hand."
        )
    if name is None:
        return found[0].url
    for remote in found:
        if remote.name == name:
            return remote.url
    raise NoRemoteError(f"No remote named {name!r}; remotes: {', '.join(r.name for r in found)}.")


def current_ref(root: Path) -> RefInfo:
    """Branch (None when detached), HEAD's SHA, upstream and whether HEAD is pushed."""
    toplevel(root)
    head = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    sha = head.stdout.strip() or None if head.returncode == 0 else None
    symbolic = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    branch = symbolic.stdout.strip() if symbolic.returncode == 0 else None
    upstream_result = run_git(
        root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False
    )
    upstream = upstream_result.stdout.strip() if upstream_result.returncode == 0 else None
    ahead = None
    if upstream and sha:
        counted = run_git(root, "rev-list", "--count", "@{upstream}..HEAD", check=False)
        ahead = int(counted.stdout.strip()) if counted.returncode == 0 else None
    return RefInfo(branch, sha, branch is None, upstream, is_pushed(root, sha), ahead)


def is_pushed(root: Path, sha: str | None = None, *, remote: str | None = None) -> bool | None:
    """Whether a commit (default HEAD) is on a remote-tracking branch (of ``remote``
    when given), as last fetched; None when there is no commit or no remote."""
    if sha is None:
        head = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
        sha = head.stdout.strip() if head.returncode == 0 else None
    if not sha:
        return None
    if not run_git(root, "remote").stdout.split():
        return None
    pattern = ["--list", f"{remote}/*"] if remote else []
    contains = run_git(root, "branch", "--remotes", "--contains", sha, *pattern, check=False)
    if contains.returncode != 0:
        return False
    return any(line.strip() for line in contains.stdout.splitlines())


def _remote_branch(root: Path, remote: str, branch: str) -> str | None:
    """The SHA of ``remote/branch`` as last fetched, None when there is none."""
    ref = f"refs/remotes/{remote}/{branch}"
    result = run_git(root, "rev-parse", "--verify", "--quiet", ref, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def _ref_pushed(root: Path, remote: str, ref: str) -> tuple[bool | None, str | None]:
    """Whether a ref other than HEAD's is on ``remote`` as last fetched, and what to do
    when it is not: a local branch must be pushed by name, a tag with ``git push REMOTE
    TAG`` (not recorded locally, so unknown), a commit must be on some branch of the
    remote. Nothing here contacts the remote."""
    if _remote_branch(root, remote, ref) is not None:
        return True, None
    local = run_git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{ref}", check=False)
    if local.returncode == 0:
        return False, f"Branch {ref} is not on {remote} (as last fetched): git push -u {remote} {ref} before sharing the link."
    tag = run_git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}", check=False)
    if tag.returncode == 0:  # whether a tag was pushed is not recorded locally
        return None, f"Make sure tag {ref} is on {remote} (git push {remote} {ref}) before sharing the link."
    sha = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if sha.returncode != 0:
        return None, f"{ref} is not a branch, tag or commit of this repository."
    pushed = is_pushed(root, sha.stdout.strip(), remote=remote)
    if pushed is False:
        return False, f"Commit {ref} is on no branch of {remote} (as last fetched): push it before sharing the link."
    return pushed, None


def list_refs(root: Path, *, limit: int = 50) -> dict[str, list[str]]:
    """Local branches (most recent first) and tags (newest first) to offer as refs."""
    toplevel(root)
    branches = run_git(
        root, "for-each-ref", "--sort=-committerdate", f"--count={limit}",
        "--format=%(refname:short)", "refs/heads", check=False,
    ).stdout.split()
    tags = run_git(
        root, "for-each-ref", "--sort=-creatordate", f"--count={limit}",
        "--format=%(refname:short)", "refs/tags", check=False,
    ).stdout.split()
    return {"branches": branches, "tags": tags}


def subfolder(root: Path) -> str:
    """``root`` relative to the repository's top level, POSIX ('' at the top). Binder
    reads ``binder/`` only at the top level, and opens paths relative to it."""
    top = toplevel(root).resolve()
    relative = Path(root).resolve().relative_to(top)
    return "" if str(relative) == "." else relative.as_posix()


@dataclass(frozen=True)
class RepositoryLink:
    link: BinderLink
    remote: str  # the remote's name
    ref: str  # the branch, tag or SHA in the link
    pushed: bool | None  # whether HEAD is on the remote (None: unknown)
    notes: tuple[str, ...]  # what stops the link from working yet


def repository_link(
    root: Path,
    *,
    remote: str | None = None,
    ref: str | None = None,
    path: str | None = None,
    mode: str = "lab",
    binderhub: str = MYBINDER,
) -> RepositoryLink:
    """The Binder link for the repository holding ``root``: remote ``origin`` (or the
    named one), ref = the current branch (the SHA when detached) unless given, ``path``
    relative to ``root`` (made relative to the top level, as Binder opens it)."""
    found = remotes(root)
    if not found:
        raise NoRemoteError(
            "This repository has no remote: push it to GitHub/GitLab (git remote add origin URL) "
            "or enter the provider by hand."
        )
    chosen = found[0] if remote is None else next((r for r in found if r.name == remote), None)
    if chosen is None:
        raise NoRemoteError(
            f"No remote named {remote!r}; remotes: {', '.join(r.name for r in found)}."
        )
    info = current_ref(root)
    notes = []
    if ref is None:
        ref = info.branch or info.sha
        if ref is None:
            raise GitError("The repository has no commit yet: commit, push, then link.")
    prefix = subfolder(root)
    if prefix:
        notes.append(
            f"This folder is {prefix}/ inside the repository: Binder reads binder/ (or the "
            "configuration files) only at the repository's top level."
        )
    full_path = str(PurePosixPath(prefix, path)) if (path and prefix) else path
    try:
        link = binder_link(chosen.url, ref, path=full_path, mode=mode, binderhub=binderhub)
    except BinderError as err:
        raise GitError(f"Remote {chosen.name!r}: {err}") from err
    pushed = is_pushed(root, info.sha, remote=chosen.name)
    if ref not in (info.branch, info.sha):
        pushed, note = _ref_pushed(root, chosen.name, ref)
        if note:
            notes.append(note)
    elif ref == info.branch and _remote_branch(root, chosen.name, ref) is None:
        pushed = False
        notes.append(
            f"Branch {ref} is not on {chosen.name} (as last fetched): "
            f"git push -u {chosen.name} {ref} before sharing the link."
        )
    elif ref in (info.branch, info.sha) and pushed is False:
        notes.append(f"HEAD is not pushed to {chosen.name} yet: push before sharing the link.")
    return RepositoryLink(link, chosen.name, ref, pushed, tuple(notes))


def _identity_problem(root: Path) -> str | None:
    for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        result = run_git(root, "var", variable, check=False)
        if result.returncode != 0:
            return result.stderr.strip()
    return None


def _hooks(root: Path) -> list[str]:
    hooks_dir = run_git(root, "rev-parse", "--git-path", "hooks", check=False).stdout.strip()
    if not hooks_dir:
        return []
    folder = Path(hooks_dir) if Path(hooks_dir).is_absolute() else Path(root) / hooks_dir
    names = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit")
    return [n for n in names if (folder / n).is_file() and os.access(folder / n, os.X_OK)]


def _status_paths(porcelain_z: str) -> list[str]:
    """Paths from ``git status --porcelain -z`` (a rename's old path included)."""
    paths = []
    entries = iter(porcelain_z.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":
            paths.append(next(entries, ""))
    return paths


def commit_files(root: Path, paths: Sequence[str], message: str = DEFAULT_MESSAGE) -> CommitResult:
    """Stage exactly ``paths`` (relative to ``root``; deletions included) and commit only
    them, leaving anything else staged or changed alone. Raises a GitError subclass for:
    no repository, no identity, detached HEAD, nothing to commit, a failing hook."""
    top = toplevel(root)
    if not paths:
        raise NothingToCommitError("No files to commit.")
    relative = []
    for path in paths:
        # inside the folder the user chose, not merely inside the repository's top level
        try:
            full = inside(root, path, where="the folder")
            relative.append(full.relative_to(top.resolve()).as_posix())
        except (PathRefused, ValueError) as exc:
            raise GitError(f"{path!r} is not inside the repository folder being committed: {exc}") from exc
    relative = sorted(set(relative))
    problem = _identity_problem(top)
    if problem is not None:
        raise NoIdentityError(
            "git does not know who you are: set user.name and user.email "
            "(git config user.name 'Your Name'; git config user.email you@example.org).",
            stderr=problem,
        )
    symbolic = run_git(top, "symbolic-ref", "--quiet", "HEAD", check=False)
    if symbolic.returncode != 0:
        raise DetachedHeadError(
            "HEAD is detached: check out a branch first, so the commit can be pushed and linked."
        )
    status = run_git(
        top,
        "status",
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--",
        *(f":(literal){p}" for p in relative),
    )
    changed = sorted(set(_status_paths(status.stdout)) & set(relative))
    if not changed:
        raise NothingToCommitError(
            "Nothing to commit: the files are already committed as they are."
        )
    relative = changed
    pathspec = ["--", *(f":(literal){p}" for p in relative)]
    run_git(top, "add", "--all", *pathspec)
    commit = run_git(top, "commit", "--quiet", "-m", message, *pathspec, check=False)
    if commit.returncode != 0:
        output = (commit.stderr + commit.stdout).strip()
        hooks = _hooks(top)
        if hooks:
            raise HookError(
                f"The commit was rejected by a git hook ({', '.join(hooks)}): {output}",
                stderr=output,
            )
        if "nothing to commit" in output or "no changes added" in output:
            raise NothingToCommitError("Nothing to commit.", stderr=output)
        if "tell me who you are" in output or "identity" in output:
            raise NoIdentityError(
                "git does not know who you are: set user.name and user.email.", stderr=output
            )
        raise GitError(f"git commit failed: {output}", stderr=output)
    info = current_ref(top)
    pushed = bool(info.pushed)
    if pushed:
        note = "The commit is on the remote: the Binder link works."
    elif info.upstream:
        note = f"Push to {info.upstream} (git push) before sharing the Binder link."
    else:
        found = remotes(top)
        remote = found[0].name if found else "origin"
        branch = info.branch or "HEAD"
        note = f"Push this branch (git push -u {remote} {branch}) before sharing the Binder link."
    return CommitResult(
        sha=info.sha or "",
        branch=info.branch,
        message=message,
        files=tuple(relative),
        pushed=pushed,
        upstream=info.upstream,
        note=note,
    )


__all__ = [
    "DEFAULT_MESSAGE",
    "CommitResult",
    "DetachedHeadError",
    "GitError",
    "GitNotFoundError",
    "GitRemote",
    "HookError",
    "NoIdentityError",
    "NoRemoteError",
    "NotARepositoryError",
    "NothingToCommitError",
    "RefInfo",
    "RepositoryLink",
    "commit_files",
    "current_ref",
    "is_pushed",
    "list_refs",
    "remote_url",
    "remotes",
    "repository_link",
    "run_git",
    "subfolder",
    "toplevel",
]
