"""scripts/build_import_names.py: what a wheel's file list says it provides."""

from __future__ import annotations

import importlib.util
import io
import random
import sys
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_import_names.py"
spec = importlib.util.spec_from_file_location("build_import_names", SCRIPT)
build_import_names = importlib.util.module_from_spec(spec)
sys.modules.setdefault("build_import_names", build_import_names)  # dataclasses look it up
spec.loader.exec_module(build_import_names)


def listing(*paths, sizes=None):
    return [(p, (sizes or {}).get(p, 100)) for p in paths]


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["six.py"], {"six"}),
        (["yaml/__init__.py", "yaml/composer.py", "_yaml/__init__.py"], {"yaml", "_yaml"}),
        # PEP 420 namespaces: walk down to the first regular package or module
        (["google/cloud/storage/__init__.py", "google/cloud/storage/blob.py"], {"google.cloud.storage"}),
        (["google/api/http_pb2.py"], {"google.api.http_pb2"}),
        # compiled modules, and modules placed through the .data folder
        (["cv2/__init__.py", "cv2/cv2.abi3.so"], {"cv2"}),
        (["pkg-1.0.data/purelib/pkg/__init__.py"], {"pkg"}),
        # folders shipped by mistake, metadata, scripts: not provided
        (["tests/__init__.py", "docs/conf.py", "real/__init__.py", "pkg-1.0.dist-info/x.py",
          "pkg-1.0.data/scripts/run.py", "not-a-name/x.py"], {"real"}),
    ],
)
def test_provided_names(paths, expected):
    assert build_import_names.provided_names(listing(*paths)) == expected


def record(name, *paths, sizes=None, **extra):
    return {"name": name, "files": listing(*paths, sizes=sizes), **extra}


def test_build_finds_pkgutil_namespaces_and_real_conflicts():
    records = [
        # two distributions with a tiny shared __init__ and different sub-packages
        record("acme-storage", "acme/__init__.py", "acme/storage/__init__.py", sizes={"acme/__init__.py": 60}),
        record("acme-compute", "acme/__init__.py", "acme/compute/__init__.py", sizes={"acme/__init__.py": 60}),
        # two distributions that really ship the same module
        record("PyJWT", "jwt/__init__.py", "jwt/api.py", sizes={"jwt/__init__.py": 2000}),
        record("python-jwt", "jwt/__init__.py", sizes={"jwt/__init__.py": 3000}),
        # a renamed project: tiny __init__s but the same sub-packages, so not a namespace
        record("docker", "docker/__init__.py", "docker/api/__init__.py", sizes={"docker/__init__.py": 200}),
        record("docker-py", "docker/__init__.py", "docker/api/__init__.py", sizes={"docker/__init__.py": 150}),
        # PEP 794 Import-Name replaces what the files suggest
        record("declares", "impl/__init__.py", **{"import-name": ["nice_name", "impl; private"]}),
        {"name": "sdist-only", "error": "no wheel"},
    ]
    modules = build_import_names.build(records)
    assert modules == {
        "acme.compute": ["acme-compute"],
        "acme.storage": ["acme-storage"],
        "docker": ["docker", "docker-py"],
        "impl": ["declares"],
        "jwt": ["PyJWT", "python-jwt"],
        "nice_name": ["declares"],
    }


def wheel_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


METADATA = "Metadata-Version: 2.5\nName: Tiny\nImport-Name: tiny\nImport-Namespace: acme\n"
TINY = {"tiny/__init__.py": "x = 1\n", "filler.py": "# " + random.Random(0).randbytes(100_000).hex(), "tiny-1.0.dist-info/METADATA": METADATA}


def serve_ranges(data):
    """What a file host that honours Range headers answers, over real zip bytes."""

    def fetch(url, headers=None, timeout=60):
        wanted = (headers or {}).get("Range")
        if wanted is None:
            return data, {}, 200
        first, _, last = wanted.removeprefix("bytes=").partition("-")
        start = len(data) - int(last) if first == "" else int(first)
        end = len(data) - 1 if first == "" or last == "" else min(int(last), len(data) - 1)
        return data[start:end + 1], {"Content-Range": f"bytes {start}-{end}/{len(data)}"}, 206

    return fetch


def test_the_wheel_is_read_through_range_requests(monkeypatch):
    data = wheel_bytes(TINY)
    monkeypatch.setattr(build_import_names, "fetch", serve_ranges(data))
    members = build_import_names.central_directory("wheel-url", len(data))
    assert [(m.path, m.size) for m in members] == [(name, len(text)) for name, text in TINY.items()]
    assert all(m.whole is None for m in members)  # never downloaded whole
    fields = build_import_names.read_metadata("wheel-url", members)
    assert (fields["name"], fields["import-name"], fields["import-namespace"]) == (["Tiny"], ["tiny"], ["acme"])


def test_a_small_wheel_is_read_whole(monkeypatch):
    data = wheel_bytes({"tiny/__init__.py": "", "tiny-1.0.dist-info/METADATA": METADATA})
    monkeypatch.setattr(build_import_names, "fetch", serve_ranges(data))
    members = build_import_names.central_directory("wheel-url", len(data))
    assert build_import_names.read_member("wheel-url", members[1]) == METADATA.encode()


def test_choose_wheel_prefers_the_newest_final_pure_wheel():
    files = [
        {"filename": "pkg-2.0rc1-py3-none-any.whl", "url": "u1"},
        {"filename": "pkg-1.5-cp311-cp311-win_amd64.whl", "url": "u2"},
        {"filename": "pkg-1.5-py3-none-any.whl", "url": "u3"},
        {"filename": "pkg-1.6.tar.gz", "url": "u4"},
        {"filename": "pkg-1.9-py3-none-any.whl", "url": "u5", "yanked": True},
    ]
    entry, version = build_import_names.choose_wheel(files)
    assert (entry["url"], str(version)) == ("u3", "1.5")
    assert build_import_names.choose_wheel([{"filename": "pkg-1.0.tar.gz", "url": "x"}]) is None


def test_read_names_skips_comments_and_duplicates(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("numpy\n# a comment\n\npandas  # trailing\nnumpy\n")
    assert build_import_names.read_names(names) == ["numpy", "pandas"]
