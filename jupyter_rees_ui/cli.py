"""``jupyter rees``: the same pipeline as the sidebar, from a terminal.

Exit codes: 0 ok, 1 check failed, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .adapters.project import propose
from .core.model import Proposal
from .core.rees import render_rees

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the command line: printed, exit code 2."""


def _folder(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise UsageError(f"no such folder: {value}")
    return path


def _warn(proposal: Proposal) -> None:
    for note in proposal.notes:
        print(f"note: {note}", file=sys.stderr)
    for issue in proposal.issues:
        loc = issue.location
        where = loc.path + (f" cell {loc.cell}" if loc.cell is not None else "") + f" line {loc.line}"
        print(f"warning: {where}: {issue.message}", file=sys.stderr)
    for row in proposal.requirements:
        for warning in row.warnings:
            print(f"warning: {row.name}: {warning}", file=sys.stderr)


def cmd_propose(args: argparse.Namespace) -> int:
    proposal = propose(_folder(args.dir), python=args.python, kernel=args.kernel, pin=args.pin)
    if args.json:
        json.dump(proposal.to_json(), sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return EXIT_OK
    _warn(proposal)
    fmt = "environment" if args.format == "environment" else "requirements"
    files = render_rees([r for r in proposal.requirements if r.included], proposal.python_version, fmt=fmt)
    name = "environment.yml" if fmt == "environment" else "requirements.txt"
    sys.stdout.write(files[name])
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter rees",
        description="Make a folder of notebooks reproducible: propose, write and check a REES.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("propose", help="print the REES the folder needs")
    p.add_argument("dir", help="folder of notebooks")
    p.add_argument("--json", action="store_true", help="print the whole proposal as JSON")
    p.add_argument("--format", choices=["requirements", "environment"], default="requirements")
    p.add_argument("--python", help="interpreter whose environment gives the pins")
    p.add_argument("--kernel", help="kernelspec whose interpreter gives the pins")
    p.add_argument("--pin", choices=["==", "~=", ">=", "none"], default="==")
    p.set_defaults(func=cmd_propose)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"jupyter rees: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
