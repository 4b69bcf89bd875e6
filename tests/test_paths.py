"""The one path guard: a relative path inside a base folder, or a clear refusal."""

from __future__ import annotations

import pytest

from jupyter_rees_ui.adapters.paths import PathRefused, inside


@pytest.mark.parametrize(
    "rel, status, fragment",
    [
        ("/etc/passwd", 400, "relative"),
        ("C:/x", 400, "relative"),
        ("a\x00b", 400, "NUL"),
        ("../x", 400, "inside"),
        ("a/../../x", 400, "inside"),
        ("x" * 256, 400, "255"),
        ("out/secret.txt", 403, "outside"),  # a symlink leading out
        (None, 400, "string"),
    ],
)
def test_refused(tmp_path, rel, status, fragment):
    base, elsewhere = tmp_path / "base", tmp_path / "elsewhere"
    base.mkdir()
    elsewhere.mkdir()
    (base / "out").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(PathRefused, match=fragment) as info:
        inside(base, rel)
    assert info.value.status == status


@pytest.mark.parametrize("rel, expected", [("a/b.txt", "a/b.txt"), ("./a", "a"), ("a\\b", "a/b"), ("", ".")])
def test_accepted(tmp_path, rel, expected):
    assert inside(tmp_path, rel) == (tmp_path.resolve() / expected).resolve()


def test_dotdot_that_stays_inside_only_when_allowed(tmp_path):
    (tmp_path / "a").mkdir()
    assert inside(tmp_path, "a/../a", allow_dotdot=True).resolve() == (tmp_path / "a").resolve()
    with pytest.raises(PathRefused, match="outside"):
        inside(tmp_path, "a/../..", allow_dotdot=True)
