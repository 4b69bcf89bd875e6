"""Describe the Python environment this script runs in, as JSON on stdout.

Run by ``adapters/environment.py`` with the *kernel's* interpreter, not the server's,
so it must stay importable on Python 3.8+ with the standard library only.  Keep it a
single file with no imports from this package.

Output (one JSON object):
    python, python_version, implementation, prefix, base_prefix, is_conda,
    conda_env_name, site_dirs (with mtimes, for cache invalidation), distributions
    (name, version, files, top_level, import_names, import_namespaces, installer,
    direct_url, conda package, shadowed files, location), errors.
"""

import os
import sys



def has_metadata():
    """Whether this Python has ``importlib.metadata``: 3.8 and later (asked of the version,
    not of importlib.util, whose import is a millisecond of this script)."""
    return sys.version_info >= (3, 8)


def distributions():
    """The distributions ``importlib.metadata.distributions()`` finds, in its order.

    Importing importlib.metadata (email, zipfile, csv...) costs a third of this script's
    time. When the path finder is the only finder of distributions and every sys.path
    entry is a folder (or missing), they are found here as it finds them: in each entry
    in turn, its ``*.dist-info`` and ``*.egg-info`` entries in listing order, grouped by
    normalized name (and an ``.egg`` folder's ``EGG-INFO``), as Python 3.10 and later do.
    Anything else (a zip file on sys.path, another finder, an older Python) asks
    importlib.metadata itself."""
    finders = [f for f in sys.meta_path if getattr(f, "find_distributions", None) is not None]
    only_path_finder = all(getattr(f, "__name__", "") == "PathFinder" for f in finders)
    plain = only_path_finder and not any(entry and os.path.isfile(entry) for entry in sys.path)
    if not plain or sys.version_info < (3, 10):  # 3.8 and 3.9 list them in another order
        from importlib import metadata

        return list(metadata.distributions())
    found = []
    for entry in sys.path:
        try:
            children = os.listdir(entry or ".")
        except OSError:
            continue
        base = os.path.basename(entry).lower()
        infos, eggs = {}, {}
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                name = _dashed(low.rpartition(".")[0].partition("-")[0]).replace("-", "_")
                infos.setdefault(name, []).append(os.path.join(entry, child) if entry else child)
            elif base.endswith(".egg") and low == "egg-info":
                name = base.rpartition(".")[0].partition("-")[0].replace("-", "_")
                eggs.setdefault(name, []).append(os.path.join(entry, child))
        for paths in (*infos.values(), *eggs.values()):
            found += [MetadataFolder(path) for path in paths]
    return found


class MetadataFolder:
    """A distribution's metadata folder, as importlib.metadata's ``PathDistribution``
    reads it (only what this script asks of one)."""

    def __init__(self, path):
        self._path = path

    def read_text(self, name):
        try:
            with open(os.path.join(self._path, name), encoding="utf-8") as handle:
                return handle.read()
        except (FileNotFoundError, IsADirectoryError, KeyError, NotADirectoryError, PermissionError):
            return None

    @property
    def files(self):
        """``PathDistribution.files``: a layout other than RECORD is read by
        importlib.metadata, which knows where its paths are relative to."""
        import pathlib
        from importlib import metadata

        return metadata.PathDistribution(pathlib.Path(self._path)).files


MODULE_SUFFIXES = (".py", ".pyi", ".so", ".pyd")


def ascii_identifier(text):
    """Whether ``text`` matches ``[A-Za-z_][A-Za-z0-9_]*`` (this script leaves ``re`` out:
    importing it and json's parts that need it was a tenth of its time)."""
    return text.isidentifier() and text.isascii()


def _dashed(name):
    """``re.sub(r"[-_.]+", "-", name)``: each run of ``-``, ``_`` and ``.`` becomes ``-``."""
    name = name.replace("_", "-").replace(".", "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name


IMPORTABLE_FOLDERS = {}  # folder of a RECORD path -> whether it can hold modules (a memo)
IDENTIFIER_STEMS = {}  # first part of a file name -> whether it is an identifier (a memo)


def module_path(path):
    """Keep RECORD paths that are importable module files, normalised to '/'."""
    path = path.replace("\\", "/")
    if not path.endswith(MODULE_SUFFIXES):
        return None
    folder, _, name = path.rpartition("/")
    if not importable_folder(folder) or not identifier_stem(name):
        return None
    return path


def importable_folder(folder):
    importable = IMPORTABLE_FOLDERS.get(folder)
    if importable is None:
        # '..', 'foo-1.0.dist-info', 'bin' outside the site dir, '__pycache__' are not packages
        parts = folder.split("/") if folder else []
        importable = "__pycache__" not in parts and all(ascii_identifier(p) for p in parts)
        IMPORTABLE_FOLDERS[folder] = importable
    return importable


def identifier_stem(name):
    stem = name.partition(".")[0]
    valid = IDENTIFIER_STEMS.get(stem)
    if valid is None:
        valid = IDENTIFIER_STEMS[stem] = ascii_identifier(stem)
    return valid


def dist_dir(dist):
    path = getattr(dist, "_path", None)
    return str(path) if path is not None else None


def read_text(dist, name):
    """A file of the distribution's metadata folder, or None when it has none.

    Opened directly where the folder is on disk: ``Distribution.read_text`` builds a
    path object per call, a good part of this script's time."""
    location = dist_dir(dist)
    if location is None or not os.path.isabs(location):
        return dist.read_text(name)
    try:
        with open(os.path.join(location, name), encoding="utf-8") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def headers(dist):
    """The core metadata fields (lower-cased names -> values), read from the header
    block of METADATA (PKG-INFO for eggs) without parsing the long description, which
    the email parser used by ``dist.metadata`` reads through every time it is asked."""
    text = read_text(dist, "METADATA")
    if text is None:
        text = read_text(dist, "PKG-INFO") or ""
    end = text.find("\n\n")  # where the body starts, at the latest: not split into lines
    if end >= 0:
        text = text[:end]
    found = {}
    last = None
    for line in text.splitlines():
        if not line.strip():
            break  # the body (description) starts after the first blank line
        if line[0] in " \t" and last is not None:
            found[last][-1] += "\n" + line.strip()  # a folded continuation line
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip().lower()
        found.setdefault(last, []).append(value.strip())
    return found


def read_json_file(dist, name):
    try:
        text = read_text(dist, name)
    except (OSError, UnicodeDecodeError):
        return None
    if not text:
        return None
    import json  # only for the few distributions that have such a file

    try:
        return json.loads(text)
    except ValueError:
        return None


def record_entries(dist):
    """``(path, sha256 or None)`` of every file a distribution installed.

    RECORD is read directly: ``dist.files`` builds a path object per line, which was most
    of the time this script took. Other layouts (installed-files.txt, SOURCES.txt) go
    through ``dist.files``, which knows where their paths are relative to.
    """
    text = read_text(dist, "RECORD")
    if text is None:
        entries = []
        for entry in dist.files or ():
            digest = getattr(entry, "hash", None)
            entries.append((str(entry), digest.value if digest is not None and digest.mode == "sha256" else None))
        return entries
    if '"' in text:  # quoted fields (a path with a comma): the csv module reads them
        import csv

        rows = csv.reader(text.splitlines())
    else:  # the usual RECORD: split by hand, several times faster
        rows = (line.split(",", 2) for line in text.splitlines())
    entries = []
    for row in rows:
        if not row or not row[0]:
            continue
        mode, _, value = (row[1] if len(row) > 1 else "").partition("=")
        entries.append((row[0], value if mode == "sha256" and value else None))
    return entries


def record_modules(dist):
    """``{module file: its RECORD hash or None}`` of a distribution, as filtering
    ``record_entries`` by ``module_path`` gives, in one pass over RECORD: most of its lines
    are not module files and are dropped at the first look. None when RECORD is missing or
    needs the general reading (quoted fields, backslashes)."""
    text = read_text(dist, "RECORD")
    if text is None or '"' in text or "\\" in text:
        return None
    modules = {}
    folders, stems = IMPORTABLE_FOLDERS, IDENTIFIER_STEMS  # module_path's memos, inlined
    for line in text.splitlines():
        path, _, rest = line.partition(",")
        if not path.endswith(MODULE_SUFFIXES):
            continue
        folder, _, name = path.rpartition("/")
        importable = folders.get(folder)
        if importable is None:
            importable = importable_folder(folder)
        if not importable:
            continue
        valid = stems.get(name.partition(".")[0])
        if valid is None:
            valid = identifier_stem(name)
        if not valid:
            continue
        mode, _, value = rest.partition(",")[0].partition("=")
        digest = value if mode == "sha256" and value else None
        if digest or path not in modules:
            modules[path] = digest
    return modules


def editable_top_level(entries, site_dir):
    """Top-level names an editable install exposes through .pth files or finders."""
    names = set()
    for entry, _ in entries:
        full = os.path.join(site_dir, entry)
        base = os.path.basename(entry)
        if base.startswith("__editable__") and base.endswith("_finder.py"):
            names.update(finder_mapping_names(full))
        elif entry.endswith(".pth") and "/" not in entry.replace("\\", "/"):
            names.update(pth_top_level(full))
    return names


def finder_mapping_names(path):
    """setuptools' editable finder holds ``MAPPING = {'pkg': '/src/pkg'}``."""
    import ast

    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
            value = node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "MAPPING":
                try:
                    mapping = ast.literal_eval(value)
                except ValueError:
                    return set()
                if isinstance(mapping, dict):
                    return {str(key) for key in mapping}
    return set()


def pth_top_level(path):
    """A .pth that adds a source folder: the importable names in that folder."""
    names = set()
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, ValueError):
        return names
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", "import ")):
            continue
        line = os.path.join(os.path.dirname(path), line)  # relative to the site dir
        if not os.path.isdir(line):
            continue
        try:
            entries = sorted(os.listdir(line))
        except OSError:
            continue
        for entry in entries:
            full = os.path.join(line, entry)
            if os.path.isdir(full) and ascii_identifier(entry):
                if os.path.exists(os.path.join(full, "__init__.py")):
                    names.add(entry)
            elif (
                entry.endswith(".py")
                and ascii_identifier(entry[:-3])
                and entry[:-3] not in ("setup", "conftest", "noxfile")
            ):
                names.add(entry[:-3])
    return names


def conda_owners(prefix):
    """Map '<prefix-relative path>/<name>.dist-info' (and .egg-info), and the folder
    name alone, -> the conda package whose record lists files in it."""
    owners = {}
    meta_dir = os.path.join(prefix, "conda-meta")
    try:
        records = sorted(os.listdir(meta_dir))
    except OSError:
        return owners
    import json

    for record in records:
        if not record.endswith(".json"):
            continue
        try:
            with open(os.path.join(meta_dir, record), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        name = data.get("name") or record.rsplit("-", 2)[0]
        for path in data.get("files") or ():
            path = str(path).replace("\\", "/")
            for marker in (".dist-info/", ".egg-info/"):
                index = path.find(marker)
                if index != -1:
                    folder = path[: index + len(marker) - 1]
                    break
            else:
                folder = path if path.endswith(".egg-info") else None
            if folder:
                owners.setdefault(folder, name)
                # Also by folder name alone: site-packages is spelled differently on
                # Windows (Lib/) and in some noarch records.
                owners.setdefault(folder.rsplit("/", 1)[-1], name)
    return owners


def file_digest(path):
    import base64
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    except OSError:
        return None
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def import_names(fields, key="import-name"):
    """PEP 794 ``Import-Name`` values (``; private`` dropped), or with
    ``key="import-namespace"`` the namespaces the distribution shares with others
    (kept apart: a namespace is shared, the files say who provides what under it)."""
    names = []
    for value in fields.get(key) or ():
        value = str(value).split(";", 1)[0].strip()
        if value:
            names.append(value)
    return names


def canonical(name):
    return _dashed(name).lower()


def conda_env_name(prefix):
    if os.path.isdir(os.path.join(prefix, "envs")):
        return "base"
    return os.path.basename(os.path.normpath(prefix))


def user_site_folder():
    """The user's site folder when this interpreter would read it, else None."""
    try:
        import site

        if sys.flags.no_user_site or not site.ENABLE_USER_SITE:
            return None
        return site.getusersitepackages()
    except Exception:  # noqa: BLE001 - an embedded or unusual interpreter
        return None


def describe():
    errors = []
    prefix = sys.prefix
    is_conda = os.path.isdir(os.path.join(prefix, "conda-meta"))
    # Stamped before reading: an install that lands during the read changes them.
    site_dirs = []
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            site_dirs.append({"path": os.path.abspath(entry), "mtime_ns": os.stat(entry).st_mtime_ns})
    if is_conda:
        meta = os.path.join(prefix, "conda-meta")
        site_dirs.append({"path": meta, "mtime_ns": os.stat(meta).st_mtime_ns})
    user_site = user_site_folder()
    if user_site and not os.path.isdir(user_site):
        # Not created yet: a later `pip install --user` creates it, which must show.
        site_dirs.append({"path": user_site, "mtime_ns": -1})
    owners = conda_owners(prefix) if is_conda else {}
    seen = set()
    dists = []
    claims = {}  # (site dir, module file) -> [(dist index, RECORD path, RECORD hash)]
    for dist in distributions():
        try:
            fields = headers(dist)
            name = (fields.get("name") or [None])[0]
        except Exception as error:  # noqa: BLE001 - one broken METADATA must not stop the rest
            errors.append(f"unreadable metadata in {dist_dir(dist)}: {error}")
            continue
        if not name:
            errors.append(f"distribution without a name at {dist_dir(dist)}")
            continue
        key = canonical(name)
        if key in seen:
            continue  # shadowed by an earlier sys.path entry, as import would be
        seen.add(key)
        location = dist_dir(dist)
        site_dir = os.path.dirname(location) if location else ""
        direct_url = read_json_file(dist, "direct_url.json")
        editable = bool(
            isinstance(direct_url, dict) and (direct_url.get("dir_info") or {}).get("editable")
        )
        entries = []
        try:
            # module file -> its RECORD hash (None when RECORD has none)
            modules = None if editable else record_modules(dist)
            if modules is None:  # an editable install's other files name what it exposes
                entries = record_entries(dist)
                modules = {}
                for path, digest in entries:
                    module = module_path(path)
                    if module is not None and (digest or module not in modules):
                        modules[module] = digest
        except Exception as error:  # noqa: BLE001 - one broken RECORD must not stop the rest
            errors.append(f"unreadable RECORD for {name}: {error}")
            entries, modules = [], {}
        files = sorted(modules)
        top_level = (read_text(dist, "top_level.txt") or "").split()
        if editable and site_dir:
            top_level = sorted(set(top_level) | editable_top_level(entries, site_dir))
        installer = (read_text(dist, "INSTALLER") or "").strip() or None
        conda_package = None
        if owners and location:
            relative = os.path.relpath(location, prefix).replace("\\", "/")
            conda_package = owners.get(relative) or owners.get(os.path.basename(location))
        index = len(dists)
        for path, digest in modules.items():
            if digest:
                claims.setdefault((site_dir, path), []).append((index, path, digest))
        dists.append(
            {
                "name": name,
                "version": (fields.get("version") or [""])[0],
                "location": location,
                "files": files,
                "top_level": sorted(set(top_level)),
                "import_names": sorted(set(import_names(fields))),
                "import_namespaces": sorted(set(import_names(fields, "import-namespace"))),
                "installer": installer,
                "direct_url": direct_url if isinstance(direct_url, dict) else None,
                "conda_package": conda_package,
                "shadowed": [],
            }
        )
    # Files claimed by several distributions: the one whose RECORD hash matches the
    # file on disk is the one that import will load; the others are shadowed.
    for (site_dir, relative), claimants in sorted(claims.items()):
        if len(claimants) < 2:
            continue
        actual = file_digest(os.path.join(site_dir, relative))
        for index, path, expected in claimants:
            if actual != expected:
                dists[index]["shadowed"].append(path)
    dists.sort(key=lambda d: canonical(d["name"]))
    return {
        "python": sys.executable,
        "python_version": "{}.{}".format(*sys.version_info[:2]),
        "python_full_version": "{}.{}.{}".format(*sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "prefix": prefix,
        "base_prefix": getattr(sys, "base_prefix", prefix),
        "is_conda": is_conda,
        "conda_env_name": conda_env_name(prefix) if is_conda else None,
        "site_dirs": site_dirs,
        "distributions": dists,
        "errors": errors,
    }


def to_json(value):
    """``json.dumps(value, sort_keys=True)``, by the C encoder json.dumps itself uses,
    without importing json (and re, which json loads); json.dumps where there is no
    such encoder (another Python implementation)."""
    try:
        from _json import encode_basestring_ascii, make_encoder
    except ImportError:
        make_encoder = None
    if make_encoder is None:
        import json

        return json.dumps(value, sort_keys=True)

    def unknown(item):
        raise TypeError("Object of type {} is not JSON serializable".format(type(item).__name__))

    encode = make_encoder({}, unknown, encode_basestring_ascii, None, ": ", ", ", True, False, True)
    return "".join(encode(value, 0))


def main():
    import gc

    gc.disable()  # a short run that builds many small objects and no cycles
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # the caller's working directory is not part of the environment
    if not has_metadata():
        sys.stdout.write(to_json({"error": "Python 3.8 or later is required"}))
        return 2
    # One string, one write: json.dump would write tens of thousands of small pieces.
    sys.stdout.write(to_json(describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
