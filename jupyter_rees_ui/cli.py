"""``jupyter rees``: the same pipeline as the sidebar, from a terminal, in CI and as a
pre-commit hook.

Exit codes: 0 ok, 1 check failed (or a write was refused, or verify found the REES at
fault), 2 usage or input error (or verify could not reach the package index).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from . import __version__
from .core.vocabulary import BINDER_MODES, EXPORT_FILES, FORMAT_FILES, PIN_POLICIES, TARGETS

TYPE_CHECKING = False  # as typing's: --help starts without importing typing
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from .workflow import Proposal, ProposedRequirement


class _OnFirstUse:
    """A module imported when first used: ``--help`` and a remembered answer are given
    without the pipeline (the workflow and the dataclasses it defines)."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def __getattr__(self, attribute: str) -> Any:
        import importlib

        module = importlib.import_module(self._module, __package__)
        globals()[self._name] = module  # from now on, the module itself
        return getattr(module, attribute)


workflow: Any = _OnFirstUse(".workflow", "workflow")
dataclasses: Any = _OnFirstUse("dataclasses", "dataclasses")
json: Any = _OnFirstUse("json", "json")

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2
EXPORTS = EXPORT_FILES


def exit_code(error: workflow.WorkflowError) -> int:
    """The one table from domain errors to exit codes (first match wins)."""
    table = (
        (workflow.NothingToCommit, EXIT_OK),
        (workflow.Conflict, EXIT_CHECK_FAILED),
        (workflow.WorkflowError, EXIT_USAGE),
    )
    return next(code for kind, code in table if isinstance(error, kind))


def _err(text: str) -> None:
    print(text, file=sys.stderr)


class Progress:
    """One line of progress on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r\033[K{text}")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write(f"\r\033[Kdone in {time.monotonic() - self.started:.1f} s\n")
            sys.stderr.flush()


def _request(args: argparse.Namespace) -> workflow.ProposeRequest:
    _read_environment_early(args)
    settings = workflow.jupyter_settings()  # c.Rees.* as the server reads them
    return workflow.ProposeRequest(
        workflow.local_folder(args.dir),
        pin=args.pin or settings.pin,
        kernel=args.kernel,
        python=args.python or settings.python,
        overrides={**settings.overrides, **_overrides(args.override)},
        check_index=args.check_index or settings.check_index,
        index_url=settings.index_url,
        timeout=settings.timeout,
        max_bytes=_max_bytes(args, settings),
        workers=None,  # a process per CPU for large cold folders
        all_syntax=getattr(args, "syntax", False),
        remember=not args.no_cache,
        compare_kernels=args.compare_kernels,
        listing=getattr(args, "listing", None),  # taken by the remembered answer's check
    )


def _read_environment_early(args: argparse.Namespace) -> None:
    """A first run's environment is read in a child process while this one loads the
    scanner and the resolver (``environment.start_early``; the workflow takes it over)."""
    from .adapters.environment import start_early

    start_early(args.python, args.kernel, getattr(args, "listing", None), remember=not args.no_cache)


def _proposal(args: argparse.Namespace) -> Proposal:
    request = _request(args)
    progress = Progress()
    progress.say(f"scanning {args.dir} and reading the environment…")
    if _ending:
        workflow.kept_until_exit = []  # freed by os._exit, not one by one
    result = workflow.propose(request).proposal
    progress.done()
    return result


SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def _max_bytes(args: argparse.Namespace, settings: Any = None) -> int | None:
    """--max-file-size, else c.Rees.max_file_size of the Jupyter config (as the server)."""
    if args.max_file_size is not None:
        return _size(args.max_file_size)
    return (settings or workflow.jupyter_settings()).max_bytes


def _size(text: str) -> int | None:
    """--max-file-size: a number of bytes, or with a unit (K, M, G; KB, MiB…: powers of
    1024); 0 for no limit (None)."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|b)?\s*", text, re.IGNORECASE)
    number = float(match[1]) if match else None
    if number == 0:
        return None
    size = int(number * SIZE_UNITS[(match[2] or "").lower()]) if number is not None else 0
    if size < 1:
        raise workflow.BadRequest(
            f"--max-file-size takes a size such as 50M, 2G or 1048576 (bytes; 0: no limit), not {text[:40]!r}"
        )
    return size


def _overrides(values: Sequence[str] | None) -> dict[str, str]:
    found = {}
    for value in values or ():
        module, sep, dist = value.partition("=")
        if not sep or not module.strip():
            raise workflow.BadRequest(f"--override takes IMPORT=DISTRIBUTION, not {value!r}")
        found[module.strip()] = dist.strip()
    return found


def _warn(proposal: Proposal) -> None:
    for note in proposal.notes:
        _err(f"note: {note}")
    for issue in proposal.issues:
        _err(f"warning: {_where(issue.location)}: {issue.message}")
    for row in proposal.requirements:
        for warning in row.warnings:
            _err(f"warning: {row.name}: {warning}")


def _where(loc) -> str:
    cell = f" cell {loc.cell + 1}" if loc.cell is not None else ""
    return f"{loc.path}{cell} line {loc.line}"


def _rows(proposal: Proposal, args: argparse.Namespace) -> list[ProposedRequirement]:
    """The reviewed rows with the command line's decisions: --exclude unticks (and
    records it in the REES), --include ticks (a left-out row too), --update-pins takes
    the pin policy's pin for rows the REES already pins its own way."""
    from packaging.utils import canonicalize_name

    exclude = {canonicalize_name(n) for n in getattr(args, "exclude", None) or ()}
    include = {canonicalize_name(n) for n in getattr(args, "include", None) or ()}
    rows = []
    for row in proposal.requirements:
        key = canonicalize_name(row.name)
        included = key not in exclude and (row.included or key in include)
        if included != row.included:
            row = dataclasses.replace(row, included=included)
        if getattr(args, "update_pins", False) and row.proposed_specifier is not None:
            row = dataclasses.replace(row, specifier=row.proposed_specifier)
        rows.append(row)
    return rows


def _rees_request(args: argparse.Namespace, proposal: Proposal, fmt: str, **kwargs) -> workflow.ReesRequest:
    return workflow.ReesRequest(
        workflow.local_folder(args.dir), tuple(_rows(proposal, args)), proposal.python_version, format=fmt, **kwargs
    )


def _group(row: ProposedRequirement) -> str:
    if row.trust == "unverified" and (row.kind == "required" or row.rule == "implicit"):
        return "decision"
    if not row.included and row.kind == "required" and workflow.needs_decision(row):
        return "decision"  # e.g. a package that needs a system library the kernel lacks
    return "implicit" if row.rule == "implicit" else row.kind


def _table(proposal: Proposal) -> str:
    """A readable table grouped by kind, with where each import lives and warnings."""
    lines = [f"Python {proposal.python_version} · {proposal.environment}".rstrip(" ·")]
    groups = {
        "required": "Required",
        "optional": "Optional imports",
        "type-checking": "Type checking only",
        "implicit": "Suggested (used without an import)",
        "decision": "Needs a decision (not written unless you --include them)",
    }
    for kind, title in groups.items():
        rows = [r for r in proposal.requirements if _group(r) == kind]
        if not rows:
            continue
        lines += ["", f"{title}:"]
        width = max(len(r.name) for r in rows)
        for row in rows:
            mark = "x" if row.included else " "
            version = row.installed_version or "not installed"
            lines.append(f"  [{mark}] {row.name:<{width}}  {row.specifier or '(unpinned)':<14} {version:<14} {row.trust:<10} {row.source}/{row.rule}")
            if row.marker:
                lines.append(f"        only where {row.marker}")
            for site in row.sites[:5]:
                lines.append(f"        {_where(site)}")
            if len(row.sites) > 5:
                lines.append(f"        … {len(row.sites) - 5} more")
            for warning in row.warnings:
                lines.append(f"        ! {warning}")
    if proposal.notes:
        lines += [""] + [f"Note: {note}" for note in proposal.notes]
    if proposal.issues:
        lines += ["", "Problems found while scanning:"]
        lines += [f"  {_where(i.location)}: {i.message}" for i in proposal.issues]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- commands


def cmd_propose(args: argparse.Namespace) -> int:
    proposal = _proposal(args)
    if args.resolve:
        proposal = _resolution_checked(args, proposal)
    elif not args.json:
        proposal = _unchecked_noted(args, proposal)
    if args.json:
        json.dump(proposal.to_json(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return EXIT_OK
    if args.table:  # the table carries the warnings itself
        sys.stdout.write(_table(proposal))
        return EXIT_OK
    _warn(proposal)
    text = workflow.export([r for r in _rows(proposal, args) if r.included], proposal.python_version, args.format)
    sys.stdout.write(text)
    return EXIT_OK


def _resolution_checked(args: argparse.Namespace, proposal: Proposal) -> Proposal:
    """``propose --resolve``: the check ``write`` runs before writing, its held rows
    under Needs a decision with the resolver's reason."""
    fmt = args.format if args.format in FORMAT_FILES else "requirements"  # a Guix manifest has no pip lines
    plan = workflow.plan(_rees_request(args, proposal, fmt, resolve=True, force=tuple(args.include or ())))
    return workflow.held_back(proposal, plan)


def _unchecked_noted(args: argparse.Namespace, proposal: Proposal) -> Proposal:
    """Without ``--resolve``: a note naming the lines ``write`` would resolve (when
    c.Rees.resolve_before_write is on); nothing is asked."""
    noted = workflow.unchecked(proposal, _rows(proposal, args))
    return noted if noted is not proposal and workflow.jupyter_settings().resolve else proposal


def _show(changes: Sequence) -> None:
    for change in changes:
        if change.status == "unchanged":
            print(f"{change.path}: unchanged")
        else:
            sys.stdout.write(change.diff if change.diff.endswith("\n") else change.diff + "\n")


def cmd_write(args: argparse.Namespace) -> int:
    proposal = _proposal(args)
    _warn(proposal)
    resolve = not args.no_resolve and workflow.jupyter_settings().resolve
    request = _rees_request(
        args, proposal, args.format, target=args.dir_name, remove=tuple(args.remove or ()),
        resolve=resolve, force=tuple(args.include or ()),
    )
    progress = Progress(enabled=None if resolve else False)
    progress.say("checking that the lines not pinned from the kernel resolve…")
    plan = workflow.plan(request)
    progress.done()
    for note in plan.notes:
        hint = f" (--remove {' --remove '.join(note.paths)})" if note.code == "ignored-file" and note.paths else ""
        _err(f"{note.level}: {note.message}{hint}")
    for held in plan.held:
        _err(f"needs a decision: {held.name} is not written: {held.reason} (--include {held.name} writes it anyway)")
    _show(plan.changes)
    if not args.yes:
        if any(c.status != "unchanged" for c in plan.changes):
            _err("Preview only: run again with --yes to write these changes.")
        return EXIT_OK
    request = dataclasses.replace(request, resolve=False, hold=tuple(h.name for h in plan.held))
    written = workflow.apply(request, plan.expected)
    for change in written.changes:
        _err(f"wrote {change.path}")
    if not written.changes:
        _err("Nothing to write: the REES is up to date.")
    _binder_summary(written.binder, plan.resolution)
    return EXIT_OK


def _binder_summary(summary: dict | None, resolution=None) -> None:
    """One line on what Binder would build, or how to install repo2docker to know it,
    and what the resolution check before writing said (``workflow.ResolutionCheck``)."""
    if not summary:
        return
    if summary.get("installed") is False:
        _err(summary["message"])
        return
    if summary.get("error"):
        _err(f"repo2docker: {summary['error']}")
        return
    missed = [r["name"] for r in summary.get("requirements", []) if not r["reached"]]
    python = summary.get("python_version") or "its default Python"
    text = f"repo2docker accepted the layout: it would build with {summary['buildpack']} and Python {python}"
    if missed:
        _err(text + f"; NOT installed: {', '.join(missed)}")
        return
    if resolution is not None and resolution.ok:
        _err(
            text + f" and read every requirement line; the lines not pinned from the kernel resolve for "
            f"Python {resolution.python_version} ({resolution.tool}). Not checked: that each one builds and "
            "imports — run `jupyter rees verify`."
        )
        return
    _err(
        text + " and read every requirement line. Not checked: whether pip can install each line "
        "— run `jupyter rees check --resolve` (resolves them) or `jupyter rees verify` (builds and imports)."
    )


def cmd_check(args: argparse.Namespace) -> int:
    request = _request(args)
    result = workflow.check(request, resolve=args.resolve)
    if result is None:
        where = workflow.existing_rees(request.folder)[0]
        _err(f"no requirements.txt or environment.yml in {request.folder.path / where}: run `jupyter rees write {args.dir} --yes`")
        return EXIT_CHECK_FAILED
    proposal = result.proposal
    label = ", ".join(result.files)
    broken = [i for i in proposal.issues if i.kind == "syntax-error"] if args.syntax else []
    for issue in broken:
        print(f"syntax error: {_where(issue.location)}: {issue.message}")
    for row in result.missing:
        sites = ", ".join(_where(s) for s in row.sites[:3])
        print(f"missing: {row.name} (imported as {', '.join(row.modules) or row.name}; {sites})")
    for name, why in result.blocking:
        print(f"unverified: {name} ({why}; one line pip cannot install fails the whole Binder build)")
    for name, _ in set(result.unverified) - set(result.blocking):
        print(f"confirmed by the resolver: {name} (a guess from the import name, found on the package index)")
    for row in result.unconfirmed:
        print(f"not confirmed: {row.name} (imported as {', '.join(row.modules) or row.name}; "
              f"{'a guess' if row.trust == 'unverified' else 'not installed in the kernel'} — not counted as missing)")
    if args.unused:
        for name in result.unused:
            print(f"unused: {name} (declared in {label}, imported nowhere)")
    resolved = result.resolved
    if resolved is not None and resolved.ok is False:
        print(f"does not resolve for Python {resolved.python_version} ({resolved.tool}):")
        print("  " + resolved.message.replace("\n", "\n  "))
    if resolved is not None and resolved.ok is None:
        _err(f"note: could not check that it resolves ({resolved.tool}): {resolved.message}")
    failed = not result.ok or (args.unused and args.strict_unused and bool(result.unused))
    if failed:
        _err(f"{label} would not give a working Binder for this folder: run `jupyter rees write {args.dir}` to see the fix.")
        return EXIT_CHECK_FAILED
    if broken:
        cells = "cell" if len(broken) == 1 else "cells"
        _err(f"{label} covers every import, but {len(broken)} {cells} will not run: fix the syntax errors above.")
        return EXIT_CHECK_FAILED
    n = result.covered
    rows = "requirement" if n == 1 else "requirements"
    checked = (
        f"; it resolves for Python {resolved.python_version} ({resolved.tool})"
        if resolved is not None and resolved.ok
        else f"; not checked: whether pip finds each line for Python {result.python_version} (add --resolve)"
        if resolved is None else ""
    )
    _err(f"{label} covers every verified import ({n} {rows} of the proposal declared){checked}.")
    return EXIT_OK


def cmd_badge(args: argparse.Namespace) -> int:
    folder = workflow.local_folder(args.dir)
    request = workflow.BadgeRequest(
        folder,
        remote=args.remote,
        ref=args.ref,
        notebook=args.notebook,
        mode=args.mode,
        doi=args.doi,
        provider=args.provider,
        env_repo=args.env_repo,
        env_ref=args.env_ref,
    )
    reply = workflow.badge(request, strict=True)
    for note in reply.notes:
        _err(f"note: {note}")
    if args.readme:
        _show([reply.readme])
        if args.yes and reply.readme.status != "unchanged":
            expected = {reply.readme.path: reply.readme.old_sha256}
            workflow.write_badge(workflow.WriteBadgeRequest(folder, reply.link, expected, readme=reply.readme.path))
            _err(f"wrote {reply.readme.path}")
        elif reply.readme.status != "unchanged":
            _err("Preview only: add --yes to insert the badge.")
        return EXIT_OK
    print(workflow.snippet(reply.link, args.format))
    return EXIT_OK


def cmd_commit(args: argparse.Namespace) -> int:
    folder = workflow.local_folder(args.dir)
    files = tuple(args.files) or workflow.rees_paths(folder)
    result = workflow.commit(workflow.CommitRequest(folder, files, args.message or workflow.DEFAULT_MESSAGE)).commit
    print(f"{result.sha[:12]} {result.message}")
    for path in result.files:
        print(f"  {path}")
    if result.note:
        _err(result.note)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    progress = Progress()
    shown = {"phase": ""}

    def report(phase: str, done: int, total: int, message: str) -> None:
        if progress.enabled:
            progress.say(message + (f" [{done}/{total}]" if total > 1 else ""))
        elif phase != shown["phase"] and phase != "scanning":
            shown["phase"] = phase
            _err(f"{phase}: {message}")

    request = workflow.VerifyRequest(
        workflow.local_folder(args.dir),
        run=args.run,
        cell_timeout=args.timeout,
        total_timeout=args.total_timeout,
        python=args.python,
        installer=args.installer,
        index_args=tuple(_index_args(args)),
        notebooks=tuple(args.notebook or ()),
        max_bytes=_max_bytes(args),
    )
    result = workflow.verify(request, progress=report)
    progress.done()
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(verification_text(result))
    if args.register_kernel and not result.unreachable:
        name = workflow.register_kernel(request.folder, result, index_args=request.index_args)
        _err(f'registered the kernel "{request.folder.path.resolve().name} (from its REES)" ({name})')
    if result.rees_fault:
        return EXIT_CHECK_FAILED
    return EXIT_USAGE if result.unreachable else EXIT_OK


def _index_args(args: argparse.Namespace) -> list[str]:
    found = ["--no-index"] if args.no_index else []
    for link in args.find_links or ():
        found += ["--find-links", link]
    return found


def verification_text(result) -> str:
    """The verdict of ``jupyter rees verify``, one block per notebook."""
    install = result.install
    how = f"built with {install.installer} in {install.seconds:.1f} s" + (", reused from the cache" if install.cached else "")
    lines = [f"REES: {', '.join(result.rees_files)} · Python {result.python_used} ({how})"]
    lines += [f"note: {note}" for note in result.notes]
    if install.ok and not install.failures:
        lines.append(f"install: ok ({len(install.requirements)} lines)")
    else:
        lines.append("install: " + ("FAILED" if not install.ok else "ok, with notes"))
        for failure in install.failures:
            head = f"  {failure.line}: " if failure.line else "  "
            lines.append(head + failure.message.replace("\n", "\n      "))
        if install.left_out:
            lines.append(f"  checked the notebooks without: {', '.join(install.left_out)}")
    width = max((len(n.path) for n in result.notebooks), default=0)
    for notebook in result.notebooks:
        found = sum(1 for c in notebook.imports if c.status in ("ok", "skipped", "optional-missing"))
        what = f"imports {found}/{len(notebook.imports)}"
        if notebook.executed:
            what += f", ran in {notebook.seconds:.1f} s"
        lines.append(f"{notebook.path:<{width}}  {'ok' if notebook.ok else 'FAILED'} ({what})")
        for check in notebook.imports:
            if check.status == "skipped":
                lines.append(f"    skipped {check.module}: {check.message}")
        for failure in notebook.failures:
            cell = f"cell {failure.cell + 1}: " if failure.cell is not None else ""
            fault = " [the REES's fault]" if failure.rees_fault else ""
            lines.append(f"    {failure.kind}: {cell}{failure.message}{fault}")
    lines += ["", result.summary()]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- parser


def _environment_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", help="folder of notebooks")
    p.add_argument("--python", metavar="PATH", help="interpreter whose environment gives the pins (default: the notebooks' kernel)")
    p.add_argument("--kernel", metavar="NAME", help="kernelspec whose interpreter gives the pins")
    p.add_argument("--pin", choices=PIN_POLICIES, help="pin policy (default: c.Rees.default_pin of the Jupyter config, else ==)")
    p.add_argument("--check-index", action="store_true", help="ask PyPI whether guessed names exist (network; off by default)")
    p.add_argument("--override", action="append", metavar="IMPORT=DIST", help="map an import to a distribution, e.g. sklearn=scikit-learn; IMPORT= drops it (repeatable)")
    p.add_argument("--compare-kernels", action="store_true", help="when the notebooks name several kernels, read each one's environment and flag rows whose versions differ")
    p.add_argument("--no-cache", action="store_true", help="neither reuse nor keep scans and environments in the user's cache folder")
    _size_option(p)


def _size_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-file-size", metavar="SIZE", help="largest notebook or Python file read, e.g. 50M or 2G (0: no limit); larger files are reported and not read (default: c.Rees.max_file_size of the Jupyter config, else 256M)")


def _row_options(p: argparse.ArgumentParser, formats=FORMAT_FILES) -> None:
    p.add_argument("--format", choices=sorted(formats), default="requirements", help="requirements (+ runtime.txt), environment (environment.yml)" + (", or guix (manifest.scm, an export)" if "guix" in formats else ""))
    p.add_argument("--exclude", action="append", metavar="NAME", help="leave this distribution out (repeatable)")
    p.add_argument("--include", action="append", metavar="NAME", help="also write this row: an optional one, one that needs a decision, or (write) one the resolution check holds back (repeatable)")


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, which argparse asks for each parser it
    builds, without importing shutil (about 2 ms before a first run reads any file)."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


COMMANDS = ("propose", "write", "check", "badge", "commit", "verify")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``only``: build that command's part alone (a run
    names one command: the others' options need not be built)."""
    import argparse

    class Formatter(argparse.HelpFormatter):
        def __init__(self, prog: str, *args: Any, **kwargs: Any) -> None:
            if len(args) < 3 and kwargs.get("width") is None:
                kwargs["width"] = terminal_columns() - 2  # argparse's own default
            super().__init__(prog, *args, **kwargs)

    class Parser(argparse.ArgumentParser):
        """Sub-commands' parsers too get the formatter (argparse does not pass it on)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", Formatter)
            super().__init__(*args, **kwargs)

    parser = Parser(
        prog="jupyter rees",
        description="Make a folder of notebooks reproducible: propose, write and check a REES "
        "(the files Binder reads), make a Binder badge, commit.",
        epilog="Exit codes: 0 ok, 1 check failed or write refused, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    if only in (None, "propose"):
        p = sub.add_parser("propose", help="print the REES the folder needs (stdout), warnings on stderr")
        _environment_options(p)
        _row_options(p, EXPORTS)
        shape = p.add_mutually_exclusive_group()
        shape.add_argument("--json", action="store_true", help="print the whole proposal as JSON")
        shape.add_argument("--table", action="store_true", help="a readable table with sites and warnings")
        p.add_argument("--syntax", action="store_true", help="parse every code cell, so each syntax error is reported (by default only cells that can import are parsed)")
        p.add_argument("--resolve", action="store_true", help="also run the check write runs before writing: resolve the lines not pinned from the kernel for the REES's Python (needs the package index) and move those that break the REES to Needs a decision (--include NAME keeps one)")
        p.set_defaults(func=cmd_propose)

    if only in (None, "write"):
        p = sub.add_parser("write", help="show the diff of the REES; --yes writes it")
        _environment_options(p)
        _row_options(p)
        p.add_argument("--dir", dest="dir_name", choices=TARGETS, default="binder", help="where to write (default binder)")
        p.add_argument("--update-pins", action="store_true", help="replace the pins the REES already has with the pin policy's (by default a pin as written is kept)")
        p.add_argument("--remove", action="append", metavar="PATH", help="delete a configuration file Binder would ignore (as the notes name it; repeatable)")
        p.add_argument("--no-resolve", action="store_true", help="do not check before writing that the lines not pinned from the kernel (packages it lacks, ranges) resolve for the REES's Python; by default they are resolved (uv pip compile, else pip's dry run; needs the package index, c.Rees.resolve_before_write) and those that break the REES are held back under Needs a decision (--include NAME writes one anyway)")
        p.add_argument("--yes", action="store_true", help="write the changes shown")
        p.set_defaults(func=cmd_write)

    if only in (None, "check"):
        p = sub.add_parser("check", help="exit 1 when the existing REES misses an import (for CI)")
        _environment_options(p)
        p.add_argument("--unused", action="store_true", help="also list declared packages no notebook imports")
        p.add_argument("--strict-unused", action="store_true", help="with --unused: unused packages fail the check too")
        p.add_argument("--syntax", action="store_true", help="parse every code cell; a syntax error anywhere fails the check (by default only cells that can import are parsed)")
        p.add_argument("--resolve", action="store_true", help="also resolve the requirements for the REES's Python version without installing (uv pip compile, else pip --dry-run; needs the package index)")
        p.set_defaults(func=cmd_check)

    if only in (None, "badge"):
        p = sub.add_parser("badge", help="print the Binder badge for the folder's git remote")
        p.add_argument("dir", help="folder (inside a git repository)")
        p.add_argument("--remote", help="git remote to use (default: origin, else the first)")
        p.add_argument("--ref", help="branch, tag or commit (default: the current branch)")
        p.add_argument("--notebook", metavar="PATH", help="open this file (relative to the folder)")
        p.add_argument("--mode", choices=BINDER_MODES, default="lab", help="full JupyterLab, a single document, the classic notebook or a Voila dashboard")
        p.add_argument("--doi", help="a Zenodo/Figshare/Dataverse DOI instead of the git remote")
        p.add_argument("--provider", choices=["zenodo", "figshare", "dataverse", "hydroshare"], help="with --doi: the archive (guessed from the DOI when omitted)")
        p.add_argument("--env-repo", metavar="URL", help="open this folder's repository in another repository's image (nbgitpuller); the environment repo must install nbgitpuller")
        p.add_argument("--env-ref", default="HEAD", help="with --env-repo: its branch, tag or commit (default HEAD)")
        p.add_argument("--format", choices=["markdown", "rst", "html", "url"], default="markdown")
        p.add_argument("--readme", action="store_true", help="show the README change that inserts the badge")
        p.add_argument("--yes", action="store_true", help="with --readme: write it")
        p.set_defaults(func=cmd_badge)

    if only in (None, "commit"):
        p = sub.add_parser("commit", help="commit the REES files (and README) and nothing else")
        p.add_argument("dir", help="folder (inside a git repository)")
        p.add_argument("-m", "--message", help="commit message")
        p.add_argument("files", nargs="*", help="files to commit, relative to the folder (default: the REES folder's files and the README)")
        p.set_defaults(func=cmd_commit)

    if only in (None, "verify"):
        p = sub.add_parser("verify", help="rebuild the REES in a clean environment and check the notebooks against it")
        p.add_argument("dir", help="folder with a REES (binder/requirements.txt, environment.yml, …)")
        p.add_argument("--run", action="store_true", help="also run every notebook (in a temporary copy of the folder)")
        p.add_argument("--timeout", type=float, default=300, metavar="S", help="with --run: seconds allowed per cell (default 300)")
        p.add_argument("--total-timeout", type=float, default=1800, metavar="S", help="with --run: seconds allowed for all notebooks (default 1800)")
        p.add_argument("--notebook", action="append", metavar="PATH", help="with --run: run only this notebook (relative to DIR; repeatable); the imports of every notebook are still checked")
        p.add_argument("--json", action="store_true", help="print the verdict as JSON (same exit codes)")
        p.add_argument("--register-kernel", action="store_true", help='register the rebuilt environment as the kernel "<folder> (from its REES)"')
        p.add_argument("--python", metavar="PATH", help="interpreter for the suggested pins, and to build with when the REES's Python version is not on this machine (default: the notebooks' kernel)")
        p.add_argument("--installer", choices=["auto", "uv", "pip"], default="auto", help="uv when installed (auto), or venv + pip")
        p.add_argument("--no-index", action="store_true", help="do not use the package index (with --find-links)")
        p.add_argument("--find-links", action="append", metavar="DIR", help="a folder of wheels to install from (repeatable)")
        _size_option(p)
        p.set_defaults(func=cmd_verify)
    return parser


def _rememberable(args: argparse.Namespace) -> bool:
    """propose and check answer from files alone (no network, nothing written)."""
    import os

    return (
        args.func in (cmd_propose, cmd_check)
        and not args.no_cache
        and not args.check_index
        and not args.resolve  # propose --resolve and check --resolve ask the package index
        and os.path.isdir(args.dir)
    )


def main(argv: list[str] | None = None) -> int:
    """Run one command; ``argv`` None: this process's own command line, and the process
    ends with it (see ``_end``)."""
    global _ending
    _ending = argv is None and sys.argv[1:2] in (["propose"], ["check"], ["write"])
    code = _run(argv)
    if _ending:
        _end(code)
    return code


_ending = False  # this run's process ends with ``_end``


def _end(code: int) -> None:
    """End the process as soon as its output is out: ``os._exit`` after flushing, with
    nothing left running (a scan's processes and the environment's reader are waited
    for inside the command). Python's own shutdown would first free every object the
    run built one by one (a folder of thousands of notebooks leaves hundreds of
    thousands) and run a last garbage collection over them: tens of milliseconds of
    a command that takes a few hundred, for nothing. Only for the commands that leave
    nothing behind (propose, check, write); verify's kernels and builds end as usual."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # a closed pipe: let Python's shutdown report it as usual
    os._exit(code)


#: options that change neither the interpreter whose environment is read nor its caching
_PLAIN_FLAGS = frozenset({"--json", "--table", "--syntax", "--unused", "--strict-unused", "--resolve", "--check-index"})


def _plain(words: Sequence[str]) -> tuple[str | None, str] | None:
    """For ``propose DIR`` / ``check DIR`` with at most such flags and one ``--python
    PATH``: ``(PATH, DIR)``, or ``(None, DIR)`` without it (then the environment read is
    the notebooks' usual kernel's, as the workflow will guess it); None for any other line."""
    rest, pythons = [], []
    words = list(words[1:])
    while words:
        word = words.pop(0)
        if word == "--python" and words:
            pythons.append(words.pop(0))
        elif word.startswith("--python="):
            pythons.append(word.partition("=")[2])
        else:
            rest.append(word)
    if len(pythons) > 1 or pythons[:1] == [""] or "--python" in rest:
        return None  # as argparse decides
    folders = [w for w in rest if not w.startswith("-")]
    if len(folders) == 1 and all(w in _PLAIN_FLAGS for w in rest if w.startswith("-")):
        return (pythons[0] if pythons else None, folders[0])
    return None


def _run(argv: list[str] | None) -> int:
    words = sys.argv[1:] if argv is None else argv
    early = None
    if words[:1] in (["propose"], ["check"]):
        # The pre-commit case: this very command line's answer, remembered, is checked and
        # printed before the command line is even parsed (argparse is not imported).
        from .adapters.answers import RememberedAnswer

        early = RememberedAnswer.of_command_line(words)
        if early is not None:
            code = early.replay()
            if code is not None:
                return code
        elif (plain := _plain(words)) is not None:
            # A first run of a plain command line: the environment (--python's, else the
            # usual kernel's) starts being read now, on another CPU, before the command
            # line is parsed and the folder listed; the workflow takes it over when it
            # asks for the same one.
            from .adapters.environment import NOTEBOOK_KERNEL, start_early

            python = plain[0]
            start_early(python, None if python else NOTEBOOK_KERNEL, None, remember=True)
            from .adapters.listing import start_early as start_listing  # imported once that runs

            start_listing(plain[1])  # git lists the folder meanwhile, on another CPU
    parser = build_parser(words[0] if words and words[0] in COMMANDS else None)
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `commit DIR -m msg README.md`: argparse leaves files given after an option over
        if args.func is cmd_commit and not any(e.startswith("-") for e in extra):
            args.files = [*args.files, *extra]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.func in (cmd_propose, cmd_check, cmd_write):
        import gc

        # A short run that builds hundreds of thousands of small objects (scans, sites,
        # rows) and no reference cycles: the cyclic collector would only trace them.
        gc.disable()
    try:
        if _rememberable(args):  # the same command on an unchanged folder: the same answer
            # Straight from the adapter, not through the workflow: a replayed answer
            # needs none of the pipeline's modules.
            from .adapters.answers import RememberedAnswer

            if early is not None and (early.folder, early.reads_rees) == (args.dir, args.func is cmd_check):
                answer = early  # its replay above found the folder changed: record anew
            else:
                answer = RememberedAnswer(words, args.dir, reads_rees=args.func is cmd_check)
                code = answer.replay()
                if code is not None:
                    return code
            args.listing = answer.listing  # the files just listed: not listed again
            return answer.record(lambda: args.func(args))
        return args.func(args)
    except workflow.WorkflowError as exc:
        code = exit_code(exc)
        _err(f"jupyter rees: {'error' if code == EXIT_USAGE else 'refused' if code else 'note'}: {exc}")
        return code
    except OSError as exc:  # a path the system refuses (too long, a loop of links…)
        where = f" ({str(exc.filename)[:80]})" if exc.filename else ""
        _err(f"jupyter rees: error: {exc.strerror or exc}{where}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("jupyter rees: interrupted")
        return 130
    finally:
        for started in ("jupyter_rees_ui.adapters.environment", "jupyter_rees_ui.adapters.listing"):
            if started in sys.modules:  # nothing started otherwise
                sys.modules[started].cancel_early()


if __name__ == "__main__":
    sys.exit(main())
