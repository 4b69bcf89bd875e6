"""Does the REES we write rebuild the notebooks' environment? Real projects, like Binder.

    python benchmarks/reproduce_benchmark.py --corpus DIR [--write] [--jobs N]
        [--projects NAME ...] [--tools ours pipreqs pigar] [--run-per-project K]
        [--pipreqs-server URL]

For each public project listed in ``reproduce_corpus.json`` (fetched into ``--corpus DIR``
by whoever runs this: ``git clone URL DIR/NAME && git -C DIR/NAME checkout COMMIT``):

1. **Author-like environment**: a venv of the project's Python with what its author
   needed installed (``author_env`` in the manifest: the stated requirement lines,
   relaxed only where they cannot install, plus what the imports show was needed).
2. A copy of the project with every requirement file removed (``remove_anywhere``,
   ``remove_at_root``), then each tool writes its REES:
   - ours: ``jupyter rees write COPY --yes --python <author env python>``;
   - pipreqs: ``pipreqs --scan-notebooks COPY`` (writes COPY/requirements.txt);
   - pigar: ``pigar generate --auto-select ... COPY`` (writes COPY/requirements.txt).
3. **As a stranger**: a fresh venv of the REES's Python (``runtime.txt``; none: 3.10,
   repo2docker's default), ``install -r requirements.txt`` as one transaction (as Binder
   does: one bad line fails the build), then:
   - **import closure**: every third-party module the notebooks import (found with
     ``ast`` on each code cell after IPython's own magic transform; stdlib, Python-2-only
     and project-local modules left out; imports inside ``try:`` are optional and left
     out) is imported in the new environment, one subprocess per project;
   - **execution** of up to K notebooks per project (the smallest by code size) with
     nbclient, per-cell and per-notebook timeouts, in the author environment and in the
     rebuilt one. Failures are classed: missing module / install failure (the REES's
     fault), timeout, data or network (unrelated), Python 2 code, and other errors; a
     notebook counts against a REES only if it ran in the author environment and fails in
     the rebuilt one, or fails there on a missing module.

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


def project_imports(root: Path) -> Imports:
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
        elif name not in stdlib:
            out.third_party.add(name)
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
    if ename in {"CellTimeoutError", "NotebookTimeout"}:
        return "timeout"
    if ename in {"ModuleNotFoundError", "ImportError"}:
        match = re.search(r"No module named '([\w.]+)'", evalue)
        name = match.group(1).split(".")[0] if match else ""
        if name in PY2_ONLY:
            return "python 2 code"
        if imports and name in imports.local:
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


def write_ours(copy: Path, author_python: Path, _peers: Path, _server: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return run([sys.executable, "-m", "jupyter_rees_ui.cli", "write", copy, "--yes", "--python", author_python],
               timeout=600, cwd=REPO, env=env)


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


@dataclass
class ProjectResult:
    name: str
    notebooks: int = 0
    python_notebooks: int = 0
    third_party: list[str] = field(default_factory=list)
    py2_only: list[str] = field(default_factory=list)
    unparsed_cells: int = 0
    author_ok: bool = False
    author_error: str = ""
    author_imports: dict[str, str | None] = field(default_factory=dict)
    author_runs: dict[str, dict] = field(default_factory=dict)
    tools: dict[str, ToolResult] = field(default_factory=dict)
    seconds: float = 0.0


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def run_project(project: Project, manifest: Manifest, corpus: Path, tools: list[str], k: int,
                peers: Path | None, server: str | None, reuse: dict | None = None) -> ProjectResult:
    started = time.monotonic()
    result = ProjectResult(project.name)
    source = corpus / project.name / project.subdir
    if not source.is_dir():
        result.author_error = f"not in the corpus: {source}"
        return result
    base = WORK / "runs" / project.name
    shutil.rmtree(base, ignore_errors=True)
    pristine = base / "pristine"
    shutil.copytree(source, pristine, symlinks=True)
    strip_requirements(pristine, manifest)
    imports = project_imports(pristine)
    result.notebooks = len(notebooks(pristine))
    result.python_notebooks = len(imports.python_notebooks)
    result.third_party = sorted(imports.third_party)
    result.py2_only = sorted(imports.py2_only)
    result.unparsed_cells = imports.unparsed
    chosen = pick_notebooks(imports, k)

    author = WORK / "envs" / f"author-{project.name}"
    ok, message = make_venv(author, project.python, [*project.author_env, *KERNEL_PACKAGES],
                            key=digest(project.python, project.author_env, KERNEL_PACKAGES))
    result.author_ok, result.author_error = ok, "" if ok else message
    log(project.name, "author env", "ok" if ok else "FAILED " + message[-200:])
    if not ok:
        return result
    earlier = (reuse or {}).get(project.name)
    if earlier and earlier.get("author_ok") and earlier.get("third_party") == result.third_party and \
            sorted(earlier.get("author_runs", {})) == sorted(str(nb.relative_to(pristine)) for nb in chosen):
        # The author environment does not change between runs: its verdicts are reused.
        result.author_imports, result.author_runs = earlier["author_imports"], earlier["author_runs"]
    else:
        result.author_imports = import_closure(author, imports.third_party, pristine)
        for nb in chosen:
            result.author_runs[str(nb.relative_to(pristine))] = execute(author / "bin" / "python", nb)

    for tool in tools:
        tr = ToolResult(tool)
        result.tools[tool] = tr
        copy = base / tool
        shutil.copytree(pristine, copy, symlinks=True)
        done = WRITERS[tool](copy, author / "bin" / "python", peers, server)
        req, tr.python = rees_files(copy)
        tr.wrote = req is not None
        if not tr.wrote:
            tr.write_error = f"exit {done.returncode}: " + (done.stderr or done.stdout).strip()[-600:]
            log(project.name, tool, "wrote nothing", tr.write_error[-200:])
            continue
        tr.lines = [line.strip() for line in req.read_text().splitlines()
                    if line.strip() and not line.strip().startswith("#")]
        venv = WORK / "envs" / f"{tool}-{project.name}"
        tr.installed, message = make_venv(venv, tr.python, req, key=digest(tr.python, req.read_text()))
        tr.install_error = "" if tr.installed else message
        log(project.name, tool, f"python {tr.python}", f"{len(tr.lines)} lines",
            "installed" if tr.installed else "INSTALL FAILED " + message[-300:])
        if not tr.installed:
            # What Binder gives after a failed build: nothing. The empty venv of that Python
            # stands in, so the closure counts only what the standard library has.
            make_venv(venv, tr.python, [], key="empty")
        tr.imports = import_closure(venv, imports.third_party, copy)
        if tr.installed and chosen and add_kernel(venv):
            for nb in chosen:
                rel = nb.relative_to(pristine)
                tr.runs[str(rel)] = execute(venv / "bin" / "python", copy / rel)
    result.seconds = time.monotonic() - started
    log(project.name, f"done in {result.seconds:.0f} s")
    return result


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
    and fails in the rebuilt one."""
    if cls == "install failure":
        return True
    if cls == "missing module":
        match = re.search(r"No module named '([\w.]+)'", run_.get("evalue", ""))
        if match and match.group(1).split(".")[0] in usable:
            return True
    return bool(author_run and author_run.get("ok")) and not run_.get("ok")


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
            cls = "install failure" if res.get("ename") == "InstallFailed" else classify(res)
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
        f"Import closure: third-party modules the notebooks import (per project, outside `try:`)"
        f" that import in the author environment, imported in the rebuilt one; a failed install"
        f" leaves only the standard library,"
        f" as a failed Binder build leaves nothing. Execution: up to {k} notebooks per project"
        f" (the smallest that import a third-party module), {CELL_TIMEOUT} s per cell,"
        f" {NOTEBOOK_TIMEOUT} s per notebook.",
        "",
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
                    f"`{n}` ({one_line(tr.imports[n], 80)})" for n in missing))
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
            "  as if their user had added a runtime.txt (imports only, over the projects that pass covered",
            "  where the peer wrote a file).",
            "- The author-like environments are reconstructions (stated needs, relaxed where they",
            "  cannot install today); notebooks that failed there too are not counted against a REES.",
            "- Python 2 notebooks run on a Python 3 author environment here (uv makes no Python 2",
            "  venvs); their Python-2-only imports are left out of the closure and reported apart.",
            ""]
    return "\n".join(out) + "\n"


def runtime_pass(done: list[ProjectResult], manifest: Manifest, jobs: int) -> list[ProjectResult]:
    """Peers' requirements again, on the author's Python, as if their user had added a
    runtime.txt: do their lines install when the Python is right?"""
    projects = {p.name: p for p in manifest.projects}

    def one(r: ProjectResult) -> ProjectResult:
        extra = ProjectResult(r.name)
        for tool, tr in r.tools.items():
            if tool == "ours" or tool.endswith(RUNTIME_SUFFIX) or not tr.wrote or not r.author_ok:
                continue
            copy = WORK / "runs" / r.name / tool
            req, _ = rees_files(copy)
            python = projects[r.name].python
            out = ToolResult(tool + RUNTIME_SUFFIX, wrote=True, lines=tr.lines, python=python)
            venv = WORK / "envs" / f"{tool}-runtime-{r.name}"
            out.installed, message = make_venv(venv, python, req, key=digest(python, req.read_text()))
            out.install_error = "" if out.installed else message
            if not out.installed:
                make_venv(venv, python, [], key="empty")
            out.imports = import_closure(venv, set(r.third_party), copy)
            extra.tools[out.tool] = out
            log(r.name, out.tool, "installed" if out.installed else "INSTALL FAILED " + message[-200:])
        return extra

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, done))


def merge(results: list[ProjectResult], extras: list[ProjectResult]) -> None:
    by_name = {r.name: r for r in results}
    for extra in extras:
        if extra.name in by_name:
            by_name[extra.name].tools.update(extra.tools)


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
    parser.add_argument("--json", type=Path, help="also write the raw results here (JSON lines)")
    parser.add_argument("--report", type=Path, help="only render the report from raw results (--json) of a run")
    parser.add_argument("--runtime-pass", type=Path, help="with --report: install the peers' requirements again on "
                        "the author's Python and write those results here (JSON lines)")
    parser.add_argument("--runtime-results", type=Path, help="with --report: results of a --runtime-pass to show too")
    parser.add_argument("--commit", default="", help="with --report: the commit the run measured")
    parser.add_argument("--elapsed", type=float, default=0.0, help="with --report: the run's minutes")
    parser.add_argument("--reuse", type=Path, help="raw results of an earlier run (--json): the author "
                        "environments' verdicts are taken from it instead of being executed again")
    args = parser.parse_args(argv)
    try:
        manifest = load_manifest()
    except (OSError, ValueError) as error:
        print(f"reproduce_corpus.json: {error}", file=sys.stderr)
        return 2
    if not args.corpus.is_dir():
        print(f"--corpus {args.corpus}: not a folder", file=sys.stderr)
        return 2
    chosen = [p for p in manifest.projects if not args.projects or p.name in args.projects]
    if args.report:
        results = [result_from_dict(json.loads(line)) for line in args.report.read_text().splitlines() if line]
        if args.runtime_pass:
            extras = runtime_pass(results, manifest, args.jobs)
            args.runtime_pass.write_text("".join(json.dumps(asdict_result(e), default=str) + "\n" for e in extras))
        if args.runtime_results:
            merge(results, [result_from_dict(json.loads(line)) for line in args.runtime_results.read_text().splitlines() if line])
        order = {p.name: i for i, p in enumerate(manifest.projects)}
        results.sort(key=lambda r: order.get(r.name, len(order)))
        tools = [t for t in [*args.tools, *(t + RUNTIME_SUFFIX for t in args.tools)] if any(t in r.tools for r in results)]
        text = report(results, manifest, tools, args.run_per_project, args.elapsed * 60, args.commit)
        print(text)
        if args.write:
            (HERE / "RESULTS-reproduce.md").write_text(text, encoding="utf-8")
        return 0
    reuse = {r["name"]: r for r in map(json.loads, args.reuse.read_text().splitlines()) if r} if args.reuse else None
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    peers = peers_venv() if set(args.tools) - {"ours"} else None
    def one(project: Project) -> ProjectResult:
        result = run_project(project, manifest, args.corpus, args.tools, args.run_per_project,
                             peers, args.pipreqs_server, reuse)
        if args.json:  # one line per finished project, so an interrupted run keeps what it measured
            with args.json.open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict_result(result), default=str) + "\n")
        return result

    if args.json:
        args.json.write_text("")
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, chosen))
    elapsed = time.monotonic() - started
    text = report(results, manifest, args.tools, args.run_per_project, elapsed)
    print(text)
    if args.write:
        (HERE / "RESULTS-reproduce.md").write_text(text, encoding="utf-8")
    return 0


def result_from_dict(data: dict) -> ProjectResult:
    tools = {name: ToolResult(**raw) for name, raw in data.pop("tools", {}).items()}
    return ProjectResult(**data, tools=tools)


def asdict_result(result: ProjectResult) -> dict:
    from dataclasses import asdict

    return asdict(result)


if __name__ == "__main__":
    sys.exit(main())
