"""Find the imports and install commands in notebook cells and Python files.

Pure: code text and notebook dicts in, frozen dataclasses out. IPython syntax is
turned into plain Python by IPython's own input transformer, so magics and shell
escapes become ``get_ipython().run_line_magic(...)`` / ``.system(...)`` /
``.run_cell_magic(...)`` calls that the AST walk below understands.

Each code unit (a cell, or a whole ``.py`` file) is parsed on its own, so a syntax
error costs only that unit.
"""

from __future__ import annotations

import ast
import bisect
import dataclasses
import functools
import importlib.util
import itertools
import operator
import os
import posixpath
import re
import shlex
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .implicit import IMPLICIT_NEEDS, ImplicitTrigger, find_implicit_triggers
from .model import ImportKind, ImportSite, InstallHint, Location, ScanIssue, ScanResult
from .stdlib import stdlib_names

#: words whose presence makes a unit worth a look for implicit needs (read_excel, widget…)
_IMPLICIT_WORDS = tuple(sorted({n.trigger.split()[-1] for n in IMPLICIT_NEEDS if n.kind != "import"}))


def any_word_pattern(words: Iterable[str]) -> str:
    """A regular expression that finds any of ``words`` in a text, their common
    prefixes factored out (``read_(?:excel|feather)``). Python's ``re`` tries every
    branch of a flat alternation at every position; this form tries one character
    per position before it fails, which made the check of every cell three times
    faster (a tenth of a cold scan)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here: what follows does not matter for a search

    def alternation(node: dict[str, dict]) -> str:
        if "" in node:
            return ""
        branches = [re.escape(char) + alternation(child) for char, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return alternation(trie) if trie else "(?!)"  # no word: never found


_IMPLICIT_SEARCH = re.compile(any_word_pattern(_IMPLICIT_WORDS)).search

# Cell magics whose body is Python run by the kernel (or by a Python subprocess).
PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "mprun", "python", "python3"}
)
# Cell magics whose body is a shell script: not Python, but read for install commands.
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "zsh", "system", "sx"})
# Line magics whose argument is a Python statement.
PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun", "debug", "memit"})
# Line magics that import something themselves.
MAGIC_IMPORTS: Mapping[str, tuple[str, ...]] = {
    "matplotlib": ("matplotlib",),
    "pylab": ("matplotlib", "numpy"),
}
# IPython's bundled extensions, loaded with %load_ext but shipped by IPython itself.
IPYTHON_EXTENSIONS = frozenset({"autoreload", "storemagic", "deduperreload"})
# Extensions IPython once shipped that moved into other projects: the module that
# provides them today (``%load_ext rmagic`` is ``%load_ext rpy2.ipython`` now).
MOVED_EXTENSIONS: Mapping[str, str] = {
    "rmagic": "rpy2.ipython",
    "cythonmagic": "Cython",
    "octavemagic": "oct2py.ipython",
    "sympyprinting": "sympy",
}
Manager = Literal["pip", "conda"]
INSTALL_MAGICS: Mapping[str, Manager] = {
    "pip": "pip", "conda": "conda", "mamba": "conda", "micromamba": "conda", "uv": "pip"
}

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_DYNAMIC_FUNCTIONS = frozenset({"import_module", "__import__", "find_spec"})
# Substrings without which a parsed unit cannot need the expression-level walk.
_CALL_HINTS = ("import_module", "__import__", "find_spec", "sys.path", "get_ipython")
# Without one of these (or an IPython escape) a unit can hold no finding: not parsed at all.
_CODE_HINTS = ("import", "find_spec", "sys.path", "get_ipython")
# Line ends str.splitlines knows but IPython's tokenizer helper does not expect.
_ODD_LINE_ENDS = ("\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
# Units up to this long have their IPython transformation remembered.
_MEMO_CHARS = 400
# Statement-list fields: enough to reach every import statement without visiting expressions.
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")

# pip options that take a value (``-r file``, ``--index-url URL`` ...).
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
        "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
        "--platform", "--python-version", "--implementation", "--abi", "--no-binary",
        "--only-binary", "--progress-bar", "--src", "--upgrade-strategy", "--trusted-host",
        "--cache-dir", "--log", "--proxy", "--retries", "--timeout", "--exists-action",
        "--cert", "--client-cert", "--global-option", "--config-settings", "-C", "--report",
        "--root-user-action", "--python", "--group", "--keyring-provider", "--use-feature",
        "--use-deprecated",
    }
)
_CONDA_VALUE_OPTIONS = frozenset(
    {"-c", "--channel", "-n", "--name", "-p", "--prefix", "--file", "--repodata-fn",
     "--solver", "--subdir", "--platform"}
)
_SHELL_OPERATORS = frozenset({";", "&&", "||", "|", "&", ";;", "|&"})
_TRY_NODES = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)  # TryStar: 3.11+
# Statements that hold no statement: without a call line to look at, nothing in them matters.
_SIMPLE_STATEMENTS = (
    ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Pass, ast.Break,
    ast.Continue, ast.Delete, ast.Raise, ast.Assert, ast.Global, ast.Nonlocal,
)
_SIMPLE_TYPES = frozenset(_SIMPLE_STATEMENTS)
_TRY_TYPES = frozenset(_TRY_NODES)
_BLOCKS: dict[type, tuple[str, ...]] = {}  # node type -> its fields among _BLOCK_FIELDS


@dataclass(frozen=True)
class CodeScan:
    """What one file (or one cell) contains, before folder-level filtering.

    ``imports`` leave out relative imports, ``__future__`` and (unless the scan was
    asked to keep them) the standard library of the target Python; local modules are
    only known to the folder scan.
    """

    path: str
    imports: tuple[ImportSite, ...] = ()
    installs: tuple[InstallHint, ...] = ()
    issues: tuple[ScanIssue, ...] = ()
    # Top-level module names the file writes itself (``%%writefile helpers.py``).
    defined_modules: frozenset[str] = frozenset()
    # Literal ``sys.path.append/insert`` arguments, as written (relative to the file's folder).
    path_entries: tuple[tuple[Location, str], ...] = ()
    kernel: str | None = None  # kernelspec name, for notebooks that name one
    language: str = "python"
    # Calls and magics that need a distribution no import names (``pd.read_excel``).
    triggers: tuple[ImplicitTrigger, ...] = ()

    def contribution(
        self, stdlib: frozenset[str], local: frozenset[str]
    ) -> tuple[tuple[ImportSite, ...], frozenset[str]]:
        """``(imports that are neither stdlib nor local, local names imported)``.

        Remembered per (stdlib, local) pair, so a warm folder re-scan does not filter
        cached files again (the sets are shared objects whose hashes are cached)."""
        memo = self.__dict__.setdefault("_contribution", {})
        key = (stdlib, local)
        found = memo.get(key)
        if found is None:
            kept, mine = [], set()
            for site in self.imports:
                top = site.module.partition(".")[0]  # site.top_level, without a call per site
                if top in stdlib:
                    continue
                if top in local:
                    mine.add(top)
                else:
                    kept.append(site)
            found = memo[key] = (tuple(kept), frozenset(mine))
        return found


# ---------------------------------------------------------------------------- entry points


def scan_code(
    code: str,
    path: str,
    cell: int | None = None,
    *,
    target_python: str | None = None,
    ipython: bool | None = None,
    keep_stdlib: bool = False,
    all_syntax: bool = False,
) -> CodeScan:
    """Scan one code unit: a notebook cell (``cell`` = its index) or a whole file.

    IPython syntax is understood when ``ipython`` is true, which is the default for
    anything but ``.py`` files. Standard-library imports of ``target_python`` are left
    out unless ``keep_stdlib`` (a cache keeps them so one read serves every target).
    Code that cannot hold an import is not parsed, so a syntax error in it is reported
    only with ``all_syntax``.
    """
    if ipython is None:
        ipython = not path.endswith(".py")
    walker = _Walker(path, cell, all_syntax=all_syntax)
    walker.scan_unit(code, 0, ipython=ipython)
    return walker.result(_dropped(target_python, keep_stdlib))


def scan_cells(
    cells: Iterable[tuple[int, str]],
    path: str,
    *,
    target_python: str | None = None,
    kernel: str | None = None,
    keep_stdlib: bool = False,
    all_syntax: bool = False,
) -> CodeScan:
    """Scan ``(cell index, source)`` pairs of one notebook as IPython code."""
    walker = _Walker(path, None, all_syntax=all_syntax)
    for index, source in cells:
        walker.cell = index
        walker.scan_unit(source, 0, ipython=True)
    return walker.result(_dropped(target_python, keep_stdlib), kernel=kernel)


def scan_notebook_code(
    nb: Mapping[str, Any],
    path: str,
    *,
    target_python: str | None = None,
    keep_stdlib: bool = False,
    all_syntax: bool = False,
) -> CodeScan:
    """Scan a notebook dict (nbformat 4, or 3 which is upgraded first) into a CodeScan.

    Notebooks whose kernel language is not Python are reported and not parsed.
    """
    try:
        nb = upgrade_notebook(nb)
    except Exception as error:  # nbformat raises many kinds on malformed old notebooks
        message = f"cannot convert this nbformat {nb.get('nbformat')} notebook: {error}"
        issue = ScanIssue(Location(path), "unreadable", message)
        return CodeScan(path, issues=(issue,))
    language, kernel = notebook_language(nb)
    if language not in {"python", "python2", "python3", "ipython", "ipython2", "ipython3"}:
        described = f"{language} notebook" + (f" (kernel {kernel})" if kernel else "")
        issue = ScanIssue(Location(path), "non-python", f"{described}: not scanned for Python imports")
        return CodeScan(path, issues=(issue,), kernel=kernel, language=language)
    cells = notebook_code_cells(nb)
    return scan_cells(
        cells, path, target_python=target_python, kernel=kernel, keep_stdlib=keep_stdlib, all_syntax=all_syntax
    )


def scan_notebook(nb: Mapping[str, Any], path: str, *, target_python: str | None = None) -> ScanResult:
    """Scan one notebook dict; ``%%writefile`` modules count as local."""
    scan = scan_notebook_code(nb, path, keep_stdlib=True)
    return merge_scans("", [scan], target_python=target_python)


def merge_scans(
    root: str,
    scans: Iterable[CodeScan],
    *,
    local_modules: Mapping[str, frozenset[str]] | None = None,
    issues: Iterable[ScanIssue] = (),
    target_python: str | None = None,
    tree_modules: frozenset[str] = frozenset(),
) -> ScanResult:
    """One ScanResult for a folder from per-file scans.

    ``local_modules`` maps a file's path to the top-level names importable from its own
    code; those imports (and every ``%%writefile`` target) go to ``local_modules``.
    Standard-library imports of ``target_python`` (the running Python when None) are dropped.
    Scans are expected in path order with their findings sorted, as the scanner
    produces them, so the result is sorted without a global sort.
    """
    scans = sorted(scans, key=operator.attrgetter("path"))
    written = frozenset().union(*(s.defined_modules for s in scans if s.defined_modules))
    parts: list[tuple[ImportSite, ...]] = []
    installs: list[InstallHint] = []
    all_issues: list[ScanIssue] = list(issues)
    used_local: set[str] = set()
    kernels: list[tuple[str, str]] = []
    triggers: list[ImplicitTrigger] = []
    stdlib = stdlib_names(target_python)
    local_by_path = local_modules or {}
    empty: frozenset[str] = frozenset()
    with_written: dict[frozenset[str], frozenset[str]] = {}
    for scan in scans:
        local = local_by_path.get(scan.path, empty)
        if written:
            combined = with_written.get(local)
            if combined is None:
                combined = with_written[local] = local | written
            local = combined
        kept, mine = scan.contribution(stdlib, local)
        parts.append(kept)
        if mine:
            used_local |= mine
        if scan.installs:
            installs.extend(scan.installs)
        if scan.issues:
            all_issues.extend(scan.issues)
        if scan.kernel:
            kernels.append((scan.path, scan.kernel))
        if scan.triggers:
            triggers.extend(scan.triggers)
    all_issues.sort(key=_issue_key)
    return ScanResult(
        root=root,
        files=tuple(s.path for s in scans),
        imports=tuple(itertools.chain.from_iterable(parts)),
        installs=tuple(installs),
        local_modules=frozenset(used_local | written),
        issues=tuple(all_issues),
        kernels=tuple(kernels),
        triggers=tuple(triggers),
        tree_modules=tree_modules,
    )


# ---------------------------------------------------------------------------- notebooks


def upgrade_notebook(nb: Mapping[str, Any]) -> Mapping[str, Any]:
    """The notebook as nbformat 4; older formats are converted with nbformat."""
    major = nb.get("nbformat", 4)
    if not isinstance(major, int) or major >= 4:
        return nb
    import copy

    import nbformat  # only for the rare pre-4 notebook
    from nbformat.v3.rwbase import rejoin_lines

    # v3 keeps cell sources as lists of lines, which the converter expects joined
    old = nbformat.from_dict(copy.deepcopy(dict(nb)))
    return nbformat.convert(rejoin_lines(old) if major == 3 else old, 4)


def notebook_language(nb: Mapping[str, Any]) -> tuple[str, str | None]:
    """``(language, kernelspec name)``; a notebook that says nothing is Python."""
    metadata = nb.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    spec = metadata.get("kernelspec")
    spec = spec if isinstance(spec, Mapping) else {}
    info = metadata.get("language_info")
    info = info if isinstance(info, Mapping) else {}
    language = spec.get("language") or info.get("name") or "python"
    kernel = spec.get("name")
    language = language.lower() if isinstance(language, str) else "python"
    return language, kernel if isinstance(kernel, str) and kernel else None


def notebook_code_cells(nb: Mapping[str, Any]) -> list[tuple[int, str]]:
    """``(index among all cells, source)`` for every code cell."""
    cells = nb.get("cells")
    found: list[tuple[int, str]] = []
    if not isinstance(cells, list):
        return found
    for index, cell in enumerate(cells):
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            try:
                source = "".join(source)
            except TypeError:  # a malformed list: keep its strings
                source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str) and source.strip():
            found.append((index, source))
    return found


# ---------------------------------------------------------------------------- install commands


def parse_install_command(command: str, location: Location) -> tuple[InstallHint, ...]:
    """Install hints from a shell command line (``pip install ...``, ``conda install ...``,
    ``{sys.executable} -m pip install ...``, chained with ``&&`` or ``;``)."""
    hints: list[InstallHint] = []
    for words in _shell_commands(command):
        found = _installer(words)
        if found is not None:
            manager, args = found
            hints.extend(_install_args(manager, args, location))
    return tuple(hints)


def parse_install_magic(magic: str, line: str, location: Location) -> tuple[InstallHint, ...]:
    """Install hints from ``%pip`` / ``%conda`` / ``%mamba`` magics (``line`` is the rest)."""
    manager = INSTALL_MAGICS.get(magic)
    if manager is None:
        return ()
    words = list(_split_words(line))
    if magic == "uv" and words[:1] == ["pip"]:
        words = words[1:]
    if not words or words[0] != "install":
        return ()
    return tuple(_install_args(manager, words[1:], location))


@functools.lru_cache(maxsize=4096)  # notebooks repeat the same install lines
def _split_words(text: str) -> tuple[str, ...]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""  # '#' starts a comment only at a word's start (handled below)
    try:
        words = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain words
        words = [w.strip("'\"") for w in text.split()]
    for i, word in enumerate(words):
        if word.startswith("#"):
            return tuple(words[:i])
    return tuple(words)


def _shell_commands(text: str) -> list[list[str]]:
    commands: list[list[str]] = [[]]
    for word in _split_words(text):
        if word in _SHELL_OPERATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


def _installer(words: list[str]) -> tuple[Manager, list[str]] | None:
    """``(manager, arguments after 'install')`` when the words run an installer."""
    i = 0
    while i < len(words) and (words[i] in {"sudo", "env", "time"} or _is_assignment(words[i])):
        i += 1
    if i >= len(words):
        return None
    program = posixpath.basename(words[i])
    rest = words[i + 1 :]
    manager: Manager | None = None
    if _is_pip(program):
        manager = "pip"
    elif program in {"conda", "mamba", "micromamba"}:
        manager = "conda"
    elif program == "uv" and rest[:1] == ["pip"]:
        manager, rest = "pip", rest[1:]
    elif "python" in program or program.startswith(("{", "$")):
        # python -m pip install ..., {sys.executable} -m pip ..., $PYTHON -m pip ...
        if len(rest) >= 2 and rest[0] == "-m" and _is_pip(rest[1]):
            manager, rest = "pip", rest[2:]
        elif rest[:1] == ["-mpip"]:
            manager, rest = "pip", rest[1:]
    if manager is None:
        return None
    # Skip global options before the subcommand (pip -q install x).
    j = 0
    while j < len(rest) and rest[j].startswith("-"):
        j += 1
    if j >= len(rest) or rest[j] != "install":
        return None
    return manager, rest[j + 1 :]


def _is_pip(program: str) -> bool:
    if not program.startswith("pip"):
        return False
    suffix = program[3:]
    return suffix == "" or all(ch.isdigit() or ch == "." for ch in suffix)


def _is_assignment(word: str) -> bool:
    name, sep, _ = word.partition("=")
    return bool(sep) and name.isidentifier()


def _install_args(manager: Manager, args: list[str], location: Location) -> list[InstallHint]:
    hints: list[InstallHint] = []
    value_options = _PIP_VALUE_OPTIONS if manager == "pip" else _CONDA_VALUE_OPTIONS
    file_options = {"-r", "--requirement"} if manager == "pip" else {"--file"}
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word.startswith(("<", ">")) or word[:1].isdigit() and word.endswith(">"):
            i += 1 if word in {"<", ">", ">>", "2>", "1>", "&>"} else 0  # redirection target
            continue
        if word.startswith("-"):
            option, eq, value = word.partition("=")
            if option in value_options and not eq:
                value = args[i] if i < len(args) else ""
                i += 1
            if option in file_options and value:
                hints.append(InstallHint(f"{option} {value}", None, location, manager))
            elif option in {"-e", "--editable"} and value:
                hints.append(InstallHint(f"-e {value}", _name_from_url(value), location, "pip"))
            continue
        found = _requirement_of(manager, word)
        if found is not None:
            hints.append(InstallHint(found[0], found[1], location, found[2]))
    return hints


# A bare distribution name (PEP 508): by far the most common install argument. Such a
# word is answered without importing packaging, which a quick scan otherwise pays for.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_NAME_SEPARATORS = re.compile(r"[-_.]+")


def _canonical(name: str) -> str:
    """packaging's ``canonicalize_name`` for a bare name (PEP 503: runs of ``-_.`` become
    ``-``, lower case), without importing packaging; a test holds the two together."""
    return _NAME_SEPARATORS.sub("-", name).lower()


@functools.lru_cache(maxsize=4096)
def _requirement_of(manager: Manager, word: str) -> tuple[str, str | None, Manager] | None:
    """``(requirement, distribution name, manager)`` of one install argument, or None."""
    if "{" in word or "$" in word:  # templated: not knowable from the text
        return None
    if manager == "conda":
        name = _conda_name(word)
        return (word, name, "conda") if name else None
    if _PLAIN_NAME.match(word):
        return (word, _canonical(word), "pip")
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    if "://" in word or word.startswith("git+"):
        return (word, _name_from_url(word), "pip")
    base = posixpath.basename(word)
    if base.endswith(".whl"):
        try:
            return (word, str(parse_wheel_filename(base)[0]), "pip")
        except InvalidWheelFilename:
            return (word, None, "pip")
    if base.endswith((".tar.gz", ".zip")):
        try:
            return (word, str(parse_sdist_filename(base)[0]), "pip")
        except InvalidSdistFilename:
            return (word, None, "pip")
    if word.startswith((".", "/", "~")) or word == ".":
        return (word, None, "pip")  # a local project
    try:
        requirement = Requirement(word)
    except InvalidRequirement:
        return None
    return (word, canonicalize_name(requirement.name), "pip")


def _name_from_url(url: str) -> str | None:
    """The distribution name of a direct reference: ``name @ url`` or ``...#egg=name``."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        requirement = Requirement(url)
    except InvalidRequirement:
        requirement = None
    if requirement is not None and requirement.url:
        return canonicalize_name(requirement.name)
    _, _, fragment = url.partition("#")
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        if key == "egg" and value:
            try:
                return canonicalize_name(Requirement(value).name)
            except InvalidRequirement:
                return None
    return None


def _conda_name(spec: str) -> str | None:
    """The package name of a conda match spec (``conda-forge::numpy>=1.24=py311*``)."""
    spec = spec.rpartition("::")[2].strip()
    end = 0
    while end < len(spec) and (spec[end].isalnum() or spec[end] in "_.-"):
        end += 1
    name = spec[:end]
    return _canonical(name) if name else None  # a conda name is a bare name


# ---------------------------------------------------------------------------- the walk


@functools.lru_cache(maxsize=1)
def _transformer() -> Any:
    """IPython's input transformer (``IPython.core.inputtransformer2.TransformerManager``).

    That module needs only the standard library, but importing it through the package
    runs ``IPython/__init__`` (terminal, jedi, prompt_toolkit: ~0.4 s). Outside a running
    IPython the module file is loaded on its own; any failure falls back to the import.
    """
    module = sys.modules.get("IPython.core.inputtransformer2")
    if module is None and "IPython" not in sys.modules:
        module = _load_transformer_alone()
    if module is None:
        from IPython.core import inputtransformer2 as module
    return module.TransformerManager()


def _load_transformer_alone() -> Any:
    """IPython 9's transformer also imports ``IPython.utils.tokenutil`` (standard library
    only as well): that module is loaded on its own first and lent to the transformer's
    ``from IPython.utils import tokenutil`` through placeholder package entries in
    ``sys.modules``, removed again right after."""
    tokenutil = _load_module_alone("IPython", "utils/tokenutil.py")
    if tokenutil is None:
        return _load_module_alone("IPython", "core/inputtransformer2.py")
    spec = importlib.util.find_spec("IPython")  # found before the placeholders hide it
    import types

    lent: dict[str, Any] = {}
    for name in ("IPython", "IPython.utils"):
        placeholder = types.ModuleType(name)
        placeholder.__path__ = []  # a package: submodule imports look in sys.modules only
        lent[name] = placeholder
    lent["IPython.utils"].tokenutil = tokenutil
    lent["IPython"].utils = lent["IPython.utils"]
    lent["IPython.utils.tokenutil"] = tokenutil
    for name, module in lent.items():
        sys.modules.setdefault(name, module)
    try:
        return _load_module_alone("IPython", "core/inputtransformer2.py", spec)
    finally:
        for name, module in lent.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _load_module_alone(package: str, relative: str, spec: Any = None) -> Any:
    try:
        spec = spec or importlib.util.find_spec(package)  # a top-level package: not imported
        if spec is None or not spec.submodule_search_locations:
            return None
        location = os.path.join(spec.submodule_search_locations[0], *relative.split("/"))
        name = f"_jupyter_rees_ui_{package}_{relative.replace('/', '_')[:-3]}"
        module_spec = importlib.util.spec_from_file_location(name, location)
        if module_spec is None or module_spec.loader is None:
            return None
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return module
    except Exception:  # any surprise: the caller imports the package normally
        return None


@dataclass
class _Context:
    kind: ImportKind = "required"
    group: int | None = None  # optional-import group id
    marker: str = ""  # environment marker of the platform checks around the import


class _Walker:
    """Collects findings of code units of one file; ``line_offset`` maps unit lines to
    lines of the cell (or file) the user sees."""

    def __init__(self, path: str, cell: int | None, *, all_syntax: bool = False) -> None:
        self.path = path
        self.cell = cell
        self.all_syntax = all_syntax  # also parse units that cannot hold an import
        self.sites: list[ImportSite] = []
        self.groups: dict[int, list[int]] = {}
        self.installs: list[InstallHint] = []
        self.issues: list[ScanIssue] = []
        self.defined: set[str] = set()
        self.path_entries: list[tuple[Location, str]] = []
        self.triggers: set[ImplicitTrigger] = set()

    # -- units

    def scan_unit(self, code: str, line_offset: int, *, ipython: bool) -> None:
        if _IMPLICIT_SEARCH(code):
            self.triggers.update(find_implicit_triggers(code, self._loc(line_offset + 1)))
        try:
            self._scan_unit(code, line_offset, ipython=ipython)
        except (RecursionError, MemoryError, ValueError) as error:  # pathological input
            self.issues.append(
                ScanIssue(self._loc(line_offset + 1), "other", f"could not scan: {type(error).__name__}")
            )

    def _scan_unit(self, code: str, line_offset: int, *, ipython: bool) -> None:
        # IPython drops leading blank lines before transforming; keep line numbers true.
        if code[:1].isspace():
            lines = code.splitlines(keepends=True)
            skipped = 0
            while skipped < len(lines) and not lines[skipped].strip():
                skipped += 1
            if skipped:
                code = "".join(lines[skipped:])
                line_offset += skipped
        matters = _may_matter(code, ipython=ipython)
        if not matters and not self.all_syntax:
            return
        if ipython and code[:2] == "%%":
            magic = _cell_magic_call(code)
            if magic is not None:  # what IPython's transformer makes of it, without tokenizing the body
                if magic[0]:
                    self._cell_magic(*magic, line_offset + 1)
                return
        elif ipython and code[:1] == "%":
            line_magic = _line_magic_call(code)
            if line_magic is not None:  # likewise: %matplotlib inline, alone in its cell
                if line_magic[0]:
                    self._line_magic(*line_magic, None, line_offset, _Context())
                return
        tree, error, transformed = _parse(code, ipython=ipython)
        if tree is None:
            line = getattr(error, "lineno", None) or 1
            message = getattr(error, "msg", None) or str(error)
            python2 = _looks_like_python2(code, message)
            if python2:
                message = f"Python 2 syntax ({message}); its imports were read statement by statement"
            self.issues.append(
                ScanIssue(self._loc(line_offset + line), "python2" if python2 else "syntax-error", message)
            )
            if matters:
                self._scan_statements(code, line_offset, ipython=ipython)
            return
        if not matters:
            return
        self._walk(tree, line_offset, calls=_call_lines(code if transformed is None else transformed))

    def _scan_statements(self, code: str, line_offset: int, *, ipython: bool) -> None:
        """The tolerant fallback for a unit that does not parse (``print x``): each
        import statement (continued over up to ten lines) is parsed on its own."""
        lines = code.splitlines()
        index = 0
        while index < len(lines):
            text = lines[index]
            stripped = text.lstrip()
            if not stripped.startswith(("import ", "from ")):
                index += 1
                continue
            for end in range(index + 1, min(index + 11, len(lines) + 1)):
                statement = "\n".join(line.strip() for line in lines[index:end])
                try:
                    tree = ast.parse(statement)
                except (SyntaxError, ValueError):
                    continue
                self._walk(tree, line_offset + index, calls=[])
                index = end
                break
            else:
                index += 1

    def result(self, stdlib: frozenset[str], *, kernel: str | None = None) -> CodeScan:
        sites = self.sites
        for members in self.groups.values():
            modules = [sites[i].module for i in members]
            for i in members:
                others = tuple(sorted({m for m in modules if m != sites[i].module}))
                sites[i] = dataclasses.replace(sites[i], alternatives=others)
        kept = sorted((s for s in sites if s.top_level not in stdlib), key=_site_key)
        return CodeScan(
            path=self.path,
            imports=tuple(kept),
            installs=tuple(sorted(self.installs, key=lambda h: _location_key(h.location))),  # stable: written order
            issues=tuple(sorted(self.issues, key=_issue_key)),
            defined_modules=frozenset(self.defined),
            path_entries=tuple(sorted(self.path_entries, key=lambda e: (_location_key(e[0]), e[1]))),
            triggers=tuple(sorted(self.triggers, key=lambda t: (_location_key(t.location), t.kind, t.name))),
            kernel=kernel,
        )

    # -- AST walk (iterative: deep expressions must not hit the recursion limit)

    def _walk(self, tree: ast.AST, offset: int, *, calls: list[int]) -> None:
        """Visit import statements at any depth, and the expressions of statements that
        span a line in ``calls`` (lines naming a dynamic import, sys.path or get_ipython:
        only there can a call matter). Other statements' expressions are not visited."""
        stack: list[tuple[ast.AST, _Context]] = [(tree, _Context())]
        pop, extend = stack.pop, stack.extend
        has_calls = bool(calls)
        # Exact types (the parser makes no subclasses): one lookup instead of a chain of
        # isinstance checks, on thousands of statements per folder.
        while stack:
            node, context = pop()
            kind = type(node)
            if has_calls and isinstance(node, ast.stmt):
                decorators = getattr(node, "decorator_list", None)  # they sit above the def
                first = decorators[0].lineno if decorators else node.lineno
                i = bisect.bisect_left(calls, first)
                in_calls = i < len(calls) and calls[i] <= (node.end_lineno or node.lineno)
            else:
                in_calls = has_calls
            if kind is ast.Import:
                for alias in node.names:
                    self._add(alias.name, node, offset, context)
                continue
            if kind is ast.ImportFrom:
                if node.level == 0 and node.module and node.module != "__future__":
                    names = tuple(sorted(a.name for a in node.names))
                    self._add(node.module, node, offset, context, names=names)
                continue
            if kind in _TRY_TYPES:
                self._push_try(stack, node, context)
                continue
            if kind is ast.If:
                if _is_type_checking(node.test):
                    inner = _Context("type-checking", context.group, context.marker)
                    extend((child, inner) for child in reversed(node.body))
                    extend((child, context) for child in reversed(node.orelse))
                    if in_calls:
                        stack.append((node.test, context))
                    continue
                guard = _platform_guard(node.test)
                if guard is not None:
                    # if sys.platform == "darwin": import appnope  -- only there
                    marker, negated = guard
                    inside = dataclasses.replace(context, marker=_and_markers(context.marker, marker))
                    outside = dataclasses.replace(context, marker=_and_markers(context.marker, negated))
                    extend((child, inside) for child in reversed(node.body))
                    extend((child, outside) for child in reversed(node.orelse))
                    continue
                if in_calls and context.kind == "required" and _probes_module(node.test):
                    # if importlib.util.find_spec("x"): import x  -- x is optional
                    extend((child, _Context("optional", None, context.marker)) for child in node.body)
                    extend((child, context) for child in node.orelse)
                    stack.append((node.test, context))
                    continue
            if not in_calls:
                blocks = _BLOCKS.get(kind)
                if blocks is None:
                    blocks = _BLOCKS[kind] = tuple(f for f in _BLOCK_FIELDS if f in kind._fields)
                for name in blocks:
                    block = getattr(node, name, None)
                    if isinstance(block, list):
                        if has_calls:
                            extend((child, context) for child in block)
                        else:
                            extend((c, context) for c in block if type(c) not in _SIMPLE_TYPES)
                continue
            if kind is ast.Call:
                self._call(node, offset, context)
            extend((child, context) for child in ast.iter_child_nodes(node))

    def _push_try(self, stack: list[tuple[ast.AST, _Context]], node: ast.Try, context: _Context) -> None:
        guarding = [h for h in node.handlers if _catches_import_error(h)]
        optional = bool(guarding) and not all(_reraises(h) for h in guarding)
        protected = context
        if optional:
            group = len(self.groups) + 1
            self.groups[group] = []
            protected = _Context("optional", group, context.marker)
        stack.extend((child, protected) for child in node.body)
        for handler in node.handlers:
            inner = protected if handler in guarding else context
            stack.extend((child, inner) for child in handler.body)
            if handler.type is not None:
                stack.append((handler.type, context))
        stack.extend((child, context) for child in node.orelse)
        stack.extend((child, context) for child in node.finalbody)

    def _add(
        self,
        module: str,
        node: ast.AST,
        offset: int,
        context: _Context,
        *,
        dynamic: bool = False,
        names: tuple[str, ...] = (),
    ) -> None:
        location = self._loc(offset + getattr(node, "lineno", 1))
        kind = context.kind
        if kind == "type-checking" or context.group is None:
            group = None
        else:
            group = context.group
        site = ImportSite(module, location, kind, dynamic=dynamic, names=names, marker=context.marker)
        if group is not None:
            self.groups[group].append(len(self.sites))
        self.sites.append(site)

    # -- calls: dynamic imports, sys.path, IPython magics

    def _call(self, node: ast.Call, offset: int, context: _Context) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name is None:
            return
        if isinstance(func, ast.Attribute) and _is_get_ipython(func.value):
            self._ipython_call(name, node, offset, context)
        elif name in _DYNAMIC_FUNCTIONS and _is_import_function(func):
            self._dynamic_import(name, node, offset, context)
        elif name in {"append", "insert", "extend"} and isinstance(func, ast.Attribute) and _is_sys_path(func.value):
            position = 1 if name == "insert" else 0
            if len(node.args) > position:
                argument = node.args[position]
                if name == "extend":
                    values = argument.elts if isinstance(argument, (ast.List, ast.Tuple)) else []
                else:
                    values = [argument]
                for value in values:
                    entry = _literal_path(value)
                    if entry is not None:
                        self.path_entries.append((self._loc(offset + node.lineno), entry))

    def _dynamic_import(self, name: str, node: ast.Call, offset: int, context: _Context) -> None:
        argument = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "name"), None
        )
        if argument is None:
            return
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            module = argument.value.strip()
            valid = module and not module.startswith(".") and all(p.isidentifier() for p in module.split("."))
            if valid and module.split(".", 1)[0] != "__future__":
                if name == "find_spec" and context.kind == "required":
                    # find_spec asks whether a module is there: the code copes without it
                    context = _Context("optional", None, context.marker)
                self._add(module, node, offset, context, dynamic=True)
            return
        self.issues.append(
            ScanIssue(
                self._loc(offset + node.lineno),
                "dynamic-import",
                f"{name}() with a computed module name: which module it imports is unknown",
            )
        )

    def _ipython_call(self, method: str, node: ast.Call, offset: int, context: _Context) -> None:
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        line = offset + node.lineno
        location = self._loc(line)
        if method == "run_line_magic" and len(args) >= 2 and args[0] and args[1] is not None:
            self._line_magic(args[0], args[1], node, offset, context)
        elif method == "magic" and args and args[0]:  # legacy get_ipython().magic("pip install x")
            magic, _, rest = args[0].lstrip("%").partition(" ")
            self._line_magic(magic, rest, node, offset, context)
        elif method == "run_cell_magic" and len(args) >= 3 and args[0] and args[1] is not None and args[2] is not None:
            self._cell_magic(args[0], args[1], args[2], line)
        elif method in {"system", "getoutput"} and args and args[0]:
            self.installs.extend(parse_install_command(args[0], location))
            self.defined.update(generated_modules(args[0]))

    def _line_magic(self, magic: str, rest: str, node: ast.Call | None, offset: int, context: _Context) -> None:
        line = offset + getattr(node, "lineno", 1)  # None: a unit of that one line
        location = self._loc(line)
        if magic in INSTALL_MAGICS:
            self.installs.extend(parse_install_magic(magic, rest, location))
        elif magic in {"sx", "system"}:
            self.installs.extend(parse_install_command(rest, location))
            self.defined.update(generated_modules(rest))
        elif magic in PYTHON_LINE_MAGICS:
            self.scan_unit(_drop_magic_options(magic, rest), line - 1, ipython=True)
        elif magic in MAGIC_IMPORTS:
            for module in MAGIC_IMPORTS[magic]:
                self._add(module, node, offset, context)
        elif magic in {"load_ext", "reload_ext"}:
            for extension in rest.split():
                if extension in IPYTHON_EXTENSIONS:
                    extension = "IPython"
                extension = MOVED_EXTENSIONS.get(extension, extension)
                if all(p.isidentifier() for p in extension.split(".")):
                    self._add(extension, node, offset, context)
        elif magic == "run":
            # %run -m module runs an importable module; %run script.py runs a file
            words = _split_words(rest)
            if "-m" in words[:-1]:
                module = words[words.index("-m") + 1]
                if all(p.isidentifier() for p in module.split(".")):
                    self._add(module, node, offset, context)

    def _cell_magic(self, magic: str, line: str, body: str, magic_line: int) -> None:
        # The body starts on the line after the %%magic line.
        if magic in PYTHON_CELL_MAGICS:
            self.scan_unit(body, magic_line, ipython=True)
        elif magic in ("writefile", "file"):  # %%file is IPython's alias of %%writefile
            target = next((w for w in _split_words(line) if not w.startswith("-")), "")
            module = _module_of_file(target)
            if module:
                self.defined.add(module)
                if target.endswith(".py"):
                    self.scan_unit(body, magic_line, ipython=False)
            elif target.endswith(".pyf"):  # an f2py signature file names its modules
                self.defined.update(_F2PY_MODULE.findall(body))
        elif magic in SHELL_CELL_MAGICS or magic == "script":
            program = posixpath.basename(line.split()[0]) if line.split() else ""
            if magic == "script" and program.startswith("python"):
                self.scan_unit(body, magic_line, ipython=False)
            elif magic != "script" or program in {"bash", "sh", "zsh"}:
                for number, command in _shell_lines(body):
                    self.installs.extend(parse_install_command(command, self._loc(magic_line + number)))
                    self.defined.update(generated_modules(command))

    def _loc(self, line: int) -> Location:
        return Location(self.path, self.cell, max(line, 1))


# ---------------------------------------------------------------------------- small pure pieces


def _may_matter(code: str, *, ipython: bool) -> bool:
    """Whether a unit can contain an import, a dynamic import, a sys.path change or an
    IPython escape (a line starting with ``%``/``!``, or ``x = !cmd``). Units that cannot
    are skipped unparsed, so a syntax error in them is not reported: it hides nothing."""
    if "import" in code or "get_ipython" in code or "sys.path" in code or "find_spec" in code:  # _CODE_HINTS
        return True
    if not ipython or ("%" not in code and "!" not in code):
        return False
    return any(
        ("%" in line or "!" in line) and any(part.lstrip()[:1] in ("%", "!") for part in line.split("="))
        for line in code.splitlines()
    )


def _cell_magic_call(code: str) -> tuple[str, str, str] | None:
    """``(magic, its line, body)`` of a unit that is a cell magic (``%%time`` and the
    cell), exactly as IPython's transformer passes them to ``run_cell_magic``, or None
    when the transformer would first change the text in another way (prompts to strip,
    ``%%magic?`` help, line ends it splits at besides ``\\n`` and ``\\r``)."""
    if ">>>" in code or "..." in code or "In [" in code or "\x0b" in code or "\x0c" in code:
        return None
    if any(separator in code for separator in _ODD_LINE_ENDS) or _CELL_MAGIC_HELP(code):
        return None
    if not code.endswith("\n"):
        code += "\n"
    # its dedent (nothing to remove under a %% line) empties whitespace-only lines
    first, body = _first_line(_WHITESPACE_ONLY_LINE("", code))
    magic, _, line = first[2:].rstrip().partition(" ")
    return magic, line, body


def _line_magic_call(code: str) -> tuple[str, str] | None:
    """``(magic, its arguments)`` of a unit that is one ``%magic`` line, exactly as
    IPython's transformer passes them to ``run_line_magic``; None for anything else (more
    lines, a continued line, ``%magic?`` help) or anything it might read otherwise."""
    line = code[:-1] if code.endswith("\n") else code
    if "\n" in line or "\r" in line or "\x00" in line or "\x0b" in line or "\x0c" in line:
        return None
    if any(separator in line for separator in _ODD_LINE_ENDS):
        return None
    line = line.rstrip()
    if line.endswith(("?", "\\")):
        return None
    magic, _, arguments = line[1:].partition(" ")
    return magic, arguments


def _first_line(code: str) -> tuple[str, str]:
    """The first line of ``code`` with its line end, and the rest."""
    end = min((i for i in (code.find("\n"), code.find("\r")) if i >= 0), default=len(code) - 1)
    end += 2 if code[end : end + 2] == "\r\n" else 1
    return code[:end], code[end:]


_CELL_MAGIC_HELP = re.compile(r"%%\w+\?").match
_WHITESPACE_ONLY_LINE = re.compile(r"^[ \t]+$", re.MULTILINE).sub  # as textwrap.dedent's


def _looks_like_python2(code: str, message: str) -> bool:
    """Whether a unit that does not parse is Python 2 (``print x``, ``except E, e:``,
    ``exec "..."``, ``raise E, "m"``)."""
    if "Missing parentheses in call to" in message:
        return True
    return bool(re.search(
        r"^\s*(print\s+[^\s(=]|exec\s+[\"'\w]|raise\s+\w+\s*,|except\s+[\w.]+\s*,\s*\w+\s*:)",
        code, re.MULTILINE,
    ))


def _dropped(target_python: str | None, keep_stdlib: bool) -> frozenset[str]:
    return frozenset() if keep_stdlib else stdlib_names(target_python)


def _call_lines(code: str) -> list[int]:
    """Line numbers (from 1, as the parser counts them) of ``code`` that name one of
    ``_CALL_HINTS``, in order. Lines end only at ``\n``, ``\r\n`` or ``\r``:
    ``str.splitlines`` also breaks at form feeds and U+2028, which Python does not."""
    if not any(hint in code for hint in _CALL_HINTS):
        return []
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [n for n, line in enumerate(lines, 1) if any(hint in line for hint in _CALL_HINTS)]


def _parse(code: str, *, ipython: bool) -> tuple[ast.AST | None, Exception | None, str | None]:
    """Parse as Python; when that fails and IPython syntax is allowed, transform and retry.

    Returns ``(tree, error, transformed text or None)``. A unit that opens with ``%`` or ``!`` is no
    Python, so it goes to the transformer without a first attempt."""
    first: Exception | None = None
    if not ipython or code.lstrip()[:1] not in ("%", "!"):
        try:
            return ast.parse(code), None, None
        except (SyntaxError, ValueError) as error:
            if not ipython:
                return None, error, None
            first = error
    try:
        transformed = _transform(code) if len(code) <= _MEMO_CHARS else _transform.__wrapped__(code)
    except Exception:  # the transformer gives up on some broken input: keep Python's error
        return None, first or _python_error(code), None
    try:
        return ast.parse(transformed), None, transformed
    except (SyntaxError, ValueError) as error:
        return None, error, transformed


@functools.lru_cache(maxsize=4096)
def _transform(code: str) -> str:
    """IPython's reading of a unit as Python. Remembered for short units: the same
    ``%matplotlib inline`` or ``!pip install ...`` cell recurs across a project's notebooks."""
    if any(separator in code for separator in _ODD_LINE_ENDS):
        with warnings.catch_warnings():  # IPython warns about these line ends: noise here
            warnings.simplefilter("ignore")
            return _transformer().transform_cell(code)
    return _transformer().transform_cell(code)


def _python_error(code: str) -> Exception:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError) as error:
        return error
    return SyntaxError("invalid syntax")


def _drop_magic_options(magic: str, rest: str) -> str:
    """The statement of ``%timeit -n 10 -r 3 stmt`` / ``%prun -s time stmt``."""
    words = rest.split(" ")
    valued = {"-n", "-r", "-p", "-s", "-T", "-D", "-l", "-o"} if magic != "timeit" else {"-n", "-r", "-p"}
    i = 0
    while i < len(words) and (words[i].startswith("-") or not words[i]):
        i += 2 if words[i] in valued else 1
    return " ".join(words[i:])


def _shell_lines(body: str) -> list[tuple[int, str]]:
    """``(1-based line, command)`` with backslash continuations joined."""
    commands: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, text in enumerate(body.splitlines(), 1):
        if not pending:
            start = number
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        commands.append((start, pending + text))
        pending = ""
    if pending:
        commands.append((start, pending))
    return commands


def _module_of_file(target: str) -> str | None:
    """Top-level module a written file provides (``utils/io.py`` -> ``utils``); a Cython
    source (``fast.pyx``) is built into the module of its name."""
    target = posixpath.normpath(target.replace("\\", "/"))
    if not target.endswith((".py", ".pyx")) or target.startswith(("/", "..")):
        return None
    first = target.split("/", 1)[0]
    name = first.removesuffix(".py").removesuffix(".pyx")
    return name if name.isidentifier() else None


# ``python module dprod`` in an f2py signature file (.pyf)
_F2PY_MODULE = re.compile(r"^\s*python\s+module\s+([A-Za-z_]\w*)\s*$", re.IGNORECASE | re.MULTILINE)


def _is_get_ipython(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "get_ipython"
    )


def _is_import_function(func: ast.AST) -> bool:
    """``import_module`` / ``__import__`` / ``find_spec`` as a name or from importlib."""
    if isinstance(func, ast.Name):
        return True
    if not isinstance(func, ast.Attribute):
        return False
    owner = _dotted(func.value)
    if func.attr == "find_spec":
        return owner in {"importlib.util", "util", "importlib"}
    if func.attr == "__import__":
        return owner in {"builtins", "importlib"}
    return owner is not None and owner.split(".")[-1] == "importlib"


def _probes_module(test: ast.AST) -> bool:
    """Whether an ``if`` test calls ``find_spec`` (asks if a module is installed)."""
    return any(
        isinstance(n, ast.Call) and (_dotted(n.func) or "").split(".")[-1] == "find_spec" for n in ast.walk(test)
    )


def _is_sys_path(node: ast.AST) -> bool:
    return _dotted(node) == "sys.path"


def _is_type_checking(test: ast.AST) -> bool:
    name = _dotted(test)
    return name is not None and name.split(".")[-1] == "TYPE_CHECKING"


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any((_dotted(t) or "").split(".")[-1] in _IMPORT_ERRORS for t in types)


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A handler that ends by raising makes the guarded import required after all."""
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)


def _literal_path(node: ast.AST) -> str | None:
    """A path built only from literals: ``"lib"``, ``os.path.abspath("..")``,
    ``os.path.join("..", "src")``, ``str(Path("src"))``, ``Path("a") / "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left, right = _literal_path(node.left), _literal_path(node.right)
        return posixpath.join(left, right) if left is not None and right is not None else None
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    name = (_dotted(node.func) or "").split(".")[-1]
    parts = [_literal_path(a) for a in node.args]
    if not parts or any(p is None for p in parts):
        return None
    if name in {"abspath", "realpath", "normpath", "str", "Path", "PurePath", "resolve"} and len(parts) == 1:
        return parts[0]
    if name == "join":
        return posixpath.join(*parts)  # type: ignore[arg-type]
    return None


def _location_key(location: Location) -> tuple[str, int, int]:
    return (location.path, -1 if location.cell is None else location.cell, location.line)


def _site_key(site: ImportSite) -> tuple[tuple[str, int, int], str]:
    return (_location_key(site.location), site.module)


def _issue_key(issue: ScanIssue) -> tuple[tuple[str, int, int], str, str]:
    return (_location_key(issue.location), issue.kind, issue.message)


# ---------------------------------------------------------------------------- generated files and platform checks

_PROTOC_OUTPUTS = {"--python_out": "_pb2", "--pyi_out": None, "--grpc_python_out": "_pb2_grpc"}


def generated_modules(command: str) -> frozenset[str]:
    """Top-level modules a shell command generates in the project: ``protoc
    --python_out=. x.proto`` (also ``python -m grpc_tools.protoc``) writes ``x_pb2``
    (and ``x_pb2_grpc`` with ``--grpc_python_out``); ``f2py -c x.f -m NAME`` (also
    ``python -m numpy.f2py``) builds ``NAME``; ``cythonize -i x.pyx`` builds ``x``."""
    found: set[str] = set()
    for words in _shell_commands(command):
        programs = [posixpath.basename(w) for w in words[:3]]
        if "f2py" in programs or "numpy.f2py" in words:  # f2py -c x.f -m NAME builds NAME
            found.update(w for w, prev in zip(words[1:], words) if prev == "-m" and w.isidentifier()
                         and w != "numpy.f2py")
            continue
        if "cythonize" in programs:  # cythonize -i fast.pyx builds fast
            found.update(m for m in map(_module_of_file, words) if m and m != "setup")
            continue
        if "protoc" not in programs and "grpc_tools.protoc" not in words:
            continue
        suffixes = set()
        protos = []
        for word in words:
            option = word.split("=", 1)[0]
            if option in _PROTOC_OUTPUTS and _PROTOC_OUTPUTS[option]:
                suffixes.add(_PROTOC_OUTPUTS[option])
            elif word.endswith(".proto"):
                protos.append(posixpath.basename(word)[: -len(".proto")])
        for proto in protos:
            for suffix in suffixes:
                name = proto.replace("-", "_") + suffix
                if name.isidentifier():
                    found.add(name)
    return frozenset(found)


# platform test -> marker variable; the values are compared as written
_PLATFORM_NAMES = {"sys.platform": "sys_platform", "os.name": "os_name"}
_PLATFORM_CALLS = {"platform.system": "platform_system", "platform.machine": "platform_machine"}
_PLATFORM_PREFIXES = {"win": "win32", "linux": "linux", "darwin": "darwin", "cygwin": "cygwin"}


def _platform_guard(test: ast.AST) -> tuple[str, str] | None:
    """``(marker, negated marker)`` for an ``if`` test that checks the platform:
    ``sys.platform == "darwin"``, ``os.name == "nt"``, ``platform.system() == "Windows"``,
    ``sys.platform.startswith("win")``, ``sys.platform in ("win32", "cygwin")``. None for
    any other test. The negated marker is "" when it cannot be written simply."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _platform_guard(test.operand)
        return (inner[1], inner[0]) if inner and inner[1] else None
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith":
        if _dotted(test.func.value) != "sys.platform" or len(test.args) != 1:
            return None
        prefix = test.args[0]
        if not (isinstance(prefix, ast.Constant) and isinstance(prefix.value, str)):
            return None
        value = _PLATFORM_PREFIXES.get(prefix.value)
        if value is None:
            return None
        return f'sys_platform == "{value}"', f'sys_platform != "{value}"'
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and len(test.comparators) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(left, ast.Constant):  # "darwin" == sys.platform
        left, right = right, left
    variable = _PLATFORM_NAMES.get(_dotted(left) or "")
    if variable is None and isinstance(left, ast.Call) and not left.args:
        variable = _PLATFORM_CALLS.get(_dotted(left.func) or "")
    if variable is None:
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)):
        if not (isinstance(right, ast.Constant) and isinstance(right.value, str)):
            return None
        same, other = f'{variable} == "{right.value}"', f'{variable} != "{right.value}"'
        return (same, other) if isinstance(op, ast.Eq) else (other, same)
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.Tuple, ast.List, ast.Set)):
        values = [e.value for e in right.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if not values or len(values) != len(right.elts):
            return None
        any_of = " or ".join(f'{variable} == "{v}"' for v in values)
        none_of = " and ".join(f'{variable} != "{v}"' for v in values)
        return (any_of, none_of) if isinstance(op, ast.In) else (none_of, any_of)
    return None


def _and_markers(outer: str, inner: str) -> str:
    """Both markers; a marker with ``or`` is put in parentheses."""
    if not outer or not inner:
        return outer or inner
    wrap = lambda m: f"({m})" if " or " in m else m  # noqa: E731
    return f"{wrap(outer)} and {wrap(inner)}"
