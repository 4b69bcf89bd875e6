"""Build the import-name data: which modules each distribution's wheel provides.

    python scripts/build_import_names.py NAMES.txt [-o OUT.json.gz] [--cache DIR]

NAMES.txt holds one distribution name a line (``#`` comments allowed); we build it from
a list of the most downloaded distributions on the package index. For each name the
script takes the newest release that has a wheel, reads the file list from the wheel's
zip central directory (HTTP range requests: a few kilobytes, not the whole wheel; the
whole file when the host refuses ranges), and its core metadata (the real spelling of
the name, and PEP 794 ``Import-Name`` / ``Import-Namespace`` when the wheel declares
them). The index is pip's: ``--index-url``, else ``PIP_INDEX_URL``, else pip's default.

What a wheel provides, per distribution:
- a module file at the top (``six.py``) or a regular package (a folder with
  ``__init__``) gives its name (``yaml``);
- a folder without ``__init__`` is a namespace (PEP 420): the walk goes down, so
  google-cloud-storage provides ``google.cloud.storage``, not ``google``;
- a package that several distributions ship with only a tiny ``__init__`` and
  sub-packages no two of them share is an old-style (pkgutil) namespace: handled as a
  folder without ``__init__``;
- ``Import-Name`` metadata, where present, is what the distribution declares: it
  replaces what the files suggest;
- folders every project might carry by mistake (``tests``, ``docs``...) are left out.

Output: gzip JSON ``{"generated", "about", "regenerate", "examined": [names...],
"without_wheel": [names...], "modules": {import name: [distributions...]}}``, sorted, so that running twice on the
same index gives the same file. Listings are cached (``--cache``) so a rerun only asks
for what it has not seen.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import email.parser
import gzip
import io
import json
import os
import re
import struct
import sys
import urllib.error
import urllib.request
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import (
    InvalidWheelFilename,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import Version

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
MODULE_SUFFIXES = (".py", ".so", ".pyd")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Folders projects ship by mistake: they say nothing about what a project provides.
NOT_PROVIDED = frozenset(
    {"test", "tests", "testing", "doc", "docs", "example", "examples", "benchmark",
     "benchmarks", "script", "scripts", "build", "dist", "src", "setup", "conftest",
     "__pycache__", "tools", "samples", "demo", "demos"}
)
# An __init__ this small next to other distributions' sub-packages: a pkgutil namespace.
NAMESPACE_INIT_BYTES = 400
USER_AGENT = "jupyter-rees-ui import-name builder"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "jupyter_rees_ui" / "data" / "import_names.json.gz"


def default_index_url() -> str:
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    from pip._internal.models.index import PyPI  # pip's own default, not written here

    return PyPI.simple_url


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[bytes, dict[str, str], int]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read(), dict(response.headers), response.status


def choose_wheel(files: list[dict]) -> tuple[dict, Version] | None:
    """The newest final release's wheel (a pre-release only when there is nothing
    else), preferring a pure-Python wheel, then Linux x86-64, then any."""
    wheels = []
    for entry in files:
        if entry.get("yanked") or not entry["filename"].endswith(".whl"):
            continue
        try:
            _name, version, _build, tags = parse_wheel_filename(entry["filename"])
        except (InvalidWheelFilename, ValueError):
            continue
        platforms = {t.platform for t in tags}
        rank = 0 if platforms == {"any"} else 1 if any("x86_64" in p and "linux" in p for p in platforms) else 2
        wheels.append((not version.is_prerelease, version, -rank, entry["filename"], entry))
    if not wheels:
        return None
    best = max(wheels, key=lambda w: w[:4])
    return best[4], best[1]


@dataclass(frozen=True)
class Member:
    """One file of a zip: where it is, so that it can be read alone."""

    path: str
    size: int
    packed: int
    offset: int
    method: int
    whole: bytes | None  # the whole archive, when it had to be downloaded


def read_member(url: str, member: Member) -> bytes:
    """One member's bytes: a range request for its local header and data."""
    if member.whole is not None:
        with zipfile.ZipFile(io.BytesIO(member.whole)) as archive:
            return archive.read(member.path)
    if 0xFFFFFFFF in (member.packed, member.offset):
        raise ValueError("zip64 member")
    end = member.offset + 30 + 1024 + member.packed
    chunk, _h, _s = fetch(url, {"Range": f"bytes={member.offset}-{end}"})
    name_len, extra_len = struct.unpack("<HH", chunk[26:30])
    data = chunk[30 + name_len + extra_len : 30 + name_len + extra_len + member.packed]
    if member.method == zipfile.ZIP_DEFLATED:
        return zlib.decompress(data, -15)
    if member.method == zipfile.ZIP_STORED:
        return data
    raise ValueError(f"compression method {member.method}")


def central_directory(url: str, size: int | None) -> list[Member]:
    """(path, uncompressed size) of every member of the zip at ``url``."""
    tail_size = 65536
    try:
        if size is not None and size <= tail_size:
            raise ValueError("small: read it whole")
        tail, headers, status = fetch(url, {"Range": f"bytes=-{tail_size}"})
        if status != 206:
            return _members(tail)  # the host sent the whole file
        ranged = {k.lower(): v for k, v in headers.items()}.get("content-range", "")
        total = int(ranged.rsplit("/", 1)[-1]) if ranged.rsplit("/", 1)[-1].isdigit() else size
        eocd = tail.rfind(b"PK\x05\x06")
        if eocd < 0:
            raise ValueError("no end of central directory in the last 64 KiB")
        cd_size, cd_offset = struct.unpack("<II", tail[eocd + 12 : eocd + 20])
        if cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
            locator = tail.rfind(b"PK\x06\x07", 0, eocd)
            zip64_at = struct.unpack("<Q", tail[locator + 8 : locator + 16])[0]
            record, _h, _s = fetch(url, {"Range": f"bytes={zip64_at}-{zip64_at + 55}"})
            cd_size, cd_offset = struct.unpack("<QQ", record[40:56])
        if total is None:
            raise ValueError("unknown size")
        tail_start = total - len(tail)
        if cd_offset >= tail_start:
            return _parse_cd(tail[cd_offset - tail_start : cd_offset - tail_start + cd_size])
        directory, _h, _s = fetch(url, {"Range": f"bytes={cd_offset}-{cd_offset + cd_size - 1}"})
        return _parse_cd(directory)
    except ValueError:
        data, _headers, _status = fetch(url)
        return _members(data)


def _members(data: bytes) -> list[Member]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            Member(i.filename, i.file_size, i.compress_size, i.header_offset, i.compress_type, data)
            for i in archive.infolist()
        ]


def _parse_cd(directory: bytes) -> list[Member]:
    members = []
    at = 0
    while at + 46 <= len(directory) and directory[at : at + 4] == b"PK\x01\x02":
        flags, method = struct.unpack("<HH", directory[at + 8 : at + 12])
        packed, size = struct.unpack("<II", directory[at + 20 : at + 28])
        name_len, extra_len, comment_len = struct.unpack("<HHH", directory[at + 28 : at + 34])
        offset = struct.unpack("<I", directory[at + 42 : at + 46])[0]
        raw = directory[at + 46 : at + 46 + name_len]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", errors="replace")
        members.append(Member(name, size, packed, offset, method, None))
        at += 46 + name_len + extra_len + comment_len
    if not members:
        raise ValueError("empty or unreadable central directory")
    return members


def read_metadata(url: str, members: list[Member]) -> dict[str, list[str]]:
    """The wheel's core metadata fields (lower-case keys)."""
    found = [m for m in members if re.match(r"^[^/]+\.dist-info/METADATA$", m.path)]
    if not found:
        return {}
    text = read_member(url, found[0])
    message = email.parser.BytesHeaderParser().parsebytes(text)
    fields: dict[str, list[str]] = defaultdict(list)
    for key, value in message.items():
        fields[key.lower()].append(str(value).strip())
    return fields


def list_distribution(name: str, index_url: str) -> dict:
    """What the cache keeps for one distribution: its wheel's module files."""
    page, _h, _s = fetch(f"{index_url.rstrip('/')}/{canonicalize_name(name)}/", {"Accept": SIMPLE_JSON})
    project = json.loads(page)
    chosen = choose_wheel(project.get("files", []))
    if chosen is None:
        return {"name": name, "error": "no wheel"}
    entry, version = chosen
    members = central_directory(entry["url"], entry.get("size"))
    files = sorted({(m.path, m.size) for m in members if m.path.endswith(MODULE_SUFFIXES)})
    record: dict = {"name": name, "version": str(version), "wheel": entry["filename"], "files": files}
    try:
        fields = read_metadata(entry["url"], members)
    except (urllib.error.URLError, OSError, ValueError, zlib.error, struct.error):
        fields = {}
    if fields.get("name"):
        record["name"] = fields["name"][0]
    for key in ("import-name", "import-namespace"):
        if fields.get(key):
            record[key] = fields[key]
    return record


def module_parts(path: str) -> list[str] | None:
    """``pkg/sub/__init__.py`` -> [pkg, sub, __init__]; None if not importable."""
    match = re.match(r"^[^/]+\.data/(?:purelib|platlib)/(.*)$", path)
    if match:
        path = match.group(1)
    elif path.split("/", 1)[0].endswith((".dist-info", ".data")):
        return None
    parts = path.split("/")
    parts[-1] = parts[-1].split(".", 1)[0]
    if not all(IDENTIFIER.match(p) for p in parts):
        return None
    return parts


def provided_names(files: list[tuple[str, int]], namespaces: frozenset[str] = frozenset()) -> set[str]:
    """Dotted import names a wheel provides: the first level under which a module file
    or a regular package lives; ``namespaces`` are walked through even with an
    ``__init__``."""
    modules = [m for m in (module_parts(p) for p, _ in files) if m]
    packages = {".".join(m[:-1]) for m in modules if m[-1] == "__init__"}
    names = set()
    for parts in modules:
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if end == len(parts):
                if parts[-1] != "__init__":
                    names.add(prefix)
                break
            if prefix in packages and prefix not in namespaces:
                names.add(prefix)
                break
    return {n for n in names if n.split(".", 1)[0] not in NOT_PROVIDED}


def init_size(files: list[tuple[str, int]], package: str) -> int | None:
    wanted = package.replace(".", "/") + "/__init__."
    for path, size in files:
        stripped = re.sub(r"^[^/]+\.data/(?:purelib|platlib)/", "", path)
        if stripped.startswith(wanted) and stripped.endswith(MODULE_SUFFIXES):
            return size
    return None


def build(records: list[dict]) -> dict[str, list[str]]:
    """Import name -> the distributions that provide it."""
    listed = [r for r in records if "files" in r]
    names = {r["name"]: provided_names(r["files"]) for r in listed}
    # pkgutil namespaces: a package several distributions ship, each with a tiny
    # __init__ and something beneath it, is walked through (done to a fixed point:
    # azure -> azure.mgmt -> azure.mgmt.compute).
    for _ in range(4):
        providers: dict[str, list[dict]] = defaultdict(list)
        for record in listed:
            for module in names[record["name"]]:
                providers[module].append(record)
        namespaces = {
            module
            for module, owners in providers.items()
            if len(owners) > 1
            and all((init_size(r["files"], module) or 0) <= NAMESPACE_INIT_BYTES for r in owners)
            and _disjoint([provided_names(r["files"], frozenset({module})) - {module} for r in owners])
        }
        if not namespaces:
            break
        for record in listed:
            if names[record["name"]] & namespaces:
                walked = provided_names(record["files"], frozenset(namespaces | _walked(names[record["name"]])))
                names[record["name"]] = walked
    for record in listed:
        declared = [v.split(";", 1)[0].strip() for v in record.get("import-name", [])]
        if any(declared):
            names[record["name"]] = {d for d in declared if d}
    modules: dict[str, set[str]] = defaultdict(set)
    for dist, provided in names.items():
        for module in provided:
            modules[module].add(dist)
    modules = collapse(modules)
    return {m: sorted(d, key=str.lower) for m, d in sorted(modules.items())}


def collapse(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    """Name a folder instead of its modules where one distribution provides every
    module under it: a package without ``__init__`` (``detect_secrets/*.py``) or a
    namespace folder that one distribution fills (``google/api/*_pb2.py``) is one
    entry, answered by every distribution with modules there. A namespace whose
    modules come from different distributions (``google.cloud``) is never named."""
    under: dict[str, list[str]] = defaultdict(list)
    for module in modules:
        parts = module.split(".")
        for end in range(1, len(parts)):
            under[".".join(parts[:end])].append(module)
    collapsed: dict[str, set[str]] = {}
    for module, providers in modules.items():
        parts = module.split(".")
        name = module
        for end in range(1, len(parts)):
            prefix = ".".join(parts[:end])
            if prefix in modules:
                continue  # the folder is itself a module with its own answer
            if set.intersection(*(modules[m] for m in under[prefix])):
                name = prefix
                break
        collapsed.setdefault(name, set()).update(providers)
    return collapsed


def _disjoint(groups: list[set[str]]) -> bool:
    """Each distribution has sub-packages, and no two share one: the parts of a
    namespace, not two copies of one package (docker and its old name docker-py)."""
    seen: set[str] = set()
    for group in groups:
        if not group or group & seen:
            return False
        seen |= group
    return True


def _walked(names: set[str]) -> set[str]:
    # keep namespaces found in earlier rounds walked through
    return {n.rsplit(".", 1)[0] for n in names if "." in n}


def _shown(names: Path) -> str:
    """How to name the input list in the data: its place in this repository, or a
    placeholder for a list kept elsewhere."""
    here = Path(__file__).resolve().parent
    return f"scripts/{names.name}" if names.resolve().parent == here else "NAMES.txt (one distribution a line)"


def read_names(path: Path) -> list[str]:
    names = []
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("names", type=Path, help="a text file: one distribution name a line")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, default=Path(".import-names-cache"))
    parser.add_argument("--index-url", default=None, help="a simple index (PEP 691); pip's by default")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)
    index_url = args.index_url or default_index_url()
    names = read_names(args.names)
    args.cache.mkdir(parents=True, exist_ok=True)

    def one(name: str) -> dict:
        cached = args.cache / f"{canonicalize_name(name)}.json"
        if cached.exists():
            return json.loads(cached.read_text("utf-8"))
        try:
            record = list_distribution(name, index_url)
        except (urllib.error.URLError, OSError, ValueError, struct.error) as error:
            return {"name": name, "error": f"{type(error).__name__}: {error}"}  # not cached: retried
        cached.write_text(json.dumps(record), "utf-8")
        return record

    records = []
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        for done, record in enumerate(pool.map(one, names), 1):
            records.append(record)
            if done % 250 == 0:
                print(f"{done}/{len(names)}", file=sys.stderr)
    for record in records:
        if "files" in record:
            record["files"] = [tuple(f) for f in record["files"]]
    failed = [r for r in records if "error" in r]
    modules = build(records)
    data = {
        "about": (
            "Import names each distribution's newest wheel provides, read from the wheel's "
            f"file list and core metadata, for {len(records) - len(failed)} of {len(records)} "
            "widely used distributions (the others have no wheel or could not be read)."
        ),
        "generated": datetime.date.today().isoformat(),
        "regenerate": f"python scripts/build_import_names.py {_shown(args.names)}",
        # canonical (PEP 503) names: what the lookups compare, so the reader keeps them as they are
        "examined": sorted({canonicalize_name(r["name"]) for r in records if "files" in r}),
        # source-only distributions: what they provide is unknown, but a module named
        # like one of them may well be its (pyspark)
        "without_wheel": sorted((r["name"] for r in records if r.get("error") == "no wheel"), key=str.lower),
        "modules": modules,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(args.output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(payload)
    reasons = defaultdict(int)
    for r in failed:
        reasons[r["error"].split(":", 1)[0]] += 1
    print(
        f"{len(records)} distributions, {len(failed)} without a listing ({dict(reasons)}); "
        f"{len(modules)} import names; {args.output} {args.output.stat().st_size:,} bytes",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
