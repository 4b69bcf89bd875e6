"""Binder links and badges from a git remote URL; nbgitpuller links; README badges.

Pure string work (see REFERENCE.md, "Binder links"): a remote URL as ``git remote
get-url`` prints it becomes a provider (gh, gl, gist, git) and a spec; user info in
the URL (tokens) never reaches a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from .model import BINDER_MODES

MYBINDER = "https://mybinder.org"
BADGE_IMAGE = "badge_logo.svg"

Provider = Literal["gh", "gl", "gist", "git", "zenodo", "figshare", "dataverse", "hydroshare"]
BadgeFormat = Literal["markdown", "rst", "html"]
Mode = Literal["lab", "doc", "classic", "voila"]
#: how Binder opens the link (core.model.BinderMode); voila needs voila in the REES
MODES = BINDER_MODES
#: the urlpath prefix of each mode, for a file and for no file
_URLPATHS = {
    "lab": ("lab/tree/", None),
    "doc": ("doc/tree/", None),
    "classic": ("tree/", "tree"),
    "voila": ("voila/render/", "voila/tree"),
}

_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>[A-Za-z0-9.\-]+):(?P<path>(?!//).+)$")
_SCHEMES = {"http", "https", "ssh", "git", "git+ssh", "ssh+git"}
_DOI = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(?P<doi>10\.\d{4,9}/\S+?)/?$", re.IGNORECASE
)
_HYDROSHARE_ID = re.compile(r"([0-9a-f]{32})")

MARKERS = {
    "markdown": ("<!-- binder-badge:start -->", "<!-- binder-badge:end -->"),
    "html": ("<!-- binder-badge:start -->", "<!-- binder-badge:end -->"),
    "rst": (".. binder-badge:start", ".. binder-badge:end"),
}


class BinderError(ValueError):
    """A remote, ref, path or DOI that cannot make a Binder link; the message says why."""


@dataclass(frozen=True)
class Remote:
    """A git remote URL taken apart; ``url`` is the https clone URL without user info."""

    provider: Provider
    host: str
    path: str  # owner/repo (or group/sub/repo, or user/gist-id), no ".git"
    url: str  # https (or http) clone URL without credentials

    @property
    def name(self) -> str:
        """The repository's own name: the folder ``git clone`` would create."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class BinderLink:
    provider: Provider
    spec: str
    url: str
    ref: str | None = None
    path: str | None = None
    mode: Mode = "lab"
    repo_url: str | None = None  # what Binder will clone, credentials stripped
    binderhub: str = MYBINDER

    @property
    def badge_image(self) -> str:
        return f"{self.binderhub}/{BADGE_IMAGE}"


def _strip_git(path: str) -> str:
    path = path.strip("/")
    return path.removesuffix(".git")


def redact(url: str) -> str:
    """A URL fit for a message: user info (tokens) replaced by ``***``."""
    return re.sub(r"^([a-z][a-z0-9+.\-]*://)[^/@]*@", r"\1***@", url.strip(), flags=re.IGNORECASE)


def parse_remote(remote_url: str) -> Remote:
    """Take apart ``git@host:owner/repo.git``, ``ssh://git@host[:port]/owner/repo.git``,
    ``https://[user[:token]@]host/owner/repo[.git]`` (and ``git://``); user info is
    dropped. github.com -> gh, gitlab.com -> gl (nested groups kept), gist.github.com ->
    gist, any other host -> git with the https URL."""
    text = remote_url.strip()
    shown = redact(text)
    if not text:
        raise BinderError("The remote URL is empty.")
    scheme = ""
    port = None
    if "://" in text:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme == "file":
            raise BinderError(f"{shown!r} is a local path: Binder needs a public host.")
        if scheme not in _SCHEMES:
            raise BinderError(f"Unsupported remote URL scheme {parts.scheme!r}.")
        host = (parts.hostname or "").lower()
        port = parts.port if scheme in ("http", "https") else None
        path = unquote(parts.path)
    else:
        match = _SCP_LIKE.match(text)
        if match is None or len(match["host"]) == 1:  # "C:\..." is a path, not a host
            raise BinderError(
                f"{shown!r} is not a remote URL (a local path?): Binder needs a public host."
            )
        host, path = match["host"].lower(), match["path"]
    if not host:
        raise BinderError(f"{shown!r} names no host.")
    had_git = path.rstrip("/").endswith(".git")
    path = _strip_git(path)
    if not path:
        raise BinderError(f"{shown!r} names no repository.")
    web_scheme = "http" if scheme == "http" else "https"
    netloc = f"{host}:{port}" if port else host
    if host in ("github.com", "www.github.com"):
        if path.count("/") != 1:
            raise BinderError(f"{shown!r} is not a GitHub owner/repo URL.")
        return Remote("gh", "github.com", path, f"https://github.com/{path}")
    if host == "gist.github.com":
        if path.count("/") == 1:
            return Remote("gist", host, path, f"https://gist.github.com/{path}.git")
        return Remote("git", host, path, f"https://gist.github.com/{path}.git")
    if host == "gitlab.com":
        if "/" not in path:
            raise BinderError(f"{shown!r} is not a GitLab namespace/repo URL.")
        return Remote("gl", host, path, f"https://gitlab.com/{path}.git")
    suffix = ".git" if had_git else ""
    return Remote("git", host, path, f"{web_scheme}://{netloc}/{path}{suffix}")


def _clean_path(path: str | None) -> str | None:
    if path is None:
        return None
    cleaned = path.replace("\\", "/").strip("/")
    if not cleaned:
        return None
    if any(part in ("..", ".") for part in cleaned.split("/")) or "\0" in cleaned:
        raise BinderError(f"{path!r} is not a path inside the repository.")
    return cleaned


def urlpath(mode: str, path: str | None) -> str | None:
    """The ``urlpath`` value that opens ``path`` in JupyterLab (``lab``), in its
    single-document mode (``doc``), in the classic notebook interface (``classic``) or
    as a Voila dashboard (``voila``): a URL path, so the file path is percent-encoded.
    Without a path, ``lab`` and ``doc`` open Binder's default and the others their
    file tree."""
    if mode not in _URLPATHS:
        raise BinderError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    prefix, without_path = _URLPATHS[mode]
    cleaned = _clean_path(path)
    if cleaned is None:
        return without_path
    return f"{prefix}{quote(cleaned, safe='/')}"


def _query(value: str | None) -> str:
    return "" if value is None else f"?urlpath={quote(value, safe='/')}"


def _check_ref(ref: str) -> str:
    if not ref or not ref.strip() or any(c.isspace() for c in ref) or ".." in ref:
        raise BinderError(f"{ref!r} is not a usable branch, tag or commit.")
    return ref


def spec_for(remote: Remote, ref: str) -> str:
    """The Binder spec of a remote at a ref (branch, tag or SHA)."""
    ref = _check_ref(ref)
    if remote.provider in ("gh", "gist"):
        return f"{remote.path}/{quote(ref, safe='/')}"
    if remote.provider == "gl":
        return f"{quote(remote.path, safe='')}/{quote(ref, safe='')}"
    return f"{quote(remote.url, safe='')}/{quote(ref, safe='')}"


def binder_link(
    remote_url: str,
    ref: str,
    *,
    path: str | None = None,
    mode: str = "lab",
    binderhub: str = MYBINDER,
) -> BinderLink:
    """The Binder link for a git remote at ``ref``, opening ``path`` when given."""
    remote = parse_remote(remote_url)
    spec = spec_for(remote, ref)
    hub = binderhub.rstrip("/")
    target = urlpath(mode, path)
    return BinderLink(
        provider=remote.provider,
        spec=spec,
        url=f"{hub}/v2/{remote.provider}/{spec}{_query(target)}",
        ref=ref,
        path=_clean_path(path),
        mode=mode,  # type: ignore[arg-type]
        repo_url=remote.url,
        binderhub=hub,
    )


def doi_link(
    doi: str,
    *,
    provider: str | None = None,
    path: str | None = None,
    mode: str = "lab",
    binderhub: str = MYBINDER,
) -> BinderLink:
    """A Binder link for an archived record: a Zenodo or Figshare DOI (recognised by
    prefix), a Dataverse DOI (say ``provider="dataverse"``) or a Hydroshare id."""
    text = doi.strip()
    if provider == "hydroshare" or (provider is None and "hydroshare" in text):
        found = _HYDROSHARE_ID.search(text)
        if found is None:
            raise BinderError(f"{doi!r} holds no Hydroshare resource id.")
        spec, kind = f"{found[1]}/", "hydroshare"
    else:
        match = _DOI.match(text)
        if match is None:
            raise BinderError(f"{doi!r} is not a DOI (10.NNNN/...).")
        value = match["doi"]
        if provider is None:
            lowered = value.lower()
            if lowered.startswith("10.5281/zenodo."):
                provider = "zenodo"
            elif lowered.startswith("10.6084/m9.figshare."):
                provider = "figshare"
            else:
                raise BinderError(
                    f"Cannot tell the archive of {value!r}: say zenodo, figshare or dataverse."
                )
        if provider not in ("zenodo", "figshare", "dataverse"):
            raise BinderError(f"Unknown archive {provider!r}.")
        spec, kind = f"{quote(value, safe='/:;')}/", provider
    hub = binderhub.rstrip("/")
    target = urlpath(mode, path)
    return BinderLink(
        provider=kind,  # type: ignore[arg-type]
        spec=spec,
        url=f"{hub}/v2/{kind}/{spec}{_query(target)}",
        path=_clean_path(path),
        mode=mode,  # type: ignore[arg-type]
        binderhub=hub,
    )


def nbgitpuller_link(
    environment_remote: str,
    environment_ref: str,
    content_url: str,
    *,
    content_branch: str = "main",
    path: str | None = None,
    mode: str = "lab",
    clone_dir: str | None = None,
    binderhub: str = MYBINDER,
) -> BinderLink:
    """Open the content repository inside the environment repository's image: the
    environment repo installs nbgitpuller, the link asks it to ``git-pull`` the content
    repo into ``clone_dir`` (its name by default) and then open ``path`` there."""
    environment = binder_link(environment_remote, environment_ref, binderhub=binderhub)
    content = parse_remote(content_url)
    folder = _clean_path(clone_dir or content.name)
    if folder is None or "/" in folder:
        raise BinderError(f"{clone_dir!r} is not a folder name.")
    inside = _clean_path(path)
    target = urlpath(mode, f"{folder}/{inside}" if inside else folder)
    pull = (
        f"git-pull?repo={quote(content.url, safe='')}"
        f"&urlpath={quote(target or '', safe='')}"
        f"&branch={quote(_check_ref(content_branch), safe='')}"
    )
    return BinderLink(
        provider=environment.provider,
        spec=environment.spec,
        url=f"{environment.url}?urlpath={quote(pull, safe='')}",
        ref=environment_ref,
        path=inside,
        mode=mode,  # type: ignore[arg-type]
        repo_url=environment.repo_url,
        binderhub=environment.binderhub,
    )


PROVIDERS = ("gh", "gl", "gist", "git", "zenodo", "figshare", "dataverse", "hydroshare")
# What a spec or urlpath may hold once percent-encoded: never a quote, bracket,
# parenthesis, angle bracket, backslash, space or control character (they would end
# the link inside Markdown, reStructuredText or HTML).
_LINK_PART = r"[A-Za-z0-9._~%/:@+=,;!$*\-]+"
_LAUNCH = re.compile(rf"(?P<provider>[a-z]+)/(?P<spec>{_LINK_PART})(?:\?urlpath=(?P<urlpath>{_LINK_PART}))?")
MAX_LINK = 4096


def hub_url(value: str) -> str:
    """A BinderHub's base URL (``https://host[/prefix]``), checked and without a trailing slash."""
    parts = urlsplit(value.strip()) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme != "https"
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or not re.fullmatch(r"[A-Za-z0-9._~%/\-]*", parts.path)
    ):
        raise BinderError(f"{value!r} is not a BinderHub address (https://host[/path]).")
    return f"https://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def parse_link(url: str, binderhubs: Sequence[str] = ()) -> BinderLink:
    """A Binder launch link taken apart into hub, provider, spec and urlpath, each
    checked, and built again from those parts. Only links to mybinder.org or one of
    ``binderhubs`` are accepted; anything else (another host, a trailing newline, a
    character that would end the link in a README) raises BinderError."""
    if not isinstance(url, str) or len(url) > MAX_LINK:
        raise BinderError("The link must be a Binder launch link (https://mybinder.org/v2/...).")
    hubs = [MYBINDER] + [hub_url(hub) for hub in binderhubs]
    for hub in hubs:
        prefix = f"{hub}/v2/"
        if not url.startswith(prefix):
            continue
        match = _LAUNCH.fullmatch(url[len(prefix) :])
        if match is None or match["provider"] not in PROVIDERS:
            raise BinderError(f"{url[:80]!r} is not a Binder launch link (provider/spec[?urlpath=...]).")
        target = match["urlpath"]
        mode, _, rest = (unquote(target).partition("/tree/") if target else ("lab", "", ""))
        link = BinderLink(
            provider=match["provider"],  # type: ignore[arg-type]
            spec=match["spec"],
            url=f"{hub}/v2/{match['provider']}/{match['spec']}" + (f"?urlpath={target}" if target else ""),
            path=rest or None,
            mode=mode if mode in ("lab", "doc") else "lab",  # type: ignore[arg-type]
            binderhub=hub,
        )
        if link.url != url:  # every part was checked, so this cannot differ; never trust it if it does
            raise BinderError(f"{url[:80]!r} is not a Binder launch link.")
        return link
    known = ", ".join(hubs)
    raise BinderError(f"{url[:80]!r} is not a launch link of a known BinderHub ({known}; see c.Rees.binderhubs).")


def badge(link: BinderLink | str, fmt: str = "markdown", *, binderhub: str = MYBINDER) -> str:
    """The badge snippet for a link, in Markdown, reStructuredText or HTML."""
    url = link.url if isinstance(link, BinderLink) else link
    image = (
        link.badge_image
        if isinstance(link, BinderLink)
        else f"{binderhub.rstrip('/')}/{BADGE_IMAGE}"
    )
    if fmt in ("markdown", "md"):
        return f"[![Binder]({image})]({url})"
    if fmt == "rst":
        return f".. image:: {image}\n   :target: {url}\n   :alt: Binder"
    if fmt == "html":
        return f'<a href="{html.escape(url)}"><img src="{html.escape(image)}" alt="Binder"></a>'
    raise BinderError(f"Badge format must be markdown, rst or html, not {fmt!r}.")


def readme_format(name: str) -> str:
    """The badge format that suits a README file name."""
    lowered = name.lower()
    if lowered.endswith((".rst", ".rest")):
        return "rst"
    if lowered.endswith((".html", ".htm")):
        return "html"
    return "markdown"


def _block(snippet: str, fmt: str) -> str:
    start, end = MARKERS["markdown" if fmt == "md" else fmt]
    if fmt == "rst":
        return f"{start}\n\n{snippet.strip()}\n\n{end}"
    return f"{start}\n{snippet.strip()}\n{end}"


_ADORNMENT = re.compile(r"([=\-~^\"'`#*+:.])\1+")


def _heading_end(lines: list[str], fmt: str) -> int:
    """Index of the line after the title when the document starts with one, else 0."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return 0
    line = lines[first].strip()
    following = lines[first + 1].strip() if first + 1 < len(lines) else ""
    if fmt == "markdown":
        if re.match(r"^#{1,6}(\s|$)", line):
            return first + 1
        if re.fullmatch(r"=+|-+", following):
            return first + 2
    elif fmt == "rst":
        overline = _ADORNMENT.fullmatch(line) and first + 2 < len(lines)
        if overline and lines[first + 2].strip() == line:  # overline, title, underline
            return first + 3
        if _ADORNMENT.fullmatch(following) and len(following) >= len(line):
            return first + 2
    elif re.search(r"</h1>", line, re.IGNORECASE):
        return first + 1
    return 0


_BADGE_IMAGE = r"https?://[^\s)\"']*/badge(?:_logo)?\.svg"
#: a Binder badge already in a README without our markers
_EXISTING_BADGE = {
    "markdown": re.compile(rf"\[!\[[^\]\n]*\]\({_BADGE_IMAGE}\)\]\([^)\s]+\)"),
    "rst": re.compile(rf"^\.\. image:: {_BADGE_IMAGE}[ \t]*\n(?:[ \t]+:[a-z]+:.*(?:\n|$))*", re.MULTILINE),
    "html": re.compile(rf"<a [^>]*href=[^>]*>\s*<img [^>]*src=\"{_BADGE_IMAGE}\"[^>]*>\s*</a>"),
}


def insert_badge(
    readme: str | None, snippet: str, *, fmt: str = "markdown", title: str = ""
) -> str:
    """README text with the badge between markers: replaced in place when the markers
    exist (or in place of a Binder badge added by hand), else put after the first
    heading (or at the top). ``readme=None`` makes a new README with ``title``.
    Inserting the same badge twice changes nothing."""
    fmt = "markdown" if fmt == "md" else fmt
    if fmt not in MARKERS:
        raise BinderError(f"Badge format must be markdown, rst or html, not {fmt!r}.")
    block = _block(snippet, fmt)
    start, end = MARKERS[fmt]
    if readme is None:
        heading = title or "Notebooks"
        if fmt == "rst":
            return f"{heading}\n{'=' * len(heading)}\n\n{block}\n"
        if fmt == "html":
            return f"<h1>{html.escape(heading)}</h1>\n\n{block}\n"
        return f"# {heading}\n\n{block}\n"
    begin = readme.find(start)
    finish = readme.find(end, begin + len(start)) if begin >= 0 else -1
    if begin >= 0 and finish >= 0:
        return readme[:begin] + block + readme[finish + len(end) :]
    found = _EXISTING_BADGE[fmt].search(readme)
    if found is not None:  # a badge added by hand: replaced, now between markers
        return readme[: found.start()] + block + readme[found.end() :]
    lines = readme.splitlines()
    at = _heading_end(lines, fmt)
    before = "\n".join(lines[:at]).rstrip("\n")
    after = "\n".join(lines[at:]).strip("\n")
    pieces = [piece for piece in (before, block, after) if piece]
    return "\n\n".join(pieces) + "\n"


__all__ = [
    "MARKERS",
    "MODES",
    "PROVIDERS",
    "hub_url",
    "parse_link",
    "MYBINDER",
    "BinderError",
    "BinderLink",
    "Remote",
    "badge",
    "binder_link",
    "doi_link",
    "insert_badge",
    "nbgitpuller_link",
    "parse_remote",
    "readme_format",
    "redact",
    "spec_for",
    "urlpath",
]
