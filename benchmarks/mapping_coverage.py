"""Coverage of the import -> distribution mapping for modules the kernel does not have.

    python benchmarks/mapping_coverage.py --corpus DIR --envs DIR [--write]

When a notebook imports something the kernel's environment lacks, only the mapping data
decides what is written. This measures, over real import names, how often each mapping
names the right distribution with certainty, leaves the choice to the user, or names a
wrong one. Every import is resolved against an *empty* environment, so the mapping alone
answers.

Import names (two sets):

A. The third-party imports of the notebook projects of ``reproduce_corpus.json``
   (checkouts under ``--corpus DIR/NAME``, as ``reproduce_benchmark.py`` makes them),
   found by our scanner. Ground truth: the distribution that provides the module in the
   project's author-like environment (``--envs DIR/author-NAME``, built by
   ``reproduce_benchmark.py``), read from its RECORD files as the resolver reads an
   installed environment. Imports the author environment lacks have no ground truth and
   are counted apart.
B. Every public top-level module of every distribution installed in those author
   environments (dependencies included): names notebooks in this field can import.
   Ground truth: the one distribution that owns it there (modules several own are
   skipped).

C. (with ``--outside FILE``) The import names of distributions *outside* the bundled
   list: ``FILE`` is built by ``scripts/build_import_names.py`` from the next most
   downloaded distributions. Ground truth: the wheel listings, where any distribution
   whose wheel provides the module counts as right (a fork or a bundle of a popular
   module counts as the popular one). It shows what happens beyond the data's reach.

One unit is one import name with its ground truth (``sklearn`` -> scikit-learn counts
once however many notebooks import it; a namespace such as ``google`` counts once per
distribution under it).

Mappings compared:
- pipreqs: pipreqs' table alone;
- before: pipreqs' table with our reviewed corrections (what the resolver used before
  the wheel data);
- now: the bundled wheel data, our corrections and pipreqs' table together.

Outcomes: **right** (one distribution, written, and it is the truth), **wrong** (one
distribution, written, not the truth), **decision** (several candidates, nothing
written; "with the right one" when the truth is among them), **guess** (only the import
name or a namespace convention, nothing written; "right" when the guess is the truth),
**left out** (the mapping says nothing provides it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from packaging.utils import canonicalize_name  # noqa: E402

from jupyter_rees_ui.adapters.environment import introspect  # noqa: E402
from jupyter_rees_ui.adapters.files import scan_folder  # noqa: E402
from jupyter_rees_ui.core.mapping import (  # noqa: E402
    WheelData,
    build_mapping,
    bundled_mapping,
    bundled_wheel_data,
    read_pipreqs_mapping_text,
)
from jupyter_rees_ui.core.model import Environment, ImportSite, Location, ScanResult  # noqa: E402
from jupyter_rees_ui.core.resolve import (  # noqa: E402
    EnvironmentIndex,
    _choose_installed,
    _longest_owned_prefix,
    build_proposal,
)

OUTCOMES = ("right", "wrong", "decision, with the right one", "decision, without",
            "guess, right", "guess, wrong", "left out")
# module names distributions ship by mistake or as scripts: nobody imports them
NOT_PUBLIC = frozenset({"conftest", "setup", "test", "tests", "docs", "examples"})
EMPTY = Environment(python="/nowhere/python", python_version="3.11")


def mappings() -> dict[str, object]:
    text = read_pipreqs_mapping_text()
    return {
        "pipreqs": build_mapping(text, corrections={}, wheels=WheelData()),
        "before": build_mapping(text, wheels=WheelData()),
        "now": bundled_mapping(),
    }


def outcome(module: str, truth: set[str], mapping) -> tuple[str, str]:
    """(outcome, what the mapping answered) for one import resolved with nothing installed."""
    scan = ScanResult(root=".", files=("a.ipynb",), imports=(ImportSite(module, Location("a.ipynb", 0, 1)),))
    rows = build_proposal(scan, EMPTY, mapping=mapping).requirements
    if not rows:
        return "left out", "-"
    row = rows[0]
    names = [row.name, *row.candidates]
    said = " | ".join(names)
    if row.source == "unknown" and row.rule == "mapping" and not row.included and not row.candidates:
        if any("no distribution provides it" in w for w in row.warnings):
            return "left out", "-"
    right = canonicalize_name(row.name) in truth
    if row.included:
        return ("right" if right else "wrong"), said
    if row.candidates:
        among = any(canonicalize_name(n) in truth for n in names)
        return ("decision, with the right one" if among else "decision, without"), said
    return ("guess, right" if right else "guess, wrong"), said


def corpus_units(corpus: Path, envs: Path, manifest: dict) -> tuple[dict, Counter, dict[str, Environment]]:
    """Set A: {(unit key): (module, truth set, projects)} from the notebook projects."""
    units: dict[tuple[str, str], dict] = {}
    missing: Counter = Counter()
    environments: dict[str, Environment] = {}
    for project in manifest["projects"]:
        name = project["name"]
        root = corpus / name / (project.get("subdir") or "")
        python = envs / f"author-{name}" / "bin" / "python"
        if not root.is_dir() or not python.exists():
            print(f"skipped {name}: no checkout or no author environment", file=sys.stderr)
            continue
        env = introspect(str(python), timeout=120)
        environments[name] = env
        index = EnvironmentIndex(env)
        scan = scan_folder(root, target_python=str(python))
        for site in scan.imports:
            if site.kind == "type-checking" or site.top_level in scan.local_modules:
                continue
            owned = _longest_owned_prefix(site.module, index)
            if owned is None:
                missing[site.top_level] += 1
                continue
            chosen, _others, _why = _choose_installed(site.module, owned[0], index)
            truth = {chosen, *index.owners(owned[0])}
            key = (site.top_level, chosen)
            unit = units.setdefault(key, {"module": site.module, "truth": truth, "projects": set()})
            if len(site.module) < len(unit["module"]):
                unit["module"] = site.module
            unit["projects"].add(name)
    return units, missing, environments


def environment_units(environments: dict[str, Environment]) -> dict:
    """Set B: every public top-level module of the author environments' distributions."""
    owners: dict[str, set[str]] = defaultdict(set)
    for env in environments.values():
        index = EnvironmentIndex(env)
        for dist in env.distributions:
            for path in dist.files:
                top = path.split("/", 1)[0].split(".", 1)[0]
                public = top.isidentifier() and not top.startswith("_") and top not in NOT_PUBLIC
                if public and index.own_file(top):
                    owners[top] |= set(index.owners(top))
    return {
        (top, next(iter(dists))): {"module": top, "truth": dists, "projects": set()}
        for top, dists in sorted(owners.items())
        if len(dists) == 1
    }


def outside_units(path: Path) -> dict:
    """Set C: names that one distribution outside the bundled list provides."""
    import gzip

    data = json.loads(gzip.decompress(path.read_bytes()))
    shipped = bundled_wheel_data()
    units = {}
    for module, dists in sorted(data["modules"].items()):
        outside = [d for d in dists if canonicalize_name(d) not in shipped.examined]
        top = module.split(".", 1)[0]
        if not outside or top.startswith("_") or top in NOT_PUBLIC:
            continue
        truth = {canonicalize_name(d) for d in (*dists, *shipped.modules.get(module, ()))}
        units[(module, outside[0])] = {"module": module, "truth": truth, "projects": set()}
    return units


def score(units: dict) -> tuple[dict[str, Counter], dict[str, list[str]]]:
    counts: dict[str, Counter] = {}
    details: dict[str, list[str]] = defaultdict(list)
    for label, mapping in mappings().items():
        counts[label] = Counter()
        for (_top, truth_name), unit in sorted(units.items()):
            result, said = outcome(unit["module"], unit["truth"], mapping)
            counts[label][result] += 1
            if label == "now" and result not in ("right",):
                details[result].append(f"`{unit['module']}` (truth {truth_name}; answered {said})")
    return counts, details


def table(title: str, units: dict, counts: dict[str, Counter]) -> list[str]:
    total = len(units)
    lines = [f"### {title}: {total} import names", "",
             "| outcome | " + " | ".join(counts) + " |", "|---|" + "---:|" * len(counts)]
    for result in OUTCOMES:
        cells = [f"{counts[label][result]} ({counts[label][result] / total:.0%})" if total else "0"
                 for label in counts]
        lines.append(f"| {result} | " + " | ".join(cells) + " |")
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True, help="checkouts, one folder per project")
    parser.add_argument("--envs", type=Path, required=True, help="author environments: DIR/author-NAME")
    parser.add_argument("--manifest", type=Path, default=HERE / "reproduce_corpus.json")
    parser.add_argument("--outside", type=Path, help="import-name data of distributions outside the bundled list")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-mapping.md")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text("utf-8"))

    corpus, missing, environments = corpus_units(args.corpus, args.envs, manifest)
    everything = environment_units(environments)
    corpus_counts, corpus_details = score(corpus)
    env_counts, env_details = score(everything)
    outside = outside_units(args.outside) if args.outside else {}
    outside_counts, outside_details = score(outside)
    data = bundled_wheel_data()
    import importlib.resources

    size = len(importlib.resources.files("jupyter_rees_ui").joinpath("data", "import_names.json.gz").read_bytes())
    shared = sum(1 for dists in data.modules.values() if len(dists) > 1)
    out = [
        "# Mapping coverage for modules the kernel does not have",
        "",
        "Written by `benchmarks/mapping_coverage.py` (its docstring says what is measured and how).",
        f"Wheel data generated {data.generated}: {len(data.examined):,} distributions, "
        f"{len(data.modules):,} import names ({shared} of them provided by several wheels: a decision "
        f"unless our corrections or pipreqs settle it), {size / 1024:.0f} KB gzip JSON; "
        f"{len(data.without_wheel)} distributions of the list publish no wheel. "
        "Every import is resolved with nothing installed, so "
        "the mapping alone answers. Columns: pipreqs' table alone; *before* = pipreqs' table with "
        "our reviewed corrections (today's, without the wheel data); *now* = the wheel data with both. "
        "*right* and *wrong* rows are written (unpinned); decisions and guesses are not written "
        "until the user decides.",
        "",
        *table(f"A. Imports of the {len(environments)} corpus projects (truth: the author environment)",
               corpus, corpus_counts),
        f"Imports the author environments lack (no ground truth, not counted): "
        f"{', '.join(sorted(set(missing) - {top for top, _ in corpus})) or 'none'}.",
        "",
        *table("B. Public top-level modules of every distribution in those environments", everything, env_counts),
        *(table("C. Import names of the next most downloaded distributions, outside the bundled list "
                "(truth: their wheels)", outside, outside_counts) if outside else []),
        "## What *now* does not get right",
        "",
    ]
    for name, details in (("A", corpus_details), ("B", env_details), ("C", outside_details)):
        for result in OUTCOMES[1:]:
            if name == "C" and result == "guess, right":
                continue  # the expected answer beyond the data: the import name, a decision
            if details.get(result):
                out.append(f"- {name}, {result}: " + ", ".join(details[result]))
    text = "\n".join(out) + "\n"
    print(text)
    if args.write:
        (HERE / "RESULTS-mapping.md").write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
