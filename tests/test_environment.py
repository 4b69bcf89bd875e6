"""The kernel's environment, read from real interpreters built in the test run.

Each venv is made with ``python -m venv --without-pip``; its distributions are written
by hand as ``.dist-info`` folders with RECORD files (hashes included), so the
introspection script reads exactly what pip/conda would have left on disk.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from jupyter_rees_ui.adapters.environment import (
    IntrospectionError,
    check_guesses_on_index,
    clear_cache,
    exists_on_index,
    introspect,
    introspect_kernels,
    kernel_env,
    kernel_python,
    list_kernels,
)
from jupyter_rees_ui.core.mapping import build_mapping
from jupyter_rees_ui.core.model import (
    Environment,
    ImportSite,
    InstallHint,
    Location,
    ScanResult,
)
from jupyter_rees_ui.core.resolve import build_proposal, module_name

PY = "{}.{}".format(*sys.version_info[:2])


def make_venv(where: Path) -> tuple[Path, Path]:
    """(interpreter, site-packages) of a fresh venv without pip."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )
    return python, site


def record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest},{len(data)}"


def install(
    site: Path,
    name: str,
    version: str,
    files: dict[str, str],
    *,
    installer: str = "pip",
    direct_url: dict | None = None,
    metadata: tuple[str, ...] = (),
    write: bool = True,
) -> Path:
    """Write a distribution the way an installer would: files, METADATA, RECORD."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    meta = "\n".join(["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", *metadata])
    contents = {f"{info.name}/METADATA": meta + "\n", f"{info.name}/INSTALLER": installer + "\n"}
    if direct_url is not None:
        contents[f"{info.name}/direct_url.json"] = json.dumps(direct_url)
    records = []
    for relative, text in {**files, **contents}.items():
        path = site / relative
        data = text.encode()
        if write or relative.startswith(info.name):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        records.append(f"{relative},{record_hash(data)}")
    records.append(f"{info.name}/RECORD,,")
    (info / "RECORD").write_text("\n".join(records) + "\n")
    return info


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    root = tmp_path_factory.mktemp("envs")
    python, site = make_venv(root / "venv")
    # A namespace package split over two distributions.
    install(site, "acme-storage", "1.2.0", {"acme/storage/__init__.py": "", "acme/storage/blob.py": ""})
    install(site, "acme-compute", "0.4.1", {"acme/compute/__init__.py": ""})
    # Two distributions sharing a top-level name; the second one's files are on disk.
    install(site, "shared-a", "1.0", {"shared/__init__.py": "A = 1\n", "shared/a_only.py": ""})
    install(site, "shared-b", "2.0", {"shared/__init__.py": "B = 2\n"})
    # An editable install through a .pth pointing at a source folder.
    src = root / "src"
    (src / "mypkg").mkdir(parents=True)
    (src / "mypkg" / "__init__.py").write_text("")
    (src / "setup.py").write_text("")
    install(site, "mypkg", "0.1.dev0", {"__editable__.mypkg-0.1.dev0.pth": f"{src}\n"},
            direct_url={"url": src.as_uri(), "dir_info": {"editable": True}})
    # An editable install whose .pth holds a path relative to site-packages.
    (root / "rel" / "relpkg").mkdir(parents=True)
    (root / "rel" / "relpkg" / "__init__.py").write_text("")
    install(site, "relpkg", "0.1", {"relpkg.pth": os.path.relpath(root / "rel", site) + "\n"},
            direct_url={"url": (root / "rel").as_uri(), "dir_info": {"editable": True}})
    # An editable install through setuptools' finder module.
    install(site, "otherpkg", "0.2", {
        "__editable___otherpkg_0_2_finder.py": f"MAPPING: dict = {{'otherpkg': {str(src / 'otherpkg')!r}}}\n",
        "__editable__.otherpkg-0.2.pth": "import __editable___otherpkg_0_2_finder\n",
    }, direct_url={"url": src.as_uri(), "dir_info": {"editable": True}})
    # A VCS install and a local archive install.
    install(site, "vcstool", "0.9", {"vcstool/__init__.py": ""},
            direct_url={"url": "https://github.com/me/vcstool.git",
                        "vcs_info": {"vcs": "git", "commit_id": "0123456789abcdef"}})
    install(site, "tarball", "3.0", {"tarball.py": ""},
            direct_url={"url": "file:///tmp/tarball-3.0.tar.gz", "archive_info": {}})
    # PEP 794 metadata naming an import that differs from the files.
    install(site, "weird-dist", "1.0", {"wd_impl/__init__.py": ""},
            metadata=("Import-Name: weird_name", "Import-Name: wd_impl; private",
                      "Import-Namespace: wd_space"))
    install(site, "PyYAML", "6.0.1", {"yaml/__init__.py": "", "_yaml/__init__.py": ""}, installer="uv")
    # A broken .dist-info (no Name) is reported, not fatal.
    (site / "broken-0.1.dist-info").mkdir()
    (site / "broken-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\n")
    clear_cache()
    return python, site, src


@pytest.fixture(scope="module")
def conda_env(tmp_path_factory):
    """A venv with a fake conda-meta record owning one distribution (INSTALLER says pip)."""
    prefix = tmp_path_factory.mktemp("conda") / "env"
    python, site = make_venv(prefix)
    info = install(site, "condapkg", "1.5", {"condapkg/__init__.py": ""}, installer="pip",
                   direct_url={"url": "file:///home/conda/feedstock/work", "dir_info": {}})
    install(site, "pippkg", "2.0", {"pippkg/__init__.py": ""}, installer="pip")
    meta = prefix / "conda-meta"
    meta.mkdir()
    relative = info.relative_to(prefix).as_posix()
    (meta / "condapkg-py-1.5-pyh0_0.json").write_text(json.dumps({
        "name": "condapkg-py", "version": "1.5",
        "files": [f"{relative}/METADATA", f"{relative}/RECORD", "lib/condapkg/__init__.py"],
    }))
    # A record whose paths spell site-packages differently: matched by folder name.
    install(site, "noarchpkg", "0.3", {"noarchpkg/__init__.py": ""})
    (meta / "noarchpkg-0.3-pyhd8ed1ab_0.json").write_text(json.dumps({
        "name": "noarchpkg", "version": "0.3",
        "files": ["Lib/site-packages/noarchpkg-0.3.dist-info/METADATA"],
    }))
    (meta / "history").write_text("")
    clear_cache()
    return python, site


def by_name(env):
    return {d.name: d for d in env.distributions}


def test_introspection_reads_the_venv(venv):
    python, _site, src = venv
    env = introspect(str(python), timeout=30)
    dists = by_name(env)
    assert env.python_version == PY
    assert env.description.startswith(f"venv at {python.parent.parent}")
    assert not env.is_conda
    assert {"acme-storage", "acme-compute", "shared-a", "shared-b", "mypkg", "vcstool",
            "weird-dist", "PyYAML", "tarball", "otherpkg"} <= set(dists)
    assert dists["acme-storage"].files == ("acme/storage/__init__.py", "acme/storage/blob.py")
    assert dists["PyYAML"].installer == "uv"
    assert dists["weird-dist"].import_names == ("wd_impl", "weird_name")
    assert dists["weird-dist"].import_namespaces == ("wd_space",)
    # provenance from direct_url.json
    assert (dists["mypkg"].source, dists["mypkg"].url) == ("editable", src.as_uri())
    assert "mypkg" in dists["mypkg"].top_level
    assert "otherpkg" in dists["otherpkg"].top_level
    assert dists["relpkg"].top_level == ("relpkg",)
    assert (dists["vcstool"].source, dists["vcstool"].url, dists["vcstool"].commit) == (
        "vcs", "git+https://github.com/me/vcstool.git", "0123456789abcdef")
    assert dists["tarball"].source == "archive"
    # the file both shared-* distributions claim holds shared-b's bytes
    assert dists["shared-a"].shadowed == ("shared/__init__.py",)
    assert dists["shared-b"].shadowed == ()
    assert any("without a name" in error for error in env.errors)


def test_proposal_from_a_real_environment(venv):
    python, _site, _src = venv
    env = introspect(str(python))
    location = Location("nb.ipynb", 0, 1)
    modules = ["acme.storage.blob", "acme.compute", "shared", "mypkg", "otherpkg", "vcstool",
               "weird_name", "yaml", "tarball", "notinstalled_thing"]
    scan = ScanResult(
        root=".",
        imports=tuple(ImportSite(m, location) for m in modules),
        installs=(InstallHint("PyYAML==6.0.1", "pyyaml", Location("nb.ipynb", 1, 1)),),
    )
    proposal = build_proposal(scan, env, mapping=build_mapping(""))
    rows = {r.name: r for r in proposal.requirements}
    assert rows["acme-storage"].modules == ("acme.storage.blob",)
    assert rows["acme-storage"].line == "acme-storage==1.2.0"
    assert rows["acme-compute"].rule == "installed"
    assert rows["shared-b"].candidates == ("shared-a",)
    assert any("on disk" in w for w in rows["shared-b"].warnings)
    assert rows["mypkg"].source == "editable" and "editable install" in rows["mypkg"].warnings[0]
    assert rows["otherpkg"].source == "editable"
    assert rows["vcstool"].line == "vcstool @ git+https://github.com/me/vcstool.git@0123456789abcdef"
    assert rows["weird-dist"].modules == ("weird_name",)
    assert (rows["PyYAML"].rule, rows["PyYAML"].specifier) == ("install-hint", "==6.0.1")
    assert any("local archive" in w for w in rows["tarball"].warnings)
    assert rows["notinstalled_thing"].rule == "identity"
    assert proposal.python_version == PY
    assert proposal.environment == env.description


def test_conda_ownership_beats_installer(conda_env):
    python, _site = conda_env
    env = introspect(str(python))
    dists = by_name(env)
    assert env.is_conda
    assert env.description.startswith("conda env 'env'")
    assert (dists["condapkg"].source, dists["condapkg"].conda_name, dists["condapkg"].url) == (
        "conda", "condapkg-py", None)
    assert dists["condapkg"].installer == "pip"
    assert (dists["pippkg"].source, dists["pippkg"].conda_name) == ("pip", None)
    assert (dists["noarchpkg"].source, dists["noarchpkg"].conda_name) == ("conda", "noarchpkg")
    scan = ScanResult(root=".", imports=(ImportSite("condapkg", Location("a.py")),))
    row = build_proposal(scan, env).requirements[0]
    assert (row.source, row.conda_name, row.line) == ("conda", "condapkg-py", "condapkg==1.5")


def test_cache_until_site_packages_change(tmp_path):
    python, site = make_venv(tmp_path / "cached")
    install(site, "first", "1.0", {"first.py": ""})
    clear_cache()
    env = introspect(str(python))
    assert introspect(str(python)) is env
    install(site, "second", "1.0", {"second.py": ""})
    later = time.time() + 5
    os.utime(site, (later, later))  # coarse-mtime file systems
    changed = introspect(str(python))
    assert changed is not env
    assert {"first", "second"} <= set(by_name(changed))


def test_timeout_and_broken_interpreters(tmp_path):
    slow = tmp_path / "slowpython"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(IntrospectionError, match="did not answer"):
        introspect(str(slow), timeout=0.5)
    assert time.monotonic() - started < 3
    broken = tmp_path / "brokenpython"
    broken.write_text("#!/bin/sh\necho not json; exit 3\n")
    broken.chmod(0o755)
    with pytest.raises(IntrospectionError, match="exited with 3"):
        introspect(str(broken))
    python2 = tmp_path / "python2"
    python2.write_text("#!/bin/sh\necho '  File \"<string>\", line 1' >&2; echo 'SyntaxError: invalid syntax' >&2; exit 1\n")
    python2.chmod(0o755)
    with pytest.raises(IntrospectionError, match="3.8 or later"):
        introspect(str(python2))
    with pytest.raises(IntrospectionError, match="cannot run"):
        introspect(str(tmp_path / "missing" / "python"))


def test_an_environment_folder_or_command_name_is_accepted(venv):
    python, _site, _src = venv
    assert introspect(str(python.parent.parent)).python == introspect(str(python)).python
    assert introspect(Path(sys.executable).name).python_version == PY


def test_default_is_the_servers_interpreter():
    env = introspect()
    assert env.python_version == PY
    assert "packaging" in {d.name.lower() for d in env.distributions}


def write_kernel(root: Path, name: str, argv: list[str], language: str = "python", env=None) -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": name.upper(), "language": language, "env": env or {}}))


def test_kernel_lookup_agrees_with_jupyter_client_without_importing_ipython(venv, tmp_path, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    from jupyter_rees_ui.adapters.environment import _kernel_spec

    python, _site, _src = venv
    write_kernel(tmp_path / "data", "Mixed", [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    write_kernel(tmp_path / "ipython", "legacy", [str(python), "-m", "ipykernel", "-f", "{connection_file}"])
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "data"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    for name in ("mixed", "legacy", "python3"):
        ours, theirs = _kernel_spec(name), KernelSpecManager().get_kernel_spec(name)
        assert (list(ours.argv), ours.display_name, ours.env) == (theirs.argv, theirs.display_name, theirs.env), name
    assert kernel_python("legacy") == str(python)

    code = ("import sys; from jupyter_rees_ui.adapters.environment import kernel_python, kernel_env; "
            "kernel_python('python3'); kernel_env('python3'); print('IPython' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # the command line starts a quarter of a second sooner


def test_kernelspecs(venv, tmp_path, monkeypatch):
    python, _site, _src = venv
    prefix = python.parent.parent
    write_kernel(tmp_path, "direct", [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    write_kernel(tmp_path, "condarun", ["conda", "run", "-p", str(prefix), "python", "-m",
                                        "ipykernel_launcher", "-f", "{connection_file}"])
    write_kernel(tmp_path, "native", ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    write_kernel(tmp_path, "rlang", ["R", "--slave", "-e", "IRkernel::main()"], language="R")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "mypython").symlink_to(python)
    write_kernel(tmp_path, "onpath", ["mypython", "-m", "ipykernel", "-f", "{connection_file}"],
                 env={"PATH": str(tools)})
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert kernel_python("direct") == str(python)
    assert kernel_python("condarun") == str(prefix / "bin" / "python")
    assert kernel_python("native") == sys.executable
    assert kernel_python("onpath") == str(tools / "mypython")
    assert kernel_python("no-such-kernel") == sys.executable
    assert kernel_python(None) == sys.executable
    kernels = {k["name"]: k for k in list_kernels()}
    assert kernels["direct"] == {"name": "direct", "display_name": "DIRECT", "language": "python",
                                 "python": str(python)}
    assert kernels["rlang"]["python"] is None
    assert [k["name"] for k in list_kernels()] == sorted(kernels)


def older_pythons() -> list[str]:
    """Python 3.8/3.9 interpreters that actually run here (pyenv shims may not)."""
    found = set(glob.glob(os.path.expanduser("~/.pyenv/versions/3.[89]*/bin/python3.[89]")))
    found |= {p for p in (shutil.which("python3.8"), shutil.which("python3.9")) if p}
    working = []
    for python in sorted(found):
        try:
            done = subprocess.run([python, "-c", "pass"], capture_output=True, timeout=10, check=False)
            if done.returncode == 0:
                working.append(python)
        except (OSError, subprocess.TimeoutExpired):
            continue
    return working


@pytest.mark.skipif(not older_pythons(), reason="no Python 3.8/3.9 on this machine")
def test_introspection_script_runs_on_older_pythons():
    for python in older_pythons()[:1]:
        env = introspect(python)
        assert env.python_version in ("3.8", "3.9")


def test_introspect_kernels(venv, tmp_path, monkeypatch):
    python, _site, _src = venv
    write_kernel(tmp_path, "direct", [str(python), "-m", "ipykernel_launcher"])
    write_kernel(tmp_path, "gone", [str(tmp_path / "nope" / "python"), "-m", "ipykernel_launcher"])
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    found = introspect_kernels(["direct", "direct"])
    assert list(found) == ["direct"]
    assert "acme-storage" in by_name(found["direct"])


class FakeIndex(BaseHTTPRequestHandler):
    """A package index that knows two projects, and one that never answers in time."""

    known: ClassVar[set[str]] = {"frobnicate", "opencv-python"}

    def do_HEAD(self):
        name = self.path.strip("/").split("/")[1]
        if name == "slowpoke":
            time.sleep(2)
        self.send_response(200 if name in self.known else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_index():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeIndex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    server.shutdown()
    server.server_close()


def test_exists_on_index(fake_index):
    found = exists_on_index(["frobnicate", "nosuchthing", "slowpoke"], index_url=fake_index, timeout=0.5)
    assert found == {"frobnicate": True, "nosuchthing": False, "slowpoke": None}


def test_online_check_of_guessed_rows(fake_index):
    env = Environment(python="/p", python_version="3.11")
    location = Location("a.ipynb", 0, 1)
    scan = ScanResult(root=".", imports=tuple(
        ImportSite(m, location) for m in ("frobnicate", "nosuchthing", "cv2")))
    proposal = check_guesses_on_index(build_proposal(scan, env), index_url=fake_index, timeout=1)
    rows = {r.name: r for r in proposal.requirements}
    assert rows["nosuchthing"].included is False
    assert "not found on the package index" in rows["nosuchthing"].warnings[-1]
    assert "exists on the package index" in rows["frobnicate"].warnings[-1]
    assert rows["opencv-python"].included is True


def test_introspection_script_imports_only_the_standard_library():
    import ast

    import jupyter_rees_ui.adapters.introspect_env as script

    tree = ast.parse(Path(script.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports: it runs as a lone script"
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names


def test_kernel_env_reaches_the_introspection(venv, tmp_path, monkeypatch):
    python, _site, _src = venv
    extra = tmp_path / "extra"
    install(extra, "frompath", "0.5", {"frompath/__init__.py": ""})
    write_kernel(tmp_path, "withpath", [str(python), "-m", "ipykernel_launcher"],
                 env={"PYTHONPATH": str(extra)})
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert kernel_env("withpath") == {"PYTHONPATH": str(extra)}
    assert kernel_env("no-such-kernel") == {}
    assert "frompath" in by_name(introspect_kernels(["withpath"])["withpath"])
    assert "frompath" not in by_name(introspect(str(python)))


def test_round_trip_on_the_servers_real_environment():
    """Every installed distribution's own top-level modules resolve back to it."""
    env = introspect()
    owners: dict[str, set[str]] = {}
    for dist in env.distributions:
        for path in dist.files:
            module = module_name(path)
            if module:
                owners.setdefault(module.split(".")[0], set()).add(dist.name)
    unique = {top: names.pop() for top, names in owners.items() if len(names) == 1}
    location = Location("a.py")
    scan = ScanResult(root=".", imports=tuple(ImportSite(top, location) for top in sorted(unique)))
    got = {m: r.name for r in build_proposal(scan, env).requirements for m in r.modules}
    assert len(unique) > 50
    assert {top: got.get(top) for top in unique} == unique


def test_record_is_read_as_importlib_metadata_reads_it():
    """The introspection script parses RECORD itself (speed); it must agree with
    ``dist.files`` on every distribution installed here."""
    from importlib import metadata

    from jupyter_rees_ui.adapters.introspect_env import record_entries

    checked = 0
    for dist in metadata.distributions():
        expected = []
        for entry in dist.files or ():
            digest = entry.hash
            expected.append((str(entry), digest.value if digest is not None and digest.mode == "sha256" else None))
        assert record_entries(dist) == expected, dist.metadata["Name"]
        checked += 1
    assert checked > 20


def test_introspection_script_stays_python_3_8_syntax():
    """It runs with the kernel's interpreter, which may be older than the server's."""
    import ast

    from jupyter_rees_ui.adapters import introspect_env

    source = Path(introspect_env.__file__).read_text(encoding="utf-8")
    ast.parse(source, feature_version=(3, 8))
    for newer in ("removeprefix(", "removesuffix(", "functools.cache(", "zoneinfo"):
        assert newer not in source, newer


ENUMERATION_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])  # where the script lives: imported as a module here
import introspect_env
del sys.path[0]
ours = [str(d._path) for d in introspect_env.distributions()]
metadata_imported = "importlib.metadata" in sys.modules
from importlib import metadata
print(json.dumps({"ours": ours, "theirs": [str(d._path) for d in metadata.distributions()],
                  "imported": metadata_imported}))
"""


def test_the_script_finds_distributions_as_importlib_metadata_does_without_importing_it(tmp_path):
    """Folders of every layout importlib.metadata reads, a name twice (the first wins),
    and the real environment after them: the same folders in the same order."""
    from jupyter_rees_ui.adapters import introspect_env

    extra = tmp_path / "extra"
    for name in ("zeta-1.0.dist-info", "Alpha_Pkg-2.0.dist-info", "alpha.pkg-1.0.dist-info", "beta-3.0.egg-info"):
        (extra / name).mkdir(parents=True)
        (extra / name / "METADATA").write_text(f"Name: {name.split('-')[0]}\nVersion: 1\n")
    (extra / "gamma-0.1.egg-info").write_text("Name: gamma\nVersion: 0.1\n")  # a single-file egg-info
    egg = tmp_path / "delta-1.0-py3.11.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "PKG-INFO").write_text("Name: delta\nVersion: 1.0\n")
    script_dir = str(Path(introspect_env.__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", ENUMERATION_PROBE, script_dir], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(extra), str(egg)])},
    )
    report = json.loads(done.stdout)
    assert report["ours"] == report["theirs"]
    assert any(p.endswith("EGG-INFO") for p in report["ours"]) and len(report["ours"]) > 20
    assert report["imported"] is False


def test_an_answer_read_in_the_background_is_the_same(venv, tmp_path):
    """``read_in_background`` takes the child's answer in a thread; ``result()`` gives
    that answer, and a failure of the thread's read is raised by ``result()``."""
    from jupyter_rees_ui.adapters.environment import clear_cache, start_introspection

    python, _site, _src = venv
    clear_cache()
    pending = start_introspection(str(python))
    pending.read_in_background()
    pending.read_in_background()  # a second call changes nothing
    assert pending.result() == introspect(str(python))
    broken = tmp_path / "brokenpython"
    broken.write_text("#!/bin/sh\necho not json; exit 3\n")
    broken.chmod(0o755)
    failing = start_introspection(str(broken))
    failing.read_in_background()
    with pytest.raises(IntrospectionError, match="exited with 3"):
        failing.result()
    slow = tmp_path / "slowpython"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    stopped = start_introspection(str(slow))
    stopped.read_in_background()
    started = time.monotonic()
    stopped.cancel()  # the thread's read ends with the child
    with pytest.raises(IntrospectionError):
        stopped.result()
    assert time.monotonic() - started < 10


def test_the_introspection_writes_what_json_dumps_writes(monkeypatch):
    """The script's JSON (written by the C encoder json.dumps uses, without importing json)
    is json.dumps's with sorted keys; without that encoder, json.dumps writes it."""
    import builtins
    import json

    from jupyter_rees_ui.adapters import introspect_env

    report = introspect_env.describe()
    tricky = {"b": ["é", "\u2028", "\x00", 'q"uote\\', "\U0001f600"], "a": {"z": None, "y": True, "x": -3},
              "": [], "c": [1, 2.5, False]}
    for value in (report, tricky):
        assert introspect_env.to_json(value) == json.dumps(value, sort_keys=True)
    real_import = builtins.__import__

    def no_c_encoder(name, *args, **kwargs):
        if name == "_json":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_c_encoder)
    assert introspect_env.to_json(tricky) == json.dumps(tricky, sort_keys=True)


@pytest.mark.parametrize("name", ["a", "_x1", "A_b", "", "1a", "a-b", "é", "a.b", "a\n", "__pycache__"])
def test_identifiers_are_the_ascii_ones(name):
    import re

    from jupyter_rees_ui.adapters import introspect_env

    assert introspect_env.ascii_identifier(name) == (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None)


@pytest.mark.parametrize("name", ["a", "A-b", "a__b", "a._-b", "-a-", "..", "a-.-_b", "zope.interface"])
def test_dashed_names_are_those_of_the_regular_expression(name):
    import re

    from jupyter_rees_ui.adapters import introspect_env

    assert introspect_env._dashed(name) == re.sub(r"[-_.]+", "-", name)


def test_the_script_is_imported_from_its_folder_and_leaves_no_trace_in_the_report(tmp_path):
    """The child imports the script from its folder (so that its compiled form is kept
    beside it), then takes that folder off sys.path: the report is the one the script's
    text run with ``-c`` gives, and the folder is in none of its site folders."""
    import subprocess

    from jupyter_rees_ui.adapters import environment, introspect_env

    folder = os.path.dirname(os.path.abspath(introspect_env.__file__))
    bootstrap = environment._BOOTSTRAP.format(folder=folder)
    text = Path(introspect_env.__file__).read_text(encoding="utf-8")
    run = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
           for code in (bootstrap, text)]
    assert [r.returncode for r in run] == [0, 0], run[0].stderr
    imported, as_text = (json.loads(r.stdout) for r in run)
    assert imported == as_text
    assert folder not in [entry["path"] for entry in imported["site_dirs"]]


def _headers_reference(text):
    """The header reading as it was: every line split, up to the first blank one."""
    found, last = {}, None
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t" and last is not None:
            found[last][-1] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip().lower()
        found.setdefault(last, []).append(value.strip())
    return found


_METADATA_LINES = ["Name: pkg", "Version: 1.0", "Requires-Dist: a", "Requires-Dist: b ; extra == 'x'", "  folded",
                   "\tmore", "", " ", "no colon", "Description: x", "Import-Name: p.q", "Long body text: 1"]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_metadata_headers_read_as_they_were_read(end):
    """Only the header block is split into lines now; the fields are the same."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from jupyter_rees_ui.adapters import introspect_env

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(_METADATA_LINES), max_size=12))
    def check(lines):
        text = end.join(lines) + end + "\n\nThe description\n\nName: not a header\n"
        introspect_env.read_text = lambda dist, name: text if name == "METADATA" else None
        assert introspect_env.headers(None) == _headers_reference(text)

    original = introspect_env.read_text
    try:
        check()
    finally:
        introspect_env.read_text = original
