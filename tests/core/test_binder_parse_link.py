"""A Binder link is accepted only as parts of a known BinderHub's launch link."""

from __future__ import annotations

import pytest

from jupyter_rees_ui.core import binder

BUILT = [
    binder.binder_link("https://github.com/o/r.git", "main", path="dir/a b.ipynb"),
    binder.binder_link("git@gitlab.com:g/sub/r.git", "feature/x", mode="doc", path="n.ipynb"),
    binder.binder_link("https://example.org/x/y.git", "v1.0"),
    binder.doi_link("10.5281/zenodo.1234567"),
    binder.nbgitpuller_link("https://github.com/e/env", "HEAD", "https://github.com/c/content", path="a.ipynb"),
    binder.binder_link("https://github.com/o/r", "main", binderhub="https://hub.example.org/binder/"),
]


@pytest.mark.parametrize("link", BUILT, ids=lambda link: link.provider)
def test_every_link_we_build_parses_back_to_itself(link):
    parsed = binder.parse_link(link.url, ["https://hub.example.org/binder"])
    assert parsed.url == link.url
    assert parsed.provider == link.provider
    assert parsed.binderhub == link.binderhub


def test_a_configured_hub_is_needed_for_its_links():
    url = "https://hub.example.org/binder/v2/gh/o/r/main"
    with pytest.raises(binder.BinderError, match="known BinderHub"):
        binder.parse_link(url)
    assert binder.parse_link(url, ["https://hub.example.org/binder/"]).badge_image == (
        "https://hub.example.org/binder/badge_logo.svg"
    )
    with pytest.raises(binder.BinderError):
        binder.hub_url("http://insecure.example")
