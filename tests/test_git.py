"""The git adapter against real repositories in tmp_path (never the user's config)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from jupyter_rees_ui.adapters.git import (
    DEFAULT_MESSAGE,
    DetachedHeadError,
    GitError,
    HookError,
    NoIdentityError,
    NoRemoteError,
    NotARepositoryError,
    NothingToCommitError,
    commit_files,
    current_ref,
    remote_url,
    remotes,
    list_refs,
    repository_link,
    subfolder,
)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path, monkeypatch):
    """No global or system git config, a known identity."""
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "home" / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key, value in {
        "GIT_AUTHOR_NAME": "Ada Tester",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada Tester",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
    }.items():
        monkeypatch.setenv(key, value)


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.rstrip("\n")


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch", "main")
    (root / "analysis.ipynb").write_text("{}\n")
    git(root, "add", "analysis.ipynb")
    git(root, "commit", "--quiet", "-m", "initial")
    return root


@pytest.fixture
def pushed_repo(tmp_path, repo) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "--quiet", "-u", "origin", "main")
    return repo


def write_rees(root: Path) -> list[str]:
    (root / "binder").mkdir(exist_ok=True)
    (root / "binder" / "requirements.txt").write_text("numpy==1.26.4\n")
    (root / "binder" / "runtime.txt").write_text("python-3.11\n")
    return ["binder/requirements.txt", "binder/runtime.txt"]


def test_remotes_origin_first(repo):
    assert remotes(repo) == []
    with pytest.raises(NoRemoteError, match="no remote"):
        remote_url(repo)
    git(repo, "remote", "add", "upstream", "https://github.com/org/repo.git")
    git(repo, "remote", "add", "origin", "git@github.com:me/repo.git")
    git(repo, "remote", "add", "backup", "https://gitlab.com/me/repo.git")
    assert [r.name for r in remotes(repo)] == ["origin", "backup", "upstream"]
    assert remote_url(repo) == "git@github.com:me/repo.git"
    assert remote_url(repo, "upstream") == "https://github.com/org/repo.git"
    with pytest.raises(NoRemoteError, match="No remote named 'nope'"):
        remote_url(repo, "nope")


def test_remote_url_applies_insteadof(repo):
    git(repo, "config", "url.https://github.com/.insteadOf", "gh:")
    git(repo, "remote", "add", "origin", "gh:me/repo")
    assert remote_url(repo) == "https://github.com/me/repo"


def test_current_ref_and_pushed(pushed_repo):
    info = current_ref(pushed_repo)
    assert (info.branch, info.detached, info.upstream, info.pushed, info.ahead) == (
        "main",
        False,
        "origin/main",
        True,
        0,
    )
    assert info.sha == git(pushed_repo, "rev-parse", "HEAD")
    (pushed_repo / "more.py").write_text("x = 1\n")
    git(pushed_repo, "add", "more.py")
    git(pushed_repo, "commit", "--quiet", "-m", "more")
    info = current_ref(pushed_repo)
    assert (info.pushed, info.ahead) == (False, 1)


def test_current_ref_without_remote_or_commits(tmp_path, repo):
    assert current_ref(repo).pushed is None
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "--quiet", "--initial-branch", "trunk")
    info = current_ref(empty)
    assert (info.branch, info.sha, info.pushed) == ("trunk", None, None)


def test_commit_exactly_the_written_files(repo):
    paths = write_rees(repo)
    (repo / "analysis.ipynb").write_text('{"changed": true}\n')  # unrelated, modified
    (repo / "notes.txt").write_text("scratch\n")  # unrelated, staged
    git(repo, "add", "notes.txt")
    (repo / "untracked.py").write_text("")  # unrelated, untracked
    result = commit_files(repo, paths)
    assert result.files == tuple(paths)
    assert result.message == DEFAULT_MESSAGE
    assert result.branch == "main" and result.sha == git(repo, "rev-parse", "HEAD")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == paths
    status = git(repo, "status", "--porcelain").splitlines()
    assert (
        " M analysis.ipynb" in status and "A  notes.txt" in status and "?? untracked.py" in status
    )
    assert result.pushed is False and "Push" in result.note


def test_commit_reports_pushed_state_with_upstream(pushed_repo):
    result = commit_files(pushed_repo, write_rees(pushed_repo), "Add REES")
    assert git(pushed_repo, "log", "-1", "--format=%s") == "Add REES"
    assert (result.pushed, result.upstream) == (False, "origin/main")
    assert "origin/main" in result.note


def test_commit_includes_deletions_and_skips_unchanged(repo):
    paths = write_rees(repo)
    commit_files(repo, paths)
    (repo / "binder" / "runtime.txt").unlink()
    (repo / "README.md").write_text("# x\n")
    result = commit_files(repo, [*paths, "README.md"])
    assert result.files == ("README.md", "binder/runtime.txt")
    assert "binder/runtime.txt" not in git(repo, "ls-files")


def test_paths_relative_to_a_subfolder(repo):
    sub = repo / "course"
    sub.mkdir()
    result = commit_files(sub, write_rees(sub))
    assert result.files == ("course/binder/requirements.txt", "course/binder/runtime.txt")


def test_a_file_outside_the_chosen_folder_is_refused_though_in_the_repository(repo):
    sub = repo / "course"
    sub.mkdir()
    (repo / "elsewhere.txt").write_text("not the REES\n")
    (sub / "link.txt").symlink_to(repo / "elsewhere.txt")
    for path in ("../elsewhere.txt", "link.txt"):
        with pytest.raises(GitError, match="not inside the repository folder"):
            commit_files(sub, [*write_rees(sub), path])
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""  # nothing staged
    assert "elsewhere.txt" not in git(repo, "ls-files")


def test_nothing_to_commit(repo):
    paths = write_rees(repo)
    commit_files(repo, paths)
    with pytest.raises(NothingToCommitError, match="already committed"):
        commit_files(repo, paths)
    with pytest.raises(NothingToCommitError):
        commit_files(repo, [])


def test_not_a_repository(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    with pytest.raises(NotARepositoryError, match="git init"):
        commit_files(folder, ["x"])
    with pytest.raises(NotARepositoryError):
        remotes(folder)


def test_missing_identity(repo, monkeypatch):
    for key in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ):
        monkeypatch.delenv(key, raising=False)
    git(repo, "config", "user.useConfigOnly", "true")  # no guessing from the host name
    with pytest.raises(NoIdentityError, match="user.name and user.email"):
        commit_files(repo, write_rees(repo))
    assert git(repo, "status", "--porcelain", "binder") == "?? binder/"  # nothing staged


def test_detached_head(repo):
    git(repo, "checkout", "--quiet", "--detach")
    with pytest.raises(DetachedHeadError, match="check out a branch"):
        commit_files(repo, write_rees(repo))


def test_failing_hook(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(HookError, match="pre-commit.*lint says no"):
        commit_files(repo, write_rees(repo))


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/hosts"])
def test_paths_outside_the_repository(repo, path):
    with pytest.raises(GitError, match="not inside the repository"):
        commit_files(repo, [path])


def test_odd_file_names(repo):
    (repo / "binder").mkdir()
    name = "binder/*weird [name].txt"
    (repo / name).write_text("x\n")
    (repo / "binder" / "other.txt").write_text("y\n")  # a glob would match this too
    result = commit_files(repo, [name])
    assert result.files == (name,)
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == name


def test_repository_link_defaults_to_origin_and_current_branch(pushed_repo):
    git(pushed_repo, "remote", "set-url", "--push", "origin", "unused")  # fetch URL is what counts
    git(pushed_repo, "remote", "add", "github", "https://ghp_SECRET@github.com/me/project.git")
    result = repository_link(pushed_repo, remote="github")
    assert result.pushed is False and "git push -u github main" in result.notes[0]
    git(pushed_repo, "update-ref", "refs/remotes/github/main", "HEAD")  # as after a push
    result = repository_link(pushed_repo, remote="github", path="analysis.ipynb")
    assert (
        result.link.url
        == "https://mybinder.org/v2/gh/me/project/main?urlpath=lab/tree/analysis.ipynb"
    )
    assert (result.remote, result.ref, result.pushed, result.notes) == ("github", "main", True, ())
    # origin is a local bare repository: not something Binder can reach
    with pytest.raises(GitError, match="origin.*public host"):
        repository_link(pushed_repo)


def test_repository_link_in_a_subfolder_on_a_new_branch(repo):
    git(repo, "remote", "add", "origin", "git@gitlab.com:group/sub/project.git")
    git(repo, "checkout", "--quiet", "-b", "feature/binder")
    sub = repo / "course"
    sub.mkdir()
    assert subfolder(repo) == "" and subfolder(sub) == "course"
    result = repository_link(sub, path="week1.ipynb", mode="doc")
    assert result.link.url == (
        "https://mybinder.org/v2/gl/group%2Fsub%2Fproject/feature%2Fbinder"
        "?urlpath=doc/tree/course/week1.ipynb"
    )
    assert any("top level" in note for note in result.notes)
    assert any("feature/binder is not on origin" in note for note in result.notes)


def test_repository_link_detached_uses_sha_or_given_tag(repo):
    git(repo, "remote", "add", "origin", "https://github.com/me/project")
    git(repo, "tag", "v1.0")
    git(repo, "checkout", "--quiet", "--detach")
    sha = git(repo, "rev-parse", "HEAD")
    assert repository_link(repo).link.url == f"https://mybinder.org/v2/gh/me/project/{sha}"
    assert repository_link(repo, ref="v1.0").link.url.endswith("/gh/me/project/v1.0")


def test_repository_link_without_remote(repo):
    with pytest.raises(NoRemoteError, match="enter the provider by hand"):
        repository_link(repo)


def test_commit_note_names_the_real_branch_and_remote(repo):
    git(repo, "remote", "add", "upstream", "https://github.com/me/project")
    git(repo, "checkout", "--quiet", "-b", "binder-ready")
    result = commit_files(repo, write_rees(repo))
    assert "git push -u upstream binder-ready" in result.note
    assert "BRANCH" not in result.note


def test_repository_link_for_a_chosen_ref(pushed_repo):
    git(pushed_repo, "remote", "set-url", "origin", "https://github.com/me/project")
    git(pushed_repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(pushed_repo, "branch", "draft")
    git(pushed_repo, "tag", "v1.0")
    pushed_sha = git(pushed_repo, "rev-parse", "HEAD")
    (pushed_repo / "more.txt").write_text("x\n")
    git(pushed_repo, "add", "more.txt")
    git(pushed_repo, "commit", "--quiet", "-m", "local only")
    local_sha = git(pushed_repo, "rev-parse", "HEAD")

    result = repository_link(pushed_repo, ref="draft")
    assert result.pushed is False
    assert any("git push -u origin draft" in note for note in result.notes)
    result = repository_link(pushed_repo, ref="v1.0")
    assert result.pushed is None and any("git push origin v1.0" in n for n in result.notes)
    result = repository_link(pushed_repo, ref=pushed_sha)
    assert (result.pushed, result.notes) == (True, ())
    result = repository_link(pushed_repo, ref=local_sha[:10])
    assert result.pushed is False and any("on no branch of origin" in n for n in result.notes)
    result = repository_link(pushed_repo, ref="no-such-ref")
    assert any("not a branch, tag or commit" in n for n in result.notes)

    refs = list_refs(pushed_repo)
    assert set(refs["branches"]) == {"main", "draft"} and refs["tags"] == ["v1.0"]
