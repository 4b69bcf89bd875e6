"""Does the REES we write rebuild the notebooks' environment? Real projects, like Binder.

    python benchmarks/reproduce_benchmark.py --corpus DIR [--write] [--jobs N]
        [--projects NAME ...] [--tools ours pipreqs pigar] [--run-per-project K]
        [--pipreqs-server URL] [--reuse] [--fresh-peers] [--json FILE]

For each public project listed in ``reproduce_corpus.json`` (fetched into ``--corpus DIR``
by whoever runs this: ``git clone URL DIR/NAME && git -C DIR/NAME checkout COMMIT``):

1. **Author-like environment**: a venv of the project's Python with what its author
   needed installed (``author_env`` in the manifest: the stated requirement lines,
   relaxed only where they cannot install, plus what the imports show was needed).
2. A copy of the project with every requirement file removed (``remove_anywhere``,
   ``remove_at_root``), then each tool writes its REES:
   - ours, as a user runs it: ``jupyter rees write . --yes --python <author env python>``,
     then ``jupyter rees verify . --json`` (``--run --notebook NB`` for the notebooks
     executed below), whose verdict is reported beside the benchmark's own;
   - pipreqs: ``pipreqs --scan-notebooks COPY`` (writes COPY/requirements.txt);
   - pigar: ``pigar generate --auto-select ... COPY`` (writes COPY/requirements.txt).
3. **As a stranger**, measured by the benchmark itself for every tool alike (never
   trusting our own verdict alone): a fresh venv of the REES's Python (``runtime.txt``;
   none: 3.10, repo2docker's default), ``install -r requirements.txt`` as one transaction
   (as Binder does: one bad line fails the build), then:
   - **import closure**: every third-party module the notebooks import is imported in
     the new environment, one subprocess per project. A third-party module is one that a
     distribution installed in the author environment provides
     (``importlib.metadata.packages_distributions()`` there), found with ``ast`` on each
     code cell after IPython's own magic transform, outside ``try:``; project files,
     modules a notebook writes itself (``%%file``) and needs the author environment lacks
     are left out (the last two listed apart);
   - **execution** of up to K notebooks per project (the smallest by code size) with
     nbclient, per-cell and per-notebook timeouts, in the author environment (a copy of
     the project: notebooks write files) and in the rebuilt one (ours: by ``verify
     --run``). Failures are classed: missing module / install failure (the REES's
     fault), timeout, data or network (unrelated), Python 2 code, and other errors; a
     notebook counts against a REES only if it ran in the author environment and fails in
     the rebuilt one, or fails there on a missing module.

Reuse between runs (``benchmarks/.work/reproduce/cache``): ``--reuse`` takes the author
environments' verdicts from an earlier run when the environment and the project's files are
unchanged; pipreqs' and pigar's results are reused when the peer's version, the corpus
snapshot and the peer's inputs (the stripped project's files) are unchanged
(``--fresh-peers`` runs them again). Ours is always written and verified afresh.

Environments are made with uv (``pip install uv``; its cache makes reruns fast) and kept
in ``benchmarks/.work/reproduce`` (git-ignored). Writes ``RESULTS-reproduce.md`` with
``--write``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "benchmarks"
MANIFEST = HERE / "reproduce_corpus.json"
WORK = HERE / ".work" / "reproduce"
CACHE = WORK / "cache"  # verdicts kept between runs (author environments, peers)
PEERS = ["pipreqs==0.5.0", "pigar==2.2.0"]
TOOLS = ("ours", "pipreqs", "pigar")
RUNTIME_SUFFIX = " + author's runtime.txt"
DEFAULT_PYTHON = "3.10"  # repo2docker's Python when a folder has no runtime.txt
KERNEL_PACKAGES = ["ipykernel"]
INSTALL_TIMEOUT = 900
CELL_TIMEOUT = 60
NOTEBOOK_TIMEOUT = 240
# Modules only Python 2 has: an import of one is Python 2 code, no REES can satisfy it.
PY2_ONLY = {
    "cPickle", "cStringIO", "StringIO", "urllib2", "urlparse", "ConfigParser", "Queue",
    "Tkinter", "tkMessageBox", "__builtin__", "commands", "httplib", "HTMLParser",
    "cookielib", "thread", "copy_reg", "sets", "md5", "sha", "exceptions", "SocketServer",
    "SimpleHTTPServer", "BaseHTTPServer", "xmlrpclib", "dummy_thread", "anydbm", "dbhash",
    "future_builtins", "imp", "UserDict", "UserList", "UserString", "repr", "new",
}


# --- the manifest ------------------------------------------------------------------------

@dataclass
class Project:
    name: str
    repo: str
    url: str
    commit: str
    python: str
    stated: list[str]
    author_env: list[str]
    notes: str = ""
    subdir: str = ""


@dataclass
class Manifest:
    projects: list[Project]
    remove_anywhere: list[str]
    remove_at_root: list[str]


def load_manifest(path: Path = MANIFEST) -> Manifest:
    """Read and check the manifest; a clear ValueError names what is wrong."""
    data = json.loads(path.read_text(encoding="utf-8"))
    projects = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("projects") or []):
        missing = [k for k in ("name", "repo", "url", "commit", "python", "stated", "author_env") if k not in raw]
        if missing:
            raise ValueError(f"project {i}: missing {', '.join(missing)}")
        if raw["name"] in seen:
            raise ValueError(f"project {i}: duplicate name {raw['name']!r}")
        if not re.fullmatch(r"[0-9a-f]{40}", raw["commit"]):
            raise ValueError(f"{raw['name']}: commit must be 40 hex digits")
        if not re.fullmatch(r"\d\.\d+", raw["python"]):
            raise ValueError(f"{raw['name']}: python must look like 3.11")
        if not raw["author_env"]:
            raise ValueError(f"{raw['name']}: author_env is empty")
        seen.add(raw["name"])
        projects.append(Project(**{k: raw[k] for k in Project.__dataclass_fields__ if k in raw}))
    if not projects:
        raise ValueError("no projects")
    return Manifest(projects, list(data.get("remove_anywhere", [])), list(data.get("remove_at_root", [])))


# --- small helpers -----------------------------------------------------------------------

def run(command: list[str], *, timeout: float = 600, cwd: Path | None = None,
        env: dict | None = None) -> subprocess.CompletedProcess:
    # The copies live inside this repository's checkout: git (a notebook's `!git checkout -b`,
    # a tool's git lookup) must not find it from there.
    env = {**(env or os.environ), "GIT_CEILING_DIRECTORIES": str(WORK)}
    try:
        return subprocess.run([str(c) for c in command], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd, env=env, stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout.decode(errors="replace") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        return subprocess.CompletedProcess(command, 124, out, f"timed out after {timeout:.0f} s")


def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return str(beside)
    raise SystemExit("uv is needed: pip install uv")


def interpreter(version: str) -> str | None:
    """An interpreter of this version on the machine: uv's discovery, then pyenv's folders."""
    done = run([uv(), "python", "find", "--no-python-downloads", version], timeout=60)
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout.strip()
    for candidate in sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python"))):
        return candidate
    return shutil.which(f"python{version}")


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:12]


def make_venv(where: Path, python: str, requirements: list[str] | Path, *, key: str) -> tuple[bool, str]:
    """A venv at ``where`` with the requirements installed in one transaction.

    Reused when the marker says the same key was installed successfully. Returns
    (installed, message)."""
    marker = where / ".rees-benchmark"
    if marker.exists() and marker.read_text() == key:
        return True, "cached"
    shutil.rmtree(where, ignore_errors=True)
    interp = interpreter(python)
    if interp is None:
        return False, f"no Python {python} on this machine"
    done = run([uv(), "venv", "-q", "-p", interp, where], timeout=120)
    if done.returncode:
        return False, "venv: " + done.stderr.strip()[-500:]
    if isinstance(requirements, Path):
        args = ["-r", requirements]
    else:
        args = list(requirements)
    if args:
        done = run([uv(), "pip", "install", "-q", "--python", where / "bin" / "python", *args],
                   timeout=INSTALL_TIMEOUT)
        if done.returncode:
            return False, (done.stderr or done.stdout).strip()[-1500:]
    marker.write_text(key)
    return True, "installed"


def add_kernel(venv: Path) -> bool:
    """ipykernel beside the REES (Binder's image has it); separate from the verdict."""
    marker = venv / ".rees-kernel"
    if marker.exists():
        return True
    done = run([uv(), "pip", "install", "-q", "--python", venv / "bin" / "python", *KERNEL_PACKAGES],
               timeout=INSTALL_TIMEOUT)
    if done.returncode == 0:
        marker.write_text("ok")
    return done.returncode == 0


# --- the project copy and its imports ---------------------------------------------------

def notebooks(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts and p.is_file())


def strip_requirements(root: Path, manifest: Manifest) -> list[str]:
    removed = []
    for path in sorted(root.rglob("*"), reverse=True):
        rel = path.relative_to(root)
        at_root = len(rel.parts) == 1
        if (path.is_file() and any(fnmatch.fnmatch(path.name, p) for p in manifest.remove_anywhere)) or (
                at_root and any(fnmatch.fnmatch(path.name, p) for p in manifest.remove_at_root)):
            removed.append(str(rel))
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return removed


def code_cells(path: Path) -> tuple[str, list[str]]:
    """(kernel language, code cell sources) of a notebook, any nbformat version."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable notebook has no cells
        return "unreadable", []
    meta = nb.get("metadata", {})
    language = ((meta.get("kernelspec") or {}).get("language")
                or (meta.get("language_info") or {}).get("name") or "python")
    return language.lower(), [c.source for c in nb.cells if c.cell_type == "code"]


def cell_imports(source: str) -> tuple[set[str], bool]:
    """Top-level module names a cell imports outside ``try:``, and whether it parsed."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return set(), False
    optional: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            for inner in node.body:
                optional.update(id(n) for n in ast.walk(inner))
    names = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names, True


PROVIDED = r"""
import json, sys
import importlib.metadata as metadata
if sys.version_info >= (3, 11):
    found = metadata.packages_distributions()
else:  # 3.10's reads top_level.txt only (numpy's wheels have none): 3.11's reading, by hand
    found = {}
    for dist in metadata.distributions():
        tops = set((dist.read_text("top_level.txt") or "").split())
        if not tops:
            for path in dist.files or ():
                top = path.parts[0] if len(path.parts) > 1 else path.name.split(".")[0] if path.suffix in (".py", ".so", ".pyd") else path.name
                if "." not in top:
                    tops.add(top)
        for top in tops:
            found.setdefault(top, []).append(dist.metadata["Name"])
sys.stdout.write("@@RESULT@@" + json.dumps(found))
"""


def provided_modules(python: Path) -> dict[str, list[str]]:
    """Top-level module -> the distributions installed in this environment that provide it
    (``importlib.metadata.packages_distributions()`` run there)."""
    done = run([python, "-I", "-c", PROVIDED], timeout=120)
    marker = done.stdout.rfind("@@RESULT@@")
    if marker < 0:
        raise RuntimeError(f"could not list the distributions of {python}: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout[marker + len("@@RESULT@@"):])


def tree_digest(root: Path) -> str:
    """What a tool reads of a project: every file's relative path and bytes."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def local_modules(root: Path) -> set[str]:
    found = set()
    for path in root.rglob("*"):
        if path.suffix in {".py", ".pyx", ".so"} and path.is_file():
            found.add(path.name.split(".")[0])
        elif path.is_dir() and (any(path.glob("*.py")) or any(path.glob("*.so"))):
            found.add(path.name)
    return found


@dataclass
class Imports:
    third_party: set[str]
    py2_only: set[str]
    local: set[str]
    python_notebooks: list[Path]
    cells: int = 0
    unparsed: int = 0
    unprovided: set[str] = field(default_factory=set)  # no distribution of the author env has it


def project_imports(root: Path, provided: set[str] | None = None) -> Imports:
    """The notebooks' imports outside ``try:``. A third-party import is a module that a
    distribution installed in the author environment provides (``provided``, None: any
    name that is neither standard, Python 2 only nor a file of the project); the others
    (modules a notebook writes with ``%%file``, needs the author left out) are
    ``unprovided``."""
    local = local_modules(root)
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    names: set[str] = set()
    out = Imports(set(), set(), set(), [])
    for nb in notebooks(root):
        language, cells = code_cells(nb)
        if not language.startswith("python"):
            continue
        out.python_notebooks.append(nb)
        for source in cells:
            found, parsed = cell_imports(source)
            out.cells += 1
            out.unparsed += not parsed
            names |= found
    for name in names:
        if name in PY2_ONLY:
            out.py2_only.add(name)
        elif name in local:
            out.local.add(name)
        elif name in stdlib:
            continue
        elif provided is None or name in provided:
            out.third_party.add(name)
        else:
            out.unprovided.add(name)
    return out


IMPORT_CHECK = r"""
import importlib, json, os, sys, signal
names = json.loads(sys.argv[1])
sys.path[:0] = json.loads(sys.argv[2])
os.environ.setdefault("MPLBACKEND", "Agg")
result = {}
def alarm(*_):
    raise TimeoutError("import took too long")
signal.signal(signal.SIGALRM, alarm)
for name in names:
    signal.alarm(60)
    try:
        importlib.import_module(name)
        result[name] = None
    except BaseException as error:
        result[name] = type(error).__name__ + ": " + str(error)[:200]
    finally:
        signal.alarm(0)
sys.stdout.flush()
print("\n@@RESULT@@" + json.dumps(result))
"""


def import_closure(venv: Path, names: set[str], project: Path) -> dict[str, str | None]:
    """name -> None when it imports in the venv, else the error."""
    if not names:
        return {}
    paths = sorted({str(nb.parent) for nb in notebooks(project)} | {str(project)})
    done = run([venv / "bin" / "python", "-c", IMPORT_CHECK, json.dumps(sorted(names)), json.dumps(paths)],
               timeout=900, cwd=project, env={**os.environ, "MPLBACKEND": "Agg", "PYTHONNOUSERSITE": "1"})
    marker = done.stdout.rfind("@@RESULT@@")
    if marker < 0:
        return {n: f"checker failed: {done.stderr.strip()[-200:]}" for n in names}
    return json.loads(done.stdout[marker + len("@@RESULT@@"):])


# --- executing notebooks -----------------------------------------------------------------

EXECUTE = r"""
import json, sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from jupyter_client.manager import KernelManager
python, path, cell_timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
nb = nbformat.read(path, as_version=4)
# A kernelspec of its own, so the kernel is the venv's Python and nothing else.
import os, tempfile
spec_root = tempfile.mkdtemp(prefix="rees-kernel-")
os.makedirs(os.path.join(spec_root, "kernels", "rees-bench"))
with open(os.path.join(spec_root, "kernels", "rees-bench", "kernel.json"), "w") as f:
    json.dump({"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
               "display_name": "bench", "language": "python"}, f)
os.environ["JUPYTER_PATH"] = spec_root
km = KernelManager(kernel_name="rees-bench")
client = NotebookClient(nb, km=km, kernel_name="rees-bench", timeout=cell_timeout, allow_errors=False,
                        resources={"metadata": {"path": sys.argv[4]}})
out = {"ok": True}
try:
    client.execute()
except CellTimeoutError as error:
    out = {"ok": False, "ename": "CellTimeoutError", "evalue": str(error)[:300]}
except CellExecutionError as error:
    out = {"ok": False, "ename": error.ename, "evalue": (error.evalue or "")[:300]}
except DeadKernelError as error:
    out = {"ok": False, "ename": "DeadKernelError", "evalue": str(error)[:300]}
except Exception as error:
    out = {"ok": False, "ename": type(error).__name__, "evalue": str(error)[:300]}
print("@@RESULT@@" + json.dumps(out))
"""

DATA_ERRORS = {"FileNotFoundError", "OSError", "IOError", "URLError", "HTTPError", "ConnectionError",
               "ConnectionRefusedError", "gaierror", "SSLError", "RemoteDataError", "ReadTimeout",
               "ConnectTimeout", "timeout", "ParserError", "EmptyDataError", "NoDataError"}


def classify(result: dict, imports: Imports | None = None) -> str:
    """One of: ok, missing module, timeout, data/network, python 2 code, other error."""
    if result.get("ok"):
        return "ok"
    ename, evalue = result.get("ename", ""), result.get("evalue", "")
    if ename == "InstallFailed":
        return "install failure"
    if ename in {"CellTimeoutError", "NotebookTimeout"}:
        return "timeout"
    if ename in {"ModuleNotFoundError", "ImportError"}:
        match = re.search(r"No module named '([\w.]+)'", evalue)
        name = match.group(1).split(".")[0] if match else ""
        if name in PY2_ONLY:
            return "python 2 code"
        if imports and name in imports.local | imports.unprovided:
            return "data/network"  # a local module the cell generates or the snapshot lacks
        return "missing module"
    if ename == "SyntaxError" and re.search(r"print |Missing parentheses|except \w+, \w+", evalue):
        return "python 2 code"
    if ename in DATA_ERRORS or re.search(r"No such file|not found|Errno|HTTP|urlopen|Connection|resolve", evalue, re.I):
        return "data/network"
    return "other error"


def execute(python: Path, notebook: Path) -> dict:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONNOUSERSITE": "1"}
    started = time.monotonic()
    done = run([sys.executable, "-c", EXECUTE, python, notebook, CELL_TIMEOUT, notebook.parent],
               timeout=NOTEBOOK_TIMEOUT, cwd=notebook.parent, env=env)
    seconds = time.monotonic() - started
    if done.returncode == 124:
        return {"ok": False, "ename": "NotebookTimeout", "evalue": f"over {NOTEBOOK_TIMEOUT} s", "seconds": seconds}
    marker = done.stdout.rfind("@@RESULT@@")
    if marker < 0:
        return {"ok": False, "ename": "RunnerFailed", "evalue": done.stderr.strip()[-300:], "seconds": seconds}
    return {**json.loads(done.stdout[marker + len("@@RESULT@@"):]), "seconds": seconds}


def pick_notebooks(imports: Imports, k: int) -> list[Path]:
    """The k smallest Python notebooks by code size that import something third-party."""
    sized = []
    for nb in imports.python_notebooks:
        _, cells = code_cells(nb)
        used = set()
        for source in cells:
            used |= cell_imports(source)[0]
        if used & imports.third_party:
            sized.append((sum(len(c) for c in cells), str(nb), nb))
    return [nb for *_, nb in sorted(sized)[:k]]


# --- the tools ---------------------------------------------------------------------------

def peers_venv() -> Path:
    venv = WORK / "venv-peers"
    installed, message = make_venv(venv, f"{sys.version_info[0]}.{sys.version_info[1]}", PEERS,
                                   key=digest(PEERS))
    if not installed:
        raise SystemExit(f"could not install the peers: {message}")
    return venv


def tool_env() -> dict[str, str]:
    """Our tool as a user runs it (this checkout's copy), with its cache folder (and the
    environments `verify` rebuilds) inside the benchmark's work folder; uv keeps its own
    cache, so packages downloaded once are not downloaded again."""
    uv_cache = run([uv(), "cache", "dir"], timeout=60).stdout.strip()
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(WORK / "xdg")}
    if uv_cache:
        env["UV_CACHE_DIR"] = uv_cache
    return env


def write_ours(copy: Path, author_python: Path, _peers: Path, _server: str | None) -> subprocess.CompletedProcess:
    """``jupyter rees write . --yes --python <author env>``."""
    return run([sys.executable, "-m", "jupyter_rees_ui.cli", "write", ".", "--yes", "--python", author_python],
               timeout=600, cwd=copy, env=tool_env())


def verify_ours(copy: Path, author_python: Path, chosen: list[str]) -> tuple[dict, dict | None]:
    """``jupyter rees verify . --json --python <author env>`` (with ``--run --notebook NB``
    for the notebooks the benchmark executes): (what it said, its JSON verdict)."""
    command = [sys.executable, "-m", "jupyter_rees_ui.cli", "verify", ".", "--json", "--python", author_python]
    if chosen:
        command += ["--run", "--timeout", CELL_TIMEOUT, "--total-timeout", NOTEBOOK_TIMEOUT * len(chosen)]
        for nb in chosen:
            command += ["--notebook", nb]
    started = time.monotonic()
    done = run(command, timeout=INSTALL_TIMEOUT + NOTEBOOK_TIMEOUT * len(chosen) + 300, cwd=copy, env=tool_env())
    said = {"command": "jupyter rees verify . --json" + (" --run" if chosen else "") + "".join(f" --notebook {nb!r}" for nb in chosen),
            "exit": done.returncode, "seconds": round(time.monotonic() - started, 1)}
    try:
        data = json.loads(done.stdout)
    except ValueError:
        said["summary"] = "no verdict: " + one_line((done.stderr or done.stdout)[-600:], 300)
        return said, None
    said.update(summary=data.get("summary", ""), ok=data.get("ok"), rees_fault=data.get("rees_fault"),
                install_ok=data.get("install", {}).get("ok"),
                refused=[f.get("line") or f.get("message", "")[:200] for f in data.get("install", {}).get("failures", [])],
                missing=sorted({f.get("module") or "" for n in data.get("notebooks", []) for f in n.get("failures", [])
                                if f.get("kind") == "missing-module"} - {""}),
                notes=data.get("notes", []))
    return said, data


def run_from_verdict(data: dict | None, notebook: str) -> dict:
    """A notebook's run as ``verify --run`` reported it, in the shape ``execute`` gives."""
    if data is None:
        return {"ok": False, "ename": "VerifyFailed", "evalue": "verify gave no verdict"}
    verdict = next((n for n in data.get("notebooks", []) if n.get("path") == notebook), None)
    if verdict is None or verdict.get("executed") is None:
        if not data.get("install", {}).get("ok"):
            return {"ok": False, "ename": "InstallFailed", "evalue": ""}
        return {"ok": False, "ename": "NotRun", "evalue": "; ".join(data.get("notes", []))[:300]}
    out = {"seconds": verdict.get("seconds")}
    if verdict.get("executed"):
        return {**out, "ok": True}
    failures = verdict.get("failures") or [{}]
    last = failures[-1]
    if any(f.get("kind") == "timeout" for f in failures):
        return {**out, "ok": False, "ename": "CellTimeoutError", "evalue": last.get("message", "")}
    if last.get("kind") == "missing-module":
        return {**out, "ok": False, "ename": "ModuleNotFoundError", "evalue": f"No module named '{last.get('module')}'"}
    ename, _, evalue = (last.get("message") or "").partition(": ")
    if not re.fullmatch(r"[A-Za-z_][\w.]*", ename):
        ename, evalue = "RuntimeError", last.get("message", "")
    return {**out, "ok": False, "ename": ename.rsplit(".", 1)[-1], "evalue": evalue[:300]}


def write_pipreqs(copy: Path, _author: Path, peers: Path, server: str | None) -> subprocess.CompletedProcess:
    command = [peers / "bin" / "pipreqs", "--scan-notebooks", "--force"]
    if server:
        command += ["--pypi-server", server]
    return run([*command, copy], timeout=600)


def write_pigar(copy: Path, _author: Path, peers: Path, _server: str | None) -> subprocess.CompletedProcess:
    return run([peers / "bin" / "pigar", "generate", "--auto-select", "--question-answer", "yes",
                "--dont-show-differences", "-f", copy / "requirements.txt", copy], timeout=600, cwd=copy)


WRITERS = {"ours": write_ours, "pipreqs": write_pipreqs, "pigar": write_pigar}


def rees_files(copy: Path) -> tuple[Path | None, str]:
    """(requirements file, Python version) the way repo2docker looks for them."""
    for folder in (copy / "binder", copy / ".binder", copy):
        if folder.is_dir() and any((folder / n).exists() for n in ("requirements.txt", "runtime.txt", "environment.yml")):
            runtime = folder / "runtime.txt"
            version = DEFAULT_PYTHON
            if runtime.exists():
                match = re.search(r"python-(\d\.\d+)", runtime.read_text())
                version = match.group(1) if match else version
            req = folder / "requirements.txt"
            return (req if req.exists() else None), version
    return None, DEFAULT_PYTHON


# --- one project -------------------------------------------------------------------------

@dataclass
class ToolResult:
    tool: str
    wrote: bool = False
    write_error: str = ""
    lines: list[str] = field(default_factory=list)
    python: str = ""
    installed: bool = False
    install_error: str = ""
    imports: dict[str, str | None] = field(default_factory=dict)
    runs: dict[str, dict] = field(default_factory=dict)
    verify: dict = field(default_factory=dict)  # ours: what `jupyter rees verify` said
    reused: bool = False  # peers: taken from an earlier run (same version, snapshot, inputs)
    seconds: float = 0.0


@dataclass
class ProjectResult:
    name: str
    notebooks: int = 0
    python_notebooks: int = 0
    third_party: list[str] = field(default_factory=list)
    py2_only: list[str] = field(default_factory=list)
    unprovided: list[str] = field(default_factory=list)
    unparsed_cells: int = 0
    inputs: str = ""
    author_ok: bool = False
    author_error: str = ""
    author_imports: dict[str, str | None] = field(default_factory=dict)
    author_runs: dict[str, dict] = field(default_factory=dict)
    author_reused: bool = False
    tools: dict[str, ToolResult] = field(default_factory=dict)
    seconds: float = 0.0


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def cached(name: str, key: str) -> dict | None:
    """What an earlier run kept under this name, if it was kept for the same key."""
    path = CACHE / f"{name}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("key") == key else None


def keep(name: str, key: str, data: dict) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{name}.json"
    path.with_suffix(".tmp").write_text(json.dumps({**data, "key": key}, default=str), encoding="utf-8")
    path.with_suffix(".tmp").replace(path)


@dataclass
class Options:
    tools: list[str]
    k: int
    peers: Path | None = None
    server: str | None = None
    reuse: bool = False  # the author environments' verdicts of an earlier run
    fresh_peers: bool = False


def copy_of(pristine: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(pristine, target, symlinks=True)
    return target


def run_project(project: Project, manifest: Manifest, corpus: Path, opts: Options) -> ProjectResult:
    started = time.monotonic()
    result = ProjectResult(project.name)
    source = corpus / project.name / project.subdir
    if not source.is_dir():
        result.author_error = f"not in the corpus: {source}"
        return result
    base = WORK / "runs" / project.name
    shutil.rmtree(base, ignore_errors=True)
    pristine = copy_of(source, base / "pristine")
    strip_requirements(pristine, manifest)
    result.inputs = tree_digest(pristine)

    author = WORK / "envs" / f"author-{project.name}"
    ok, message = make_venv(author, project.python, [*project.author_env, *KERNEL_PACKAGES],
                            key=digest(project.python, project.author_env, KERNEL_PACKAGES))
    result.author_ok, result.author_error = ok, "" if ok else message
    log(project.name, "author env", "ok" if ok else "FAILED " + message[-200:])
    if not ok:
        return result
    imports = project_imports(pristine, set(provided_modules(author / "bin" / "python")))
    result.notebooks = len(notebooks(pristine))
    result.python_notebooks = len(imports.python_notebooks)
    result.third_party = sorted(imports.third_party)
    result.py2_only = sorted(imports.py2_only)
    result.unprovided = sorted(imports.unprovided)
    result.unparsed_cells = imports.unparsed
    chosen = [str(nb.relative_to(pristine)) for nb in pick_notebooks(imports, opts.k)]

    # The author environment's verdicts: closure and runs (kept between runs with --reuse).
    key = digest(project.python, project.author_env, KERNEL_PACKAGES, result.inputs, CELL_TIMEOUT, NOTEBOOK_TIMEOUT)
    earlier = (cached(f"author-{project.name}", key) if opts.reuse else None) or {"imports": {}, "runs": {}}
    known_imports, known_runs = earlier["imports"], earlier["runs"]
    todo = imports.third_party - set(known_imports)
    if todo:
        known_imports.update(import_closure(author, todo, pristine))
    for nb in chosen:
        if nb not in known_runs:
            # In a copy: a notebook writes files (%%file modules, outputs) the tools must not see.
            run_copy = base / "author" if (base / "author").is_dir() else copy_of(pristine, base / "author")
            known_runs[nb] = execute(author / "bin" / "python", run_copy / nb)
    result.author_reused = not todo and all(nb in earlier["runs"] for nb in chosen) and bool(earlier.get("key"))
    keep(f"author-{project.name}", key, {"imports": known_imports, "runs": known_runs})
    result.author_imports = {n: known_imports[n] for n in result.third_party}
    result.author_runs = {nb: known_runs[nb] for nb in chosen}

    for tool in opts.tools:
        if tool == "ours":
            result.tools[tool] = run_ours(project, result, pristine, base, author, chosen)
        else:
            result.tools.update(run_peer(tool, project, result, pristine, base, author, chosen, opts))
    result.seconds = time.monotonic() - started
    log(project.name, f"done in {result.seconds:.0f} s")
    return result


def install_and_measure(tr: ToolResult, req: Path, venv: Path, names: list[str], project_copy: Path) -> None:
    """The yardstick: the REES installed by this benchmark (one transaction, as Binder does)
    and every third-party import tried in it."""
    tr.installed, message = make_venv(venv, tr.python, req, key=digest(tr.python, req.read_text()))
    tr.install_error = "" if tr.installed else message
    if not tr.installed:
        # What Binder gives after a failed build: nothing. The empty venv of that Python
        # stands in, so the closure counts only what the standard library has.
        make_venv(venv, tr.python, [], key="empty")
    tr.imports = import_closure(venv, set(names), project_copy)


def read_lines(req: Path) -> list[str]:
    return [line.strip() for line in req.read_text().splitlines() if line.strip() and not line.strip().startswith("#")]


def run_ours(project: Project, result: ProjectResult, pristine: Path, base: Path, author: Path,
             chosen: list[str]) -> ToolResult:
    """Written and judged as a user would (``jupyter rees write`` then ``jupyter rees
    verify``), measured by the benchmark itself (install, closure) beside."""
    started = time.monotonic()
    tr = ToolResult("ours")
    copy = copy_of(pristine, base / "ours")
    done = write_ours(copy, author / "bin" / "python", None, None)
    req, tr.python = rees_files(copy)
    tr.wrote = req is not None
    if not tr.wrote:
        tr.write_error = f"exit {done.returncode}: " + (done.stderr or done.stdout).strip()[-600:]
        log(project.name, "ours", "wrote nothing", tr.write_error[-200:])
        return tr
    tr.lines = read_lines(req)
    # verify runs notebooks in a temporary copy of its own; the folder is left as written.
    tr.verify, data = verify_ours(copy, author / "bin" / "python", chosen)
    if data is None:  # verify itself failed: said in the report; once more
        log(project.name, "ours", "verify gave no verdict:", tr.verify["summary"][-300:])
        first = tr.verify
        tr.verify, data = verify_ours(copy, author / "bin" / "python", chosen)
        tr.verify["first_try"] = first
    venv = WORK / "envs" / f"ours-{project.name}"
    install_and_measure(tr, req, venv, result.third_party, copy)
    if data is not None:
        tr.runs = {nb: run_from_verdict(data, nb) for nb in chosen}
    elif tr.installed and chosen and add_kernel(venv):  # no verdict twice: the benchmark runs them itself
        tr.runs = {nb: execute(venv / "bin" / "python", copy / nb) for nb in chosen}
    tr.seconds = round(time.monotonic() - started, 1)
    log(project.name, "ours", f"python {tr.python}", f"{len(tr.lines)} lines",
        "installed" if tr.installed else "INSTALL FAILED " + tr.install_error[-300:],
        f"| verify exit {tr.verify.get('exit')}: {tr.verify.get('summary', '')[:200]}")
    return tr


def run_peer(tool: str, project: Project, result: ProjectResult, pristine: Path, base: Path, author: Path,
             chosen: list[str], opts: Options) -> dict[str, ToolResult]:
    """A peer's REES, and the same file on the author's Python (as if its user had added a
    runtime.txt). Reused from an earlier run when the peer's version, the corpus snapshot
    and the peer's inputs (the stripped project's files) are the same."""
    started = time.monotonic()
    key = digest(PEERS, tool, project.commit, result.inputs, DEFAULT_PYTHON, project.python,
                 CELL_TIMEOUT, NOTEBOOK_TIMEOUT, opts.server if tool == "pipreqs" else None)
    name = f"{tool}-{project.name}"
    earlier = None if opts.fresh_peers else cached(name, key)
    if earlier is not None:
        out = {t: ToolResult(**raw) for t, raw in earlier["results"].items()}
        main_result = out[tool]
        for tr in out.values():
            venv = WORK / "envs" / (name if tr.tool == tool else f"{tool}-runtime-{project.name}")
            missing = set(result.third_party) - set(tr.imports)
            if missing and (venv / "bin" / "python").exists():
                tr.imports.update(import_closure(venv, missing, pristine))
            elif missing:
                earlier = None  # the measurement cannot be completed: run the peer again
            tr.imports = {n: tr.imports[n] for n in result.third_party if n in tr.imports}
        missing_runs = [nb for nb in chosen if nb not in main_result.runs]
        if earlier is not None and missing_runs and main_result.installed:
            venv = WORK / "envs" / name
            copy = base / tool if (base / tool).is_dir() else copy_of(pristine, base / tool)
            if add_kernel(venv):
                for nb in missing_runs:
                    main_result.runs[nb] = execute(venv / "bin" / "python", copy / nb)
        if earlier is not None:
            main_result.runs = {nb: main_result.runs[nb] for nb in chosen if nb in main_result.runs}
            for tr in out.values():
                tr.reused = True
            keep(name, key, {"results": {t: asdict_tool(tr) for t, tr in out.items()}})
            log(project.name, tool, "reused from an earlier run")
            return out
    tr = ToolResult(tool)
    copy = copy_of(pristine, base / tool)
    done = WRITERS[tool](copy, author / "bin" / "python", opts.peers, opts.server)
    req, tr.python = rees_files(copy)
    tr.wrote = req is not None
    out = {tool: tr}
    if not tr.wrote:
        tr.write_error = f"exit {done.returncode}: " + (done.stderr or done.stdout).strip()[-600:]
        log(project.name, tool, "wrote nothing", tr.write_error[-200:])
    else:
        tr.lines = read_lines(req)
        install_and_measure(tr, req, WORK / "envs" / name, result.third_party, copy)
        log(project.name, tool, f"python {tr.python}", f"{len(tr.lines)} lines",
            "installed" if tr.installed else "INSTALL FAILED " + tr.install_error[-300:])
        if tr.installed and chosen and add_kernel(WORK / "envs" / name):
            for nb in chosen:
                tr.runs[nb] = execute(WORK / "envs" / name / "bin" / "python", copy / nb)
        # The same file on the author's Python: do its lines install when the Python is right?
        again = ToolResult(tool + RUNTIME_SUFFIX, wrote=True, lines=tr.lines, python=project.python)
        install_and_measure(again, req, WORK / "envs" / f"{tool}-runtime-{project.name}", result.third_party, copy)
        out[again.tool] = again
    tr.seconds = round(time.monotonic() - started, 1)
    keep(name, key, {"results": {t: asdict_tool(x) for t, x in out.items()}})
    return out


def asdict_tool(tr: ToolResult) -> dict:
    from dataclasses import asdict

    return asdict(tr)


# --- figures -----------------------------------------------------------------------------

@dataclass
class Figures:
    projects: int = 0
    wrote: int = 0
    installed: int = 0
    imports: int = 0
    resolved: int = 0
    runs: int = 0
    ran: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    fault: int = 0  # notebooks failing for a reason that is the REES's fault

    @property
    def closure(self) -> float:
        return self.resolved / self.imports if self.imports else 1.0


def rees_fault(author_run: dict | None, run_: dict, cls: str, usable: set[str] = frozenset()) -> bool:
    """A failure is the REES's fault when the install failed, when a module that imports in
    the author environment is missing, or when the notebook ran in the author environment
    and fails in the rebuilt one with an error (a timeout, a data file or a download is
    no REES's doing)."""
    if cls == "install failure":
        return True
    if cls == "missing module":
        match = re.search(r"No module named '([\w.]+)'", run_.get("evalue", ""))
        if match and match.group(1).split(".")[0] in usable:
            return True
    return bool(author_run and author_run.get("ok")) and cls in {"missing module", "other error"}


def figures(results: list[ProjectResult], tool: str | None) -> Figures:
    """Totals for one tool (None: the author environments themselves)."""
    f = Figures()
    for r in results:
        if not r.author_ok:
            continue
        f.projects += 1
        if tool is None:
            f.wrote += 1
            f.installed += 1
            imports, runs = r.author_imports, r.author_runs
        else:
            tr = r.tools.get(tool)
            if tr is None:
                if tool.endswith(RUNTIME_SUFFIX) and tool[: -len(RUNTIME_SUFFIX)] in r.tools:
                    f.projects -= 1  # not part of that pass: leave the project out of the row
                continue
            f.wrote += tr.wrote
            f.installed += tr.installed
            imports = tr.imports if tr.wrote else {n: "nothing written" for n in r.third_party}
            runs = {} if tool.endswith(RUNTIME_SUFFIX) else {
                nb: tr.runs.get(nb, {"ok": False, "ename": "InstallFailed", "evalue": ""}) for nb in r.author_runs}
        # Only imports that work in the author environment count: one that fails there too
        # (a module nobody provides, a broken release) is no REES's to fix.
        usable = {n for n, e in r.author_imports.items() if e is None}
        f.imports += sum(1 for n in imports if n in usable)
        f.resolved += sum(1 for n, e in imports.items() if e is None and n in usable)
        for nb, res in runs.items():
            f.runs += 1
            cls = classify(res)
            f.ran += cls == "ok"
            f.classes[cls] = f.classes.get(cls, 0) + 1
            if tool is not None and cls != "ok":
                f.fault += rees_fault(r.author_runs.get(nb), res, cls, usable)
    return f


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f} %" if b else "–"


def render_table(all_figures: dict[str, Figures]) -> str:
    lines = [
        "| REES written by | projects written | installs that succeed | import closure | notebooks that execute | failing for the REES's fault |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for tool, f in all_figures.items():
        label = "author environment (baseline)" if tool == "author" else tool
        runs = f"{f.ran}/{f.runs}" if f.runs else "not run"
        fault = "–" if tool == "author" or not f.runs else f.fault
        lines.append(f"| {label} | {f.wrote}/{f.projects} | {f.installed}/{f.projects} ({pct(f.installed, f.projects)}) | "
                     f"{f.resolved}/{f.imports} ({pct(f.resolved, f.imports)}) | {runs} | {fault} |")
    return "\n".join(lines)


def render_classes(all_figures: dict[str, Figures]) -> str:
    classes = ["ok", "install failure", "missing module", "timeout", "data/network", "python 2 code", "other error"]
    lines = ["| environment | " + " | ".join(classes) + " |", "|---|" + "---:|" * len(classes)]
    for tool, f in all_figures.items():
        label = "author environment" if tool == "author" else tool
        lines.append(f"| {label} | " + " | ".join(str(f.classes.get(c, 0)) for c in classes) + " |")
    return "\n".join(lines)


def report(results: list[ProjectResult], manifest: Manifest, tools: list[str], k: int, elapsed: float,
           commit: str = "") -> str:
    all_figures = {"author": figures(results, None), **{t: figures(results, t) for t in tools}}
    tools = [t for t in tools if not t.endswith(RUNTIME_SUFFIX)]  # the extra rows are in the tables only
    nbs = sum(r.notebooks for r in results)
    commit = commit or run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]).stdout.strip()
    out = [
        "# Reproduction: does the REES rebuild the notebooks' environment?",
        "",
        "Written by `benchmarks/reproduce_benchmark.py --write` (corpus: `reproduce_corpus.json`);",
        "rerun it to refresh.",
        "",
        f"{len(results)} public notebook projects ({nbs} notebooks), requirement files removed. "
        f"Our tool at commit {commit}; peers {', '.join(PEERS)}; {os.cpu_count()} cores; "
        + (f"{elapsed / 60:.0f} min for the whole run." if elapsed else "Rendered from the raw results of a run."),
        "",
        render_table(all_figures),
        "",
        "Our column is what a user runs: `jupyter rees write . --yes --python <author environment>`,"
        " then `jupyter rees verify . --json` (with `--run --notebook NB` for the notebooks executed"
        " here; its verdict per project is below). Installs and import closure are measured by this"
        " benchmark itself, for every column alike: the requirements file installed with"
        " `uv pip install -r` as one transaction, then each import tried in it.",
        "",
        "Import closure: modules the notebooks import (per project, outside `try:`) that a"
        " distribution installed in the author environment provides"
        " (`importlib.metadata.packages_distributions()` there) and that import there, imported in"
        " the rebuilt environment; a failed install leaves only the standard library, as a failed"
        " Binder build leaves nothing. Project files and modules a notebook writes itself"
        " (`%%file`, `%%writefile`) are not third-party; imports no distribution of the author"
        " environment provides are listed apart, not counted."
        f" Execution: up to {k} notebooks per project"
        f" (the smallest that import a third-party module), {CELL_TIMEOUT} s per cell,"
        f" {NOTEBOOK_TIMEOUT} s per notebook.",
        "",
        *reuse_note(results, tools),
        *python_version_note(results, tools),
        "## Why notebooks did not execute",
        "",
        render_classes(all_figures),
        "",
        "A failure is the REES's fault when the install failed, a module that imports in the author",
        "environment is missing, or the notebook ran in the author environment and fails in the",
        "rebuilt one. Data/network: a data file",
        "absent from the snapshot or a download this machine cannot make.",
        "",
        "## Per project",
        "",
        "| project | Python (author) | third-party imports | " + " | ".join(
            f"{t}: Python, lines, install, closure" for t in tools) + " |",
        "|---|---|---:|" + "---|" * len(tools),
    ]
    for r in results:
        cells = []
        for t in tools:
            tr = r.tools.get(t)
            if tr is None or not r.author_ok:
                cells.append("–")
            elif not tr.wrote:
                cells.append("wrote nothing")
            else:
                ok = sum(1 for e in tr.imports.values() if e is None)
                cells.append(f"{tr.python}, {len(tr.lines)}, {'ok' if tr.installed else '**failed**'}, "
                             f"{ok}/{len(tr.imports)}")
        project = next(p for p in manifest.projects if p.name == r.name)
        out.append(f"| [{r.name}]({project.url}) | {project.python} | {len(r.third_party)} | " + " | ".join(cells) + " |")
    if "ours" in tools:
        out += ["", *verify_section(results)]
    out += ["", "## What failed", ""]
    for t in tools:
        out.append(f"### {t}")
        out.append("")
        any_ = False
        for r in results:
            tr = r.tools.get(t)
            if not tr or not r.author_ok:
                continue
            if not tr.wrote:
                out.append(f"- {r.name}: wrote nothing ({one_line(tr.write_error)})")
                any_ = True
                continue
            if not tr.installed:
                out.append(f"- {r.name}: install failed: {one_line(tr.install_error)}")
                any_ = True
            elif missing := sorted(n for n, e in tr.imports.items() if e is not None):
                out.append(f"- {r.name}: imports that fail: " + ", ".join(
                    f"`{n}` ({one_line(tr.imports[n], 80)}"
                    + ("; fails in the author environment too, not counted)" if r.author_imports.get(n) else ")")
                    for n in missing))
                any_ = True
            for nb, res in tr.runs.items():
                cls = classify(res)
                if cls != "ok":
                    author = classify(r.author_runs.get(nb, {}))
                    out.append(f"- {r.name}/{nb}: {cls} ({res.get('ename')}: {one_line(res.get('evalue', ''), 100)});"
                               f" in the author environment: {author}")
                    any_ = True
        if not any_:
            out.append("- nothing")
        out.append("")
    unprovided = [r for r in results if r.unprovided]
    if unprovided:
        out += ["## Imports no distribution of the author environment provides", "",
                "Not counted in the closure: project modules the notebooks generate, and needs the"
                " author environment leaves out (see its notes).", ""]
        out += [f"- {r.name}: " + ", ".join(f"`{n}`" for n in r.unprovided) for r in unprovided]
        out.append("")
    out += ["## Author environments", "",
            "What each project's author-like environment installs (manifest `author_env`), and notes.",
            ""]
    for p in manifest.projects:
        r = next((x for x in results if x.name == p.name), None)
        state = "" if r is None or r.author_ok else f" **Could not build:** {one_line(r.author_error)}"
        out.append(f"- **{p.name}** (Python {p.python}): {', '.join(p.author_env)}. {p.notes}{state}")
    out += ["", "## Caveats", "",
            "- Installs use `uv pip install -r` (one transaction, like Binder's `pip install -r`;",
            "  uv resolves faster and shares a cache); the kernel package is added afterwards,",
            "  outside the verdict, as Binder's image already has one.",
            "- Peers write no runtime.txt, so their REES gets repo2docker's default Python"
            f" ({DEFAULT_PYTHON}); pipreqs pins the newest release on the index, pigar pins what its",
            "  own venv has or the newest release.",
            f"- The rows \"{RUNTIME_SUFFIX.strip(' +')}\" install the peers' files again on the author's Python,"
            "  as if their user had added a runtime.txt (imports only, over the projects where the peer",
            "  wrote a file).",
            "- The author-like environments are reconstructions (stated needs, relaxed where they",
            "  cannot install today); notebooks that failed there too are not counted against a REES.",
            "- Python 2 notebooks run on a Python 3 author environment here (uv makes no Python 2",
            "  venvs); their Python-2-only imports are left out of the closure and reported apart.",
            ""]
    return "\n".join(out) + "\n"


def reuse_note(results: list[ProjectResult], tools: list[str]) -> list[str]:
    """Which measurements were taken from an earlier run."""
    parts = []
    for t in tools:
        if t == "ours":
            continue
        done = [r for r in results if t in r.tools and r.author_ok]
        reused = sum(1 for r in done if r.tools[t].reused)
        if done:
            parts.append(f"{t} {reused} of {len(done)}")
    author = sum(1 for r in results if r.author_reused)
    lines = []
    if parts:
        lines.append("Peers' results reused from an earlier run (same peer version, corpus snapshot and"
                     " inputs: the stripped project's files), rerun otherwise or with `--fresh-peers`: "
                     + ", ".join(parts) + " projects.")
    if author:
        lines.append(f"Author environments' verdicts (imports, runs) reused from an earlier run (`--reuse`)"
                     f" for {author} of {len(results)} projects; ours is always written and verified afresh.")
    return [" ".join(lines), ""] if lines else []


def agrees(r: ProjectResult) -> tuple[bool, bool]:
    """(verify found the REES at fault, the benchmark's own measurement did)."""
    tr = r.tools["ours"]
    usable = {n for n, e in r.author_imports.items() if e is None}
    measured = (not tr.installed or any(e is not None for n, e in tr.imports.items() if n in usable)
                or any(rees_fault(r.author_runs.get(nb), res, classify(res), usable)
                       for nb, res in tr.runs.items() if not res.get("ok")))
    return bool(tr.verify.get("exit") == 1), bool(measured)


def verify_section(results: list[ProjectResult]) -> list[str]:
    """What `jupyter rees verify` said about our REES, beside the benchmark's own measurement."""
    rows = [r for r in results if r.author_ok and "ours" in r.tools and r.tools["ours"].wrote]
    if not rows:
        return []
    same = sum(1 for r in rows if agrees(r)[0] == agrees(r)[1])
    exits: dict[object, int] = {}
    for r in rows:
        code = r.tools["ours"].verify.get("exit")
        exits[code] = exits.get(code, 0) + 1
    out = ["## Ours, judged by `jupyter rees verify`", "",
           "Exit codes: " + ", ".join(f"{n} × exit {c}" for c, n in sorted(exits.items(), key=lambda i: str(i[0]))) + "."
           f" Its verdict (exit 1: the REES is at fault) agrees with the benchmark's own measurement (install, closure,"
           f" runs against the author environment) on {same} of {len(rows)} projects.", "",
           "| project | verify exit | its summary | the benchmark's own verdict |", "|---|---:|---|---|"]
    for r in rows:
        tr = r.tools["ours"]
        said, measured = agrees(r)
        own = "at fault" if measured else "fine"
        flag = "" if said == measured else " **(disagrees)**"
        summary = one_line(tr.verify.get("summary", ""), 160)
        if tr.verify.get("first_try"):
            summary += f" (a first try gave no verdict: {one_line(tr.verify['first_try'].get('summary', ''), 120)})"
        out.append(f"| {r.name} | {tr.verify.get('exit', '–')} | {summary} | {own}{flag} |")
    return out


def python_version_note(results: list[ProjectResult], tools: list[str]) -> list[str]:
    """How many failed installs fail only because a pin needs a newer Python than the REES's."""
    parts = []
    for t in tools:
        failed = [r.tools[t] for r in results if t in r.tools and r.tools[t].wrote and not r.tools[t].installed]
        by_python = sum(1 for tr in failed if re.search(r"does not satisfy Python|requires-python|Requires-Python", tr.install_error))
        if failed:
            parts.append(f"{t}: {by_python} of {len(failed)} failed installs fail on a pin that needs a newer Python"
                         f" than the REES's ({DEFAULT_PYTHON} when it has no runtime.txt)")
    return (["; ".join(parts) + ".", ""]) if parts else []


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split()).replace("|", "/").replace(str(REPO), "<checkout>")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with one checkout per project")
    parser.add_argument("--projects", nargs="*", help="only these projects (names from the manifest)")
    parser.add_argument("--tools", nargs="*", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--jobs", type=int, default=3, help="projects at a time")
    parser.add_argument("--run-per-project", type=int, default=1, help="notebooks executed per project (0: none)")
    parser.add_argument("--pipreqs-server", help="pipreqs --pypi-server (when its default host does not resolve)")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-reproduce.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here (JSON lines, one per finished project)")
    parser.add_argument("--report", type=Path, help="only render the report from raw results (--json) of a run")
    parser.add_argument("--commit", default="", help="with --report: the commit the run measured")
    parser.add_argument("--elapsed", type=float, default=0.0, help="with --report: the run's minutes")
    parser.add_argument("--reuse", action="store_true", help="take the author environments' verdicts (imports, "
                        "runs) from an earlier run when the environment and the project's files are unchanged")
    parser.add_argument("--fresh-peers", action="store_true", help="run pipreqs and pigar again even when an earlier "
                        "run measured the same peer version on the same files")
    args = parser.parse_args(argv)
    try:
        manifest = load_manifest()
    except (OSError, ValueError) as error:
        print(f"reproduce_corpus.json: {error}", file=sys.stderr)
        return 2
    if not args.corpus.is_dir():
        print(f"--corpus {args.corpus}: not a folder", file=sys.stderr)
        return 2
    unknown = sorted(set(args.projects or ()) - {p.name for p in manifest.projects})
    if unknown:
        print(f"--projects: not in the manifest: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = [p for p in manifest.projects if not args.projects or p.name in args.projects]
    order = {p.name: i for i, p in enumerate(manifest.projects)}
    if args.report:
        results = [result_from_dict(json.loads(line)) for line in args.report.read_text().splitlines() if line]
        results.sort(key=lambda r: order.get(r.name, len(order)))
        tools = [t for t in [*args.tools, *(t + RUNTIME_SUFFIX for t in args.tools)] if any(t in r.tools for r in results)]
        text = report(results, manifest, tools, args.run_per_project, args.elapsed * 60, args.commit)
        print(text)
        if args.write:
            (HERE / "RESULTS-reproduce.md").write_text(text, encoding="utf-8")
        return 0
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    opts = Options(list(args.tools), args.run_per_project, server=args.pipreqs_server, reuse=args.reuse,
                   fresh_peers=args.fresh_peers)
    if set(args.tools) - {"ours"}:
        opts.peers = peers_venv()
    # Longest first (as the last run timed them), so the run ends with short projects.
    timing = (cached("timing", "seconds") or {}).get("projects", {})
    chosen.sort(key=lambda p: -timing.get(p.name, 10_000))

    def one(project: Project) -> ProjectResult:
        result = run_project(project, manifest, args.corpus, opts)
        if args.json:  # one line per finished project, so an interrupted run keeps what it measured
            with args.json.open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict_result(result), default=str) + "\n")
        return result

    if args.json:
        args.json.write_text("")
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, chosen))
    timing.update({r.name: round(r.seconds) for r in results if r.seconds})
    keep("timing", "seconds", {"projects": timing})
    results.sort(key=lambda r: order[r.name])
    elapsed = time.monotonic() - started
    tools = [t for t in [*args.tools, *(t + RUNTIME_SUFFIX for t in args.tools)] if any(t in r.tools for r in results)]
    text = report(results, manifest, tools, args.run_per_project, elapsed)
    print(text)
    if args.write:
        (HERE / "RESULTS-reproduce.md").write_text(text, encoding="utf-8")
    return 0


def result_from_dict(data: dict) -> ProjectResult:
    tools = {name: ToolResult(**raw) for name, raw in data.pop("tools", {}).items()}
    known = set(ProjectResult.__dataclass_fields__)
    return ProjectResult(**{k: v for k, v in data.items() if k in known}, tools=tools)


def asdict_result(result: ProjectResult) -> dict:
    from dataclasses import asdict

    return asdict(result)


if __name__ == "__main__":
    sys.exit(main())
