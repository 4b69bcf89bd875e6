"""Binder links, badges, nbgitpuller links and README insertion (pure)."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_rees_ui.core.binder import (
    BinderError,
    badge,
    binder_link,
    doi_link,
    insert_badge,
    nbgitpuller_link,
    parse_remote,
    readme_format,
)

V2 = "https://mybinder.org/v2"

LINKS = [
    # (remote as `git remote get-url` prints it, ref, expected link)
    ("git@github.com:owner/repo.git", "main", f"{V2}/gh/owner/repo/main"),
    ("https://github.com/owner/repo", "main", f"{V2}/gh/owner/repo/main"),
    ("https://github.com/owner/repo.git/", "v1.0", f"{V2}/gh/owner/repo/v1.0"),
    (
        "https://x-access-token:ghp_SECRET@github.com/owner/repo.git",
        "main",
        f"{V2}/gh/owner/repo/main",
    ),
    ("ssh://git@github.com/owner/repo.git", "HEAD", f"{V2}/gh/owner/repo/HEAD"),
    ("git@github.com:owner/repo.git", "feature/x", f"{V2}/gh/owner/repo/feature/x"),
    ("git@github.com:owner/repo.git", "fix#12", f"{V2}/gh/owner/repo/fix%2312"),
    ("git@github.com:Owner/Repo.git", "a" * 40, f"{V2}/gh/Owner/Repo/{'a' * 40}"),
    ("git@gitlab.com:group/repo.git", "main", f"{V2}/gl/group%2Frepo/main"),
    (
        "https://oauth2:glpat-SECRET@gitlab.com/group/sub/deeper/repo.git",
        "main",
        f"{V2}/gl/group%2Fsub%2Fdeeper%2Frepo/main",
    ),
    (
        "ssh://git@gitlab.com:2222/group/sub/repo.git",
        "feature/x",
        f"{V2}/gl/group%2Fsub%2Frepo/feature%2Fx",
    ),
    (
        "https://gist.github.com/someone/0123456789abcdef.git",
        "main",
        f"{V2}/gist/someone/0123456789abcdef/main",
    ),
    (
        "git@gist.github.com:0123456789abcdef.git",
        "main",
        f"{V2}/git/https%3A%2F%2Fgist.github.com%2F0123456789abcdef.git/main",
    ),
    (
        "https://user:SECRET@git.example.org/team/proj.git",
        "main",
        f"{V2}/git/https%3A%2F%2Fgit.example.org%2Fteam%2Fproj.git/main",
    ),
    (
        "git@git.example.org:team/proj.git",
        "release/2.0",
        f"{V2}/git/https%3A%2F%2Fgit.example.org%2Fteam%2Fproj.git/release%2F2.0",
    ),
    (
        "ssh://git@codeberg.org/me/notes",
        "fix#1",
        f"{V2}/git/https%3A%2F%2Fcodeberg.org%2Fme%2Fnotes/fix%231",
    ),
    (
        "http://git.lab.local:8080/me/notes.git",
        "main",
        f"{V2}/git/http%3A%2F%2Fgit.lab.local%3A8080%2Fme%2Fnotes.git/main",
    ),
]


@pytest.mark.parametrize(("remote", "ref", "expected"), LINKS)
def test_links_from_remotes(remote, ref, expected):
    link = binder_link(remote, ref)
    assert link.url == expected
    assert "SECRET" not in link.url and "SECRET" not in (link.repo_url or "")
    assert "@" not in (link.repo_url or "")


@pytest.mark.parametrize(
    ("remote", "message"),
    [
        ("", "empty"),
        ("/home/me/repo", "local path"),
        ("file:///home/me/repo.git", "local path"),
        ("C:\\work\\repo", "local path"),
        ("https://github.com/just-owner", "owner/repo"),
        ("ftp://example.org/x.git", "scheme"),
    ],
)
def test_unusable_remotes(remote, message):
    with pytest.raises(BinderError, match=message):
        binder_link(remote, "main")


def test_error_messages_hide_tokens():
    with pytest.raises(BinderError) as err:
        binder_link("https://me:ghp_SECRET@github.com/only-owner", "main")
    assert "SECRET" not in str(err.value) and "***@github.com" in str(err.value)


@pytest.mark.parametrize("ref", ["", " ", "a b", "x..y"])
def test_bad_refs(ref):
    with pytest.raises(BinderError):
        binder_link("git@github.com:o/r.git", ref)


@pytest.mark.parametrize(
    ("path", "mode", "query"),
    [
        (None, "lab", ""),
        ("analysis.ipynb", "lab", "?urlpath=lab/tree/analysis.ipynb"),
        ("/notebooks/analysis.ipynb", "doc", "?urlpath=doc/tree/notebooks/analysis.ipynb"),
        # the urlpath value is a URL path: the file path is percent-encoded once, then
        # the value is encoded again as a query parameter
        ("my notebook.ipynb", "lab", "?urlpath=lab/tree/my%2520notebook.ipynb"),
        ("50%.ipynb", "lab", "?urlpath=lab/tree/50%2525.ipynb"),
        ("q?&#.ipynb", "lab", "?urlpath=lab/tree/q%253F%2526%2523.ipynb"),
    ],
)
def test_open_a_notebook(path, mode, query):
    link = binder_link("git@github.com:o/r.git", "main", path=path, mode=mode)
    assert link.url == f"{V2}/gh/o/r/main{query}"
    if path:
        urlpath = parse_qs(urlsplit(link.url).query)["urlpath"][0]
        # what BinderHub appends to the server URL decodes back to the file path
        assert unquote(urlpath.split("/tree/", 1)[1]) == path.strip("/")


@pytest.mark.parametrize("path", ["../secret.ipynb", "a/../../b"])
def test_paths_stay_in_the_repository(path):
    with pytest.raises(BinderError):
        binder_link("git@github.com:o/r.git", "main", path=path)


def test_mode_checked():
    with pytest.raises(BinderError, match="mode"):
        binder_link("git@github.com:o/r.git", "main", path="a.ipynb", mode="retro")


@pytest.mark.parametrize(
    ("mode", "path", "query"),
    [
        ("lab", None, ""),
        ("doc", None, ""),
        ("classic", "sub/a b.ipynb", "?urlpath=tree/sub/a%2520b.ipynb"),
        ("classic", None, "?urlpath=tree"),
        ("voila", "dash.ipynb", "?urlpath=voila/render/dash.ipynb"),
        ("voila", None, "?urlpath=voila/tree"),
    ],
)
def test_each_mode_opens_its_interface(mode, path, query):
    link = binder_link("git@github.com:o/r.git", "main", path=path, mode=mode)
    assert link.url == f"https://mybinder.org/v2/gh/o/r/main{query}"
    assert link.mode == mode


def test_other_binderhub():
    link = binder_link("git@github.com:o/r.git", "main", binderhub="https://binder.example.org/")
    assert link.url == "https://binder.example.org/v2/gh/o/r/main"
    assert badge(link).startswith("[![Binder](https://binder.example.org/badge_logo.svg)]")


@pytest.mark.parametrize(
    ("doi", "provider", "expected"),
    [
        ("10.5281/zenodo.3242074", None, f"{V2}/zenodo/10.5281/zenodo.3242074/"),
        ("https://doi.org/10.5281/zenodo.3242074", None, f"{V2}/zenodo/10.5281/zenodo.3242074/"),
        (
            "doi:10.6084/m9.figshare.9782777.v1",
            None,
            f"{V2}/figshare/10.6084/m9.figshare.9782777.v1/",
        ),
        ("10.7910/DVN/TJCLKP", "dataverse", f"{V2}/dataverse/10.7910/DVN/TJCLKP/"),
        (
            "https://www.hydroshare.org/resource/b8f6eae9d89241cf8b5904033460af61",
            None,
            f"{V2}/hydroshare/b8f6eae9d89241cf8b5904033460af61/",
        ),
    ],
)
def test_doi_links(doi, provider, expected):
    assert doi_link(doi, provider=provider).url == expected


def test_doi_needs_a_known_archive():
    with pytest.raises(BinderError, match="zenodo, figshare or dataverse"):
        doi_link("10.1234/abc")
    with pytest.raises(BinderError, match="not a DOI"):
        doi_link("zenodo 12")


def test_badges():
    link = binder_link("git@github.com:o/r.git", "main", path="a b.ipynb")
    assert (
        badge(link, "markdown") == f"[![Binder](https://mybinder.org/badge_logo.svg)]({link.url})"
    )
    assert badge(link, "rst") == (
        f".. image:: https://mybinder.org/badge_logo.svg\n   :target: {link.url}\n   :alt: Binder"
    )
    assert badge(link, "html") == (
        f'<a href="{link.url}"><img src="https://mybinder.org/badge_logo.svg" alt="Binder"></a>'
    )
    with pytest.raises(BinderError):
        badge(link, "asciidoc")


def test_html_badge_escapes():
    assert "&amp;" in badge("https://mybinder.org/v2/gh/o/r/main?a=1&b=2", "html")


@pytest.mark.parametrize(
    ("environment", "expected_base"),
    [
        ("https://github.com/org/env-repo", f"{V2}/gh/org/env-repo/main"),
        ("git@gitlab.com:org/sub/env.git", f"{V2}/gl/org%2Fsub%2Fenv/main"),
        (
            "https://git.example.org/env.git",
            f"{V2}/git/https%3A%2F%2Fgit.example.org%2Fenv.git/main",
        ),
    ],
)
def test_nbgitpuller_link(environment, expected_base):
    link = nbgitpuller_link(
        environment,
        "main",
        "https://token@github.com/org/course-content.git",
        content_branch="fall/2025",
        path="week 1/intro.ipynb",
    )
    base, _, query = link.url.partition("?")
    assert base == expected_base
    outer = parse_qs(query)["urlpath"][0]  # decoded once by BinderHub
    assert outer.startswith("git-pull?")
    inner = parse_qs(outer.split("?", 1)[1])  # decoded again by nbgitpuller
    assert inner["repo"] == ["https://github.com/org/course-content"]
    assert inner["branch"] == ["fall/2025"]
    # the inner urlpath starts with the clone folder (the content repo's name)
    assert inner["urlpath"] == ["lab/tree/course-content/week%201/intro.ipynb"]
    assert "token" not in link.url


def test_nbgitpuller_clone_dir_and_no_path():
    link = nbgitpuller_link(
        "https://github.com/o/env",
        "v1",
        "https://github.com/o/content",
        clone_dir="work",
        mode="doc",
    )
    inner = parse_qs(parse_qs(link.url.partition("?")[2])["urlpath"][0].split("?", 1)[1])
    assert inner["urlpath"] == ["doc/tree/work"]
    assert inner["branch"] == ["main"]


@pytest.mark.parametrize(
    ("remote", "provider", "name"),
    [
        ("git@github.com:o/r.git", "gh", "r"),
        ("https://gitlab.com/a/b/c", "gl", "c"),
        ("https://example.org/x/y.git", "git", "y"),
    ],
)
def test_parse_remote(remote, provider, name):
    parsed = parse_remote(remote)
    assert (parsed.provider, parsed.name) == (provider, name)


SNIPPET = "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/o/r/main)"
BLOCK = f"<!-- binder-badge:start -->\n{SNIPPET}\n<!-- binder-badge:end -->"

README_CASES = [
    pytest.param(None, "markdown", f"# demo\n\n{BLOCK}\n", id="no-readme"),
    pytest.param(
        "# Title\n\nText.\n", "markdown", f"# Title\n\n{BLOCK}\n\nText.\n", id="after-heading"
    ),
    pytest.param(
        "Title\n=====\nText.\n", "markdown", f"Title\n=====\n\n{BLOCK}\n\nText.\n", id="setext"
    ),
    pytest.param("Just text.\n", "markdown", f"{BLOCK}\n\nJust text.\n", id="no-heading-top"),
    pytest.param(
        "# T\n[![CI](https://x/ci.svg)](https://x) [![Binder](https://mybinder.org/badge_logo.svg)]"
        "(https://mybinder.org/v2/gh/o/old/HEAD) more\n",
        "markdown",
        f"# T\n[![CI](https://x/ci.svg)](https://x) {BLOCK} more\n",
        id="hand-made-badge-replaced",
    ),
    pytest.param(
        "# T\n\n<!-- binder-badge:start -->\nold badge\n<!-- binder-badge:end -->\n\nText.\n",
        "markdown",
        f"# T\n\n{BLOCK}\n\nText.\n",
        id="markers-replaced",
    ),
]


@pytest.mark.parametrize(("readme", "fmt", "expected"), README_CASES)
def test_insert_badge(readme, fmt, expected):
    result = insert_badge(readme, SNIPPET, fmt=fmt, title="demo")
    assert result == expected
    assert insert_badge(result, SNIPPET, fmt=fmt) == result


def test_hand_made_rst_badge_replaced():
    rst = badge("https://mybinder.org/v2/gh/o/r/main", "rst")
    readme = (
        "Title\n=====\n\n.. image:: https://mybinder.org/badge.svg\n"
        "   :target: https://mybinder.org/v2/gh/o/old/master\n\nText.\n"
    )
    result = insert_badge(readme, rst, fmt="rst")
    assert "o/old" not in result and result.count(".. image::") == 1
    assert insert_badge(result, rst, fmt="rst") == result


def test_insert_badge_rst():
    rst = badge("https://mybinder.org/v2/gh/o/r/main", "rst")
    for readme in ("Title\n=====\n\nText.\n", "=====\nTitle\n=====\n\nText.\n"):
        result = insert_badge(readme, rst, fmt="rst")
        assert ".. binder-badge:start\n\n.. image::" in result
        assert result.index("Title") < result.index(".. image::") < result.index("Text.")
        assert insert_badge(result, rst, fmt="rst") == result
    assert insert_badge(None, rst, fmt="rst", title="demo").startswith("demo\n====\n\n")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("README.md", "markdown"),
        ("README.rst", "rst"),
        ("README", "markdown"),
        ("readme.html", "html"),
    ],
)
def test_readme_format(name, fmt):
    assert readme_format(name) == fmt


REFS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_#%+@/.\-]{0,20}", fullmatch=True).filter(
    lambda ref: ".." not in ref
)
PATHS = st.lists(
    st.text(
        st.characters(codec="utf-8", exclude_characters="/\\\0"), min_size=1, max_size=8
    ).filter(lambda part: part not in (".", "..")),
    min_size=1,
    max_size=3,
).map("/".join)


@settings(max_examples=80, deadline=None)
@given(ref=REFS, path=PATHS)
def test_links_decode_back_to_ref_and_path(ref, path):
    for remote, prefix, quoted in [
        ("git@github.com:o/r.git", f"{V2}/gh/o/r/", False),
        ("git@gitlab.com:g/s/r.git", f"{V2}/gl/g%2Fs%2Fr/", True),
        ("https://example.org/r.git", f"{V2}/git/https%3A%2F%2Fexample.org%2Fr.git/", True),
    ]:
        link = binder_link(remote, ref, path=path)
        base, _, query = link.url.partition("?")
        assert base.startswith(prefix)
        encoded_ref = base[len(prefix) :]
        assert "#" not in encoded_ref and "?" not in encoded_ref
        assert not quoted or "/" not in encoded_ref
        assert unquote(encoded_ref) == ref
        urlpath = parse_qs(query)["urlpath"][0]
        assert unquote(urlpath.split("/tree/", 1)[1]) == path.strip("/")
