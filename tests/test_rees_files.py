"""Preview and write REES files in real folders: merge, hashes, conflicts, path safety."""

from __future__ import annotations

import os
import stat

import pytest

from jupyter_rees_ui.adapters.rees_files import (
    ConflictError,
    PathError,
    layout,
    notes,
    preview,
    preview_badge,
    sha256,
    write,
)
from jupyter_rees_ui.core.binder import binder_link
from jupyter_rees_ui.core.model import ProposedRequirement
from jupyter_rees_ui.core.rees import header, render_rees

ROWS = [
    ProposedRequirement("numpy", specifier="==1.26.4"),
    ProposedRequirement("pandas", specifier="==2.1.0"),
]
FILES = render_rees(ROWS, "3.11")


def test_first_write_creates_binder_folder(tmp_path):
    changes = preview(tmp_path, FILES)
    assert [(c.path, c.status, c.old, c.old_sha256) for c in changes] == [
        ("binder/requirements.txt", "create", None, None),
        ("binder/runtime.txt", "create", None, None),
    ]
    assert changes[1].diff.startswith("--- /dev/null\n+++ b/binder/runtime.txt\n")
    written = write(tmp_path, changes)
    assert [c.path for c in written] == ["binder/requirements.txt", "binder/runtime.txt"]
    assert (tmp_path / "binder/runtime.txt").read_text() == "python-3.11\n"
    assert (tmp_path / "binder/requirements.txt").read_text() == FILES["requirements.txt"]


def test_writing_twice_changes_nothing(tmp_path):
    write(tmp_path, preview(tmp_path, FILES))
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "binder").iterdir()}
    again = preview(tmp_path, FILES)
    assert {c.status for c in again} == {"unchanged"}
    assert all(c.diff == "" for c in again)
    assert write(tmp_path, again) == []
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "binder").iterdir()} == before


def test_merge_keeps_user_lines_and_shows_pin_change(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_text("# mine\nnumpy==1.0\nrich\n")
    (change,) = [c for c in preview(tmp_path, FILES) if c.path.endswith("requirements.txt")]
    assert change.status == "update"
    assert change.old_sha256 == sha256(b"# mine\nnumpy==1.0\nrich\n")
    assert "-numpy==1.0\n" in change.diff and "+numpy==1.26.4\n" in change.diff
    assert change.new == f"{header()}\n# mine\nnumpy==1.26.4\npandas==2.1.0\nrich\n"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("binder", "binder/runtime.txt"),
        (".binder", ".binder/runtime.txt"),
        (".", "runtime.txt"),
        ("root", "runtime.txt"),
    ],
)
def test_targets(tmp_path, target, expected):
    changes = preview(tmp_path, {"runtime.txt": "python-3.11\n"}, target=target)
    assert [c.path for c in changes] == [expected]
    write(tmp_path, changes)
    assert (tmp_path / expected).is_file()


def test_conflict_when_file_changed_since_preview(tmp_path):
    changes = preview(tmp_path, FILES)
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/runtime.txt").write_text("python-3.9\n")  # someone else wrote it
    with pytest.raises(
        ConflictError, match="binder/runtime.txt was created since the preview"
    ) as info:
        write(tmp_path, changes)
    assert info.value.status_code == 409
    # nothing was written: the check happens before any write
    assert not (tmp_path / "binder/requirements.txt").exists()
    assert (tmp_path / "binder/runtime.txt").read_text() == "python-3.9\n"


def test_conflict_on_modified_and_deleted(tmp_path):
    write(tmp_path, preview(tmp_path, FILES))
    (tmp_path / "binder/requirements.txt").write_text("numpy==1.0\n")
    changes = preview(tmp_path, FILES)
    (tmp_path / "binder/requirements.txt").write_text("numpy==2.0\n")
    with pytest.raises(ConflictError, match="was modified"):
        write(tmp_path, changes)
    (tmp_path / "binder/requirements.txt").unlink()
    with pytest.raises(ConflictError, match="was deleted"):
        write(tmp_path, changes)


def test_write_with_files_and_expected_hashes(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_text("numpy==1.0\n")
    expected = {c.path: c.old_sha256 for c in preview(tmp_path, FILES)}
    written = write(tmp_path, FILES, expected)
    assert {c.path for c in written} == {"binder/requirements.txt", "binder/runtime.txt"}
    with pytest.raises(ConflictError):  # the hashes are now stale
        write(tmp_path, render_rees(ROWS, "3.12"), expected)
    with pytest.raises(TypeError):
        write(tmp_path, FILES)


def test_remove_offered_file(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_text("numpy\n")
    env = render_rees(ROWS, "3.11", fmt="environment")
    changes = preview(tmp_path, env, remove=["binder/requirements.txt", "binder/runtime.txt"])
    assert [(c.path, c.status) for c in changes] == [
        ("binder/environment.yml", "create"),
        ("binder/requirements.txt", "delete"),
        ("binder/runtime.txt", "unchanged"),
    ]
    assert changes[1].new is None and "-numpy" in changes[1].diff
    write(tmp_path, changes)
    assert sorted(p.name for p in (tmp_path / "binder").iterdir()) == ["environment.yml"]


def test_remove_follows_the_notes_and_only_config_files(tmp_path):
    (tmp_path / "requirements.txt").write_text("numpy\n")
    (found,) = notes(tmp_path, FILES)
    assert found.code == "root-hidden"
    changes = preview(tmp_path, FILES, remove=found.paths)
    assert [(c.path, c.status) for c in changes] == [
        ("binder/requirements.txt", "create"),
        ("binder/runtime.txt", "create"),
        ("requirements.txt", "delete"),
    ]
    for path in ("analysis.ipynb", "../requirements.txt", "/etc/requirements.txt"):
        with pytest.raises(PathError):
            preview(tmp_path, FILES, remove=[path])


def test_existing_environment_yaml_is_merged_not_doubled(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/environment.yaml").write_text("dependencies:\n  - zlib  # mine\n")
    env = render_rees(ROWS, "3.11", fmt="environment")
    (change,) = preview(tmp_path, env)
    assert (change.path, change.status) == ("binder/environment.yaml", "update")
    assert "zlib  # mine" in change.new and "python=3.11" in change.new


@pytest.mark.parametrize(
    ("name", "old", "code"),
    [
        ("requirements.txt", "numpy==1.0 \\\n    --hash=sha256:abc\n", "hashes"),
        ("runtime.txt", "python-3.12.1\n", "fixed-runtime"),
        ("runtime.txt", "python3.11\n", "fixed-runtime"),
        ("environment.yml", "dependencies:\n  - python>=3.12\n", "fixed-python"),
    ],
)
def test_change_notes(tmp_path, name, old, code):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / name).write_text(old)
    files = {**FILES, **render_rees(ROWS, "3.11", fmt="environment")}
    (change,) = [c for c in preview(tmp_path, files) if c.path == f"binder/{name}"]
    assert [note.code for note in change.notes] == [code]


def test_pin_changes_on_file_changes(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_text("numpy==1.0\nrich\n")
    (tmp_path / "binder/environment.yml").write_text(
        "dependencies:\n  - python=3.9\n  - pip:\n      - pandas==1.0\n"
    )
    files = {**FILES, **render_rees(ROWS, "3.11", fmt="environment")}
    pins = {c.path: [(p.name, p.old, p.new) for p in c.pins] for c in preview(tmp_path, files)}
    assert pins["binder/requirements.txt"] == [
        ("numpy", "numpy==1.0", "numpy==1.26.4"),
        ("pandas", None, "pandas==2.1.0"),
    ]
    assert pins["binder/environment.yml"] == [
        ("pip", None, "pip"),
        ("pip:numpy", None, "numpy==1.26.4"),
        ("pip:pandas", "pandas==1.0", "pandas==2.1.0"),
        ("python", "python=3.9", "python=3.11"),
    ]
    assert pins["binder/runtime.txt"] == []


def test_new_files_follow_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write(tmp_path, preview(tmp_path, FILES))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "binder/runtime.txt").stat().st_mode) == 0o640


def test_disk_full_while_staging_changes_nothing(tmp_path, monkeypatch):
    from jupyter_rees_ui.adapters import rees_files

    write(tmp_path, preview(tmp_path, {"runtime.txt": "python-3.9\n"}))
    changes = preview(tmp_path, FILES)
    real_stage, calls = rees_files._stage, []

    def stage_then_fail(path, text):  # fault injection: the second file hits a full disk
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_stage(path, text)

    monkeypatch.setattr(rees_files, "_stage", stage_then_fail)
    with pytest.raises(OSError, match="No space"):
        write(tmp_path, changes)
    assert sorted(p.name for p in (tmp_path / "binder").iterdir()) == ["runtime.txt"]
    assert (tmp_path / "binder/runtime.txt").read_text() == "python-3.9\n"


def test_mode_kept_and_no_temporary_files_left(tmp_path):
    (tmp_path / "binder").mkdir()
    path = tmp_path / "binder/requirements.txt"
    path.write_text("numpy==1.0\n")
    path.chmod(0o640)
    write(tmp_path, preview(tmp_path, FILES))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "binder").iterdir()) == [
        "requirements.txt",
        "runtime.txt",
    ]


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/passwd", "sub/requirements.txt", "", "a\0b", "..", "x/", "a\\b"]
)
def test_file_names_must_stay_in_target(tmp_path, name):
    with pytest.raises(PathError):
        preview(tmp_path, {name: "x\n"})


def test_unknown_target(tmp_path):
    with pytest.raises(PathError, match="target"):
        preview(tmp_path, FILES, target="../elsewhere")


def test_symlinked_binder_outside_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    os.symlink(outside, project / "binder")
    with pytest.raises(PathError, match="outside"):
        preview(project, FILES)


def test_non_utf8_file_is_not_touched(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_bytes(b"\xff\xfe n\x00u\x00")
    with pytest.raises(PathError, match="UTF-8"):
        preview(tmp_path, FILES)


def test_a_file_where_the_binder_folder_should_be(tmp_path):
    (tmp_path / "binder").write_text("not a folder\n")
    with pytest.raises(PathError, match="binder is a file"):
        preview(tmp_path, FILES)


def test_byte_order_mark_is_not_a_requirement(tmp_path):
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_bytes(b"\xef\xbb\xbfnumpy==1.0\n")
    (change,) = [c for c in preview(tmp_path, FILES) if c.path == "binder/requirements.txt"]
    assert change.new == FILES["requirements.txt"]


def test_layout_and_notes(tmp_path):
    (tmp_path / "requirements.txt").write_text("numpy\n")
    (tmp_path / "apt.txt").write_text("git\n")
    assert layout(tmp_path) == {"apt.txt": None, "requirements.txt": None}
    found = notes(tmp_path, FILES, target="binder", python_version="3.11")
    assert [n.code for n in found] == ["root-hidden"]
    assert found[0].paths == ("apt.txt", "requirements.txt")
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/runtime.txt").write_text("r-4.3-2023-06-01\n")
    assert layout(tmp_path)["binder/runtime.txt"] == "r-4.3-2023-06-01\n"
    assert [n.code for n in notes(tmp_path, FILES)] == ["replaces-r-runtime"]


def test_badge_creates_readme_then_is_idempotent(tmp_path):
    link = binder_link("git@github.com:o/r.git", "main")
    change = preview_badge(tmp_path, link)
    assert (change.path, change.status) == ("README.md", "create")
    assert change.new.startswith(f"# {tmp_path.name}\n\n<!-- binder-badge:start -->\n")
    write(tmp_path, [change])
    again = preview_badge(tmp_path, link)
    assert again.status == "unchanged"


def test_badge_in_existing_rst_readme(tmp_path):
    (tmp_path / "README.rst").write_text("Project\n=======\n\nText.\n")
    change = preview_badge(tmp_path, binder_link("git@github.com:o/r.git", "v1"))
    assert change.path == "README.rst" and change.status == "update"
    assert ".. image:: https://mybinder.org/badge_logo.svg" in change.new
    assert "+   :target: https://mybinder.org/v2/gh/o/r/v1\n" in change.diff
