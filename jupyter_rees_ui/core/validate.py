"""Validators for request data: each takes a value, returns it checked (and
normalised where packaging defines a normal form), or raises ``InvalidInput`` naming
the field and the reason.

Pure: no I/O. The server's requests and the CLI call these at the boundary, so that
nothing a request carries reaches a REES file, a README or git unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name

#: Longest distribution, extra or conda name accepted (PyPI's longest names are ~90).
MAX_NAME = 200
#: Longest version specifier set, marker or URL accepted.
MAX_SPECIFIER = 500
MAX_MARKER = 1000
MAX_URL = 2048
#: Rows in one reviewed proposal, extras per row, files in one commit.
MAX_ROWS = 20_000
MAX_EXTRAS = 32
MAX_FILES = 200
#: A commit message, in UTF-8 bytes.
MAX_MESSAGE = 64 * 1024
#: A path as request data, in characters; one path component, in bytes (POSIX NAME_MAX).
MAX_PATH = 4096
MAX_COMPONENT_BYTES = 255

# PEP 508 names (packaging's own pattern), and the names conda packages may take:
# lowercase letters, digits, "_", "-", "." (optionally ``channel::name``).
_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
_CONDA_NAME = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9_.\-]*::)?[a-z0-9_][a-z0-9_.\-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
URL_SCHEMES = ("https", "git+https")


class InvalidInput(ValueError):
    """One value of a request that is refused: ``field`` names it, ``reason`` says why."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def text(value: Any, field: str, *, max_length: int, allow_empty: bool = True) -> str:
    """A string without control characters (newlines included), at most ``max_length``."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be a string, not {type(value).__name__}")
    if len(value) > max_length:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {max_length} are accepted")
    if _CONTROL.search(value):
        raise InvalidInput(field, "must not contain newlines or other control characters")
    if not allow_empty and not value.strip():
        raise InvalidInput(field, "must not be empty")
    return value


def distribution_name(value: Any, field: str = "name") -> str:
    """A valid distribution name (PEP 508), as written."""
    name = text(value, field, max_length=MAX_NAME, allow_empty=False).strip()
    if not _NAME.fullmatch(name):
        raise InvalidInput(field, f"{_show(name)} is not a valid distribution name")
    try:
        canonicalize_name(name, validate=True)
    except InvalidName as exc:  # pragma: no cover - the pattern above is packaging's
        raise InvalidInput(field, str(exc)) from exc
    return name


def extras(value: Any, field: str = "extras") -> tuple[str, ...]:
    """A list of extra names, sorted and without duplicates."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput(field, "must be a list of extra names")
    if len(value) > MAX_EXTRAS:
        raise InvalidInput(field, f"lists {len(value)} extras; at most {MAX_EXTRAS} are accepted")
    return tuple(sorted({distribution_name(v, field) for v in value}))


def specifier(value: Any, field: str = "specifier") -> str:
    """A version specifier set (``==1.2``, ``>=1,<2``, or empty), normalised by packaging."""
    if value is None:
        return ""
    spec = text(value, field, max_length=MAX_SPECIFIER).strip()
    try:
        return str(SpecifierSet(spec))
    except InvalidSpecifier as exc:
        raise InvalidInput(field, f"{_show(spec)} is not a valid version specifier") from exc


def marker(value: Any, field: str = "marker") -> str | None:
    """An environment marker (``os_name == "nt"``), normalised by packaging; None when empty."""
    if value is None:
        return None
    found = text(value, field, max_length=MAX_MARKER).strip()
    if not found:
        return None
    try:
        return str(Marker(found))
    except InvalidMarker as exc:
        raise InvalidInput(field, f"{_show(found)} is not a valid environment marker") from exc


def url(value: Any, field: str = "url") -> str | None:
    """A direct URL Binder can reach: ``https://`` or ``git+https://`` with a host; None when empty."""
    if value is None:
        return None
    found = text(value, field, max_length=MAX_URL).strip()
    if not found:
        return None
    if any(c.isspace() for c in found):
        raise InvalidInput(field, "must not contain spaces")
    parts = urlsplit(found)
    if parts.scheme.lower() not in URL_SCHEMES:
        raise InvalidInput(field, f"only https:// and git+https:// URLs are accepted, not {_show(found)}")
    if not parts.hostname:
        raise InvalidInput(field, f"{_show(found)} names no host")
    return found


def conda_name(value: Any, field: str = "conda_name") -> str | None:
    """A conda package name (lowercase letters, digits, ``_ - .``, optionally ``channel::``);
    None when empty."""
    if value is None:
        return None
    found = text(value, field, max_length=MAX_NAME)
    if not found:
        return None
    if not _CONDA_NAME.fullmatch(found):
        raise InvalidInput(field, f"{_show(found)} is not a conda package name")
    return found


def rows(value: Any, field: str = "requirements") -> list[Any]:
    """A list of at most ``MAX_ROWS`` items."""
    if not isinstance(value, list):
        raise InvalidInput(field, "must be a list")
    if len(value) > MAX_ROWS:
        raise InvalidInput(field, f"lists {len(value)} rows; at most {MAX_ROWS} are accepted")
    return value


def message(value: Any, field: str = "message") -> str:
    """A commit message: no NUL, at most ``MAX_MESSAGE`` bytes of UTF-8 (newlines allowed)."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"must be a string, not {type(value).__name__}")
    if "\x00" in value:
        raise InvalidInput(field, "must not contain a NUL character")
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE:
        raise InvalidInput(field, f"is {size} bytes long; at most {MAX_MESSAGE} are accepted")
    return value


def relative_path(value: Any, field: str = "path") -> str:
    """A relative path as request data: a string without control characters, no
    absolute path, no ``..``, no component over ``MAX_COMPONENT_BYTES`` bytes."""
    path = text(value, field, max_length=MAX_PATH)
    posix = path.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        raise InvalidInput(field, f"{_show(path)} must be relative to the folder")
    parts = [p for p in posix.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(field, f"{_show(path)} must stay inside the folder")
    component_bytes(parts, field)
    return path


def component_bytes(parts: Sequence[str], field: str = "path") -> None:
    """Refuse a path component longer than file systems allow (ENAMETOOLONG)."""
    for part in parts:
        size = len(part.encode("utf-8", "surrogateescape"))
        if size > MAX_COMPONENT_BYTES:
            raise InvalidInput(
                field, f"a path component is {size} bytes long; at most {MAX_COMPONENT_BYTES} are accepted"
            )


def string_list(value: Any, field: str, *, max_items: int = MAX_FILES) -> list[str]:
    """A list of at most ``max_items`` strings."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field, "must be a list of strings")
    if len(value) > max_items:
        raise InvalidInput(field, f"lists {len(value)} items; at most {max_items} are accepted")
    return value


def _show(value: str, limit: int = 60) -> str:
    """A value quoted for a message, cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


__all__ = [
    "MAX_COMPONENT_BYTES",
    "MAX_EXTRAS",
    "MAX_FILES",
    "MAX_MESSAGE",
    "MAX_NAME",
    "MAX_ROWS",
    "InvalidInput",
    "component_bytes",
    "conda_name",
    "distribution_name",
    "extras",
    "marker",
    "message",
    "relative_path",
    "rows",
    "specifier",
    "string_list",
    "text",
    "url",
]
