"""Time the whole commands a user types, ours against deptry, FawltyDeps, pigar and pipreqs.

One command from a clean clone (the project installed, so that `jupyter rees` runs):

    python benchmarks/e2e_benchmark.py                  # 300 and 3,000 notebooks, 5 rounds
    python benchmarks/e2e_benchmark.py --sizes 300 --rounds 3   # quicker

Every figure is a fresh process started the way a user starts it (`jupyter rees propose .`
goes through jupyter_core's `jupyter` launcher, which execs `jupyter-rees`), from its start
to its exit, in the corpus folder. The commands run in rounds, each command once per
round in turn, so that load from elsewhere on the machine hits every tool alike; the
tables give medians. Peak RSS is the largest single process of the command's tree
(what `/usr/bin/time -v` reports), from `os.wait4`.

Ours, cold: no cache folder at all (`XDG_CACHE_HOME` pointing at a new empty folder
each run), so the folder is scanned and the environment read as on a first run.
Ours, warm: the same command again with nothing changed (the pre-commit case). One
changed: one notebook of the folder rewritten before each run.
`--python`: pins from a venv with ~200 distributions (built by this script from the
metadata of the running environment's distributions, see `wide_venv`).

The notebooks' kernel (`python3`) is, for our commands, a venv of the benchmark's own
under `--work` (`kernel_venv`: the running environment's distributions, metadata only),
registered through `JUPYTER_PATH`: nothing installs into it while the commands run, so
"warm" measures what a user's warm run is and not a re-read of an environment that
changed meanwhile.

The corpora are those of `scan_benchmark.py` (same generator, same seed); the peers are
installed into the same throwaway venv. Results go to stdout and `RESULTS-e2e.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from scan_benchmark import PEERS, ensure_peers, generate_corpus, peer_command  # noqa: E402

WIDE_DISTRIBUTIONS = 200


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system of the whole process tree
    rss_kb: int  # peak resident set of its largest process
    status: str


@dataclass
class Command:
    label: str
    argv: list[str]
    env: dict[str, str] | None = None
    cold: bool = False  # a new empty cache folder before each run
    before: object = None  # called before each run (e.g. change a notebook)
    after: object = None  # called after each run (put it back)
    compare: bool = True  # given as a ratio of deptry's time
    samples: list[Sample] = field(default_factory=list)


def run(argv: list[str], cwd: Path, env: dict[str, str] | None, timeout: float = 900) -> Sample:
    """One run of a command: wall time, CPU time and peak RSS of its process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the pipes in the background of wait4: a command that prints a lot must not block.
    import threading

    out: list[bytes] = []
    readers = [threading.Thread(target=lambda p=p: out.append(p.read())) for p in (process.stdout, process.stderr)]
    for reader in readers:
        reader.start()
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.0005)
    wall = time.perf_counter() - start
    for reader in readers:
        reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    text = b"".join(out).decode(errors="replace")
    if "Traceback (most recent call last)" in text:
        state = "crashed: " + text.strip().splitlines()[-1][:100]
    elif wall > timeout:
        state = f"timed out after {timeout:.0f} s"
    else:
        state = f"ok (exit {process.returncode})"
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, state)


def wide_venv(where: Path, count: int = WIDE_DISTRIBUTIONS) -> Path:
    """A venv holding ``count`` distributions' metadata: every distribution of the running
    environment copied (METADATA, RECORD, top_level.txt, ...), then copies of them under
    other names and with their modules renamed until there are ``count`` (0: the copies
    alone). Only the
    metadata is there (introspection reads RECORD, not the modules); the venv is built
    once and reused."""
    python = where / "bin" / "python"
    marker = where / f".made-with-{count}"
    if marker.exists():
        return python
    if where.exists():
        shutil.rmtree(where)
    venv.EnvBuilder(with_pip=False).create(where)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    from importlib import metadata

    sources = sorted({Path(d._path) for d in metadata.distributions() if str(getattr(d, "_path", "")).endswith(".dist-info")})
    made = 0
    for info in sources:
        shutil.copytree(info, site / info.name)
        made += 1
    round_ = 0
    while made < count:
        round_ += 1
        for info in sources:
            if made >= count:
                break
            name = info.name[: -len(".dist-info")].rsplit("-", 1)[0]
            clone = site / f"clone{round_}_{name}-1.0.dist-info"
            clone.mkdir()
            for file in info.iterdir():
                if file.name in ("METADATA", "RECORD", "top_level.txt"):
                    text = file.read_text(encoding="utf-8", errors="replace")
                    if file.name == "METADATA":
                        text = "\n".join(
                            f"Name: clone{round_}_{name}" if line.startswith("Name:") else
                            "Version: 1.0" if line.startswith("Version:") else line
                            for line in text.splitlines()
                        )
                    elif file.name == "RECORD":
                        text = "\n".join(f"clone{round_}_{line}" for line in text.splitlines() if line)
                    else:
                        text = "\n".join(f"clone{round_}_{line}" for line in text.split())
                    (clone / file.name).write_text(text + "\n", encoding="utf-8")
            made += 1
    marker.write_text(f"{made} distributions\n")
    return python


def kernel_venv(work: Path) -> Path:
    """The folder for ``JUPYTER_PATH`` whose ``python3`` kernel runs a venv of the
    benchmark's own (the running environment's distributions, metadata only: see
    ``wide_venv``), built once under ``work`` and reused."""
    work = work.resolve()
    python = wide_venv(work / "kernel-venv", count=0)
    data = work / "kernel-data"
    spec = data / "kernels" / "python3" / "kernel.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "Python 3 (benchmark)", "language": "python"}, indent=1)
    if not spec.exists() or spec.read_text(encoding="utf-8") != text:
        spec.write_text(text, encoding="utf-8")
    return data


def touch_one(corpus: Path, k: list[int]):
    """Before each run: rewrite one notebook (a new code cell), as an edit would."""
    target = corpus / "part000" / "analysis_00000.ipynb"
    original = target.read_text(encoding="utf-8")
    stamp = target.stat()

    def change() -> None:
        k[0] += 1
        nb = json.loads(original)
        nb["cells"].append({"cell_type": "code", "id": f"e{k[0]}", "metadata": {}, "outputs": [],
                            "execution_count": None, "source": f"import networkx\nx = {k[0]}"})
        target.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        past = time.time_ns() - 1_000_000_000  # a second old: past the racy window
        os.utime(target, ns=(past, past))

    def restore() -> None:
        """The notebook as it was, mtime included: the other commands' answers hold again."""
        target.write_text(original, encoding="utf-8")
        os.utime(target, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))

    return change, restore


def jupyter_command() -> str:
    found = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if not found:
        raise SystemExit("`jupyter` not found: install the project (pip install -e .) first")
    return found


def bench(corpus: Path, n: int, args: argparse.Namespace, bin_dir: Path | None, wide: Path | None, work: Path) -> dict:
    jupyter = jupyter_command()
    base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    # Our commands import this checkout (as an editable install would).
    base_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    # The notebooks' kernel: the benchmark's own venv, which nothing modifies meanwhile.
    base_env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(args.kernel_data), os.environ.get("JUPYTER_PATH", "")]))
    warm_home = Path(tempfile.mkdtemp(prefix="rees-warm-", dir=work))
    warm_env = {**base_env, "XDG_CACHE_HOME": str(warm_home)}
    ours = [jupyter, "rees", "propose", "."]
    commands = [
        Command("`jupyter rees --help` (start-up)", [jupyter, "rees", "--help"], base_env, compare=False),
        Command("`jupyter rees propose .`, cold (no cache)", ours, base_env, cold=True),
        Command("`jupyter rees propose .`, warm (nothing changed)", ours, warm_env),
        Command("`jupyter rees check .`, warm (the pre-commit hook)", [jupyter, "rees", "check", "."], warm_env),
    ]
    if wide is not None:
        wide_args = [*ours, "--python", str(wide)]
        commands += [
            Command(f"`jupyter rees propose . --python <venv, {WIDE_DISTRIBUTIONS} distributions>`, cold", wide_args, base_env, cold=True),
            Command(f"`jupyter rees propose . --python <venv, {WIDE_DISTRIBUTIONS} distributions>`, warm", wide_args, warm_env),
        ]
    counter = [0]
    change, restore = touch_one(corpus, counter)
    # Its own cache folder: its answers for the changed folder must not replace the
    # answers the warm rows replay.
    edit_home = Path(tempfile.mkdtemp(prefix="rees-edit-", dir=work))
    edit_env = {**base_env, "XDG_CACHE_HOME": str(edit_home)}
    commands.append(Command("`jupyter rees propose .`, one notebook changed", ours, edit_env, before=change, after=restore))
    for tool in args.peers:
        assert bin_dir is not None
        commands.append(Command(f"`{tool}` (whole command)", peer_command(tool, bin_dir, work), dict(os.environ)))

    # Prime the warm cache folder (and the page cache for every tool alike).
    for command in commands:
        if not command.cold:
            run(command.argv, corpus, command.env)
    try:
        for _ in range(args.rounds):
            for command in commands:
                if command.samples and not command.samples[-1].status.startswith("ok"):
                    continue  # a crash is reported once
                env = command.env
                if command.cold:
                    cold_home = Path(tempfile.mkdtemp(prefix="rees-cold-", dir=work))
                    env = {**(env or {}), "XDG_CACHE_HOME": str(cold_home)}
                if callable(command.before):
                    command.before()
                command.samples.append(run(command.argv, corpus, env))
                if callable(command.after):
                    command.after()
                if command.cold:
                    shutil.rmtree(cold_home, ignore_errors=True)
    finally:
        restore()
        shutil.rmtree(warm_home, ignore_errors=True)
        shutil.rmtree(edit_home, ignore_errors=True)
    return {"notebooks": n, "commands": commands}


def median(values) -> float:
    return statistics.median(values)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def summary(command: Command) -> tuple[float, float, int, str]:
    failed = [s for s in command.samples if not s.status.startswith("ok")]
    samples = command.samples
    status = failed[0].status if failed else samples[0].status
    return (median(s.wall for s in samples), median(s.cpu for s in samples),
            max(s.rss_kb for s in samples), status)


def report(results: list[dict], args: argparse.Namespace, versions: dict[str, str], started: float) -> str:
    load = os.getloadavg()
    lines = [
        "# End-to-end benchmark results",
        "",
        f"Written by `benchmarks/e2e_benchmark.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}.",
        f"Command: `python benchmarks/e2e_benchmark.py {' '.join(sys.argv[1:])}`".rstrip(),
        f"Peers: {', '.join(f'{k} {v}' for k, v in versions.items()) or 'not run'}.",
        (
            f"Each command is a fresh process, timed from its start to its exit, in the corpus folder; "
            f"{args.rounds} rounds, every command once per round in turn; medians. CPU time is user + "
            "system of the whole process tree; peak RSS is its largest process (as `/usr/bin/time -v`)."
        ),
        (
            f"Load average (1, 5, 15 min) before the run: "
            f"{', '.join(f'{x:.1f}' for x in getattr(args, 'load_before', load))}; when the report was written: "
            f"{', '.join(f'{x:.1f}' for x in load)}; the run took {time.time() - started:.0f} s."
        ),
        (
            "The notebooks' kernel (`python3`) is a venv of the benchmark's own with the running "
            f"environment's {kernel_count(args)} distributions (metadata only), which nothing "
            "modifies during the run."
        ),
        "",
    ]
    for result in results:
        commands = result["commands"]
        deptry = next((c for c in commands if c.label.startswith("`deptry`")), None)
        reference = summary(deptry)[0] if deptry and deptry.samples else None
        lines += [
            f"## {result['notebooks']:,} notebooks",
            "",
            "| command | wall time | ÷ deptry | ÷ deptry, round by round | CPU time | peak RSS | status |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for command in commands:
            if not command.samples:
                continue
            wall, cpu, rss, status = summary(command)
            compared = reference and command.compare and status.startswith("ok")
            ratio = f"{wall / reference:.2f}×" if compared else "-"
            spread = per_round(command, deptry) if compared and command is not deptry else "-"
            lines.append(
                f"| {command.label} | {fmt(wall)} | {ratio} | {spread} | {fmt(cpu)} | {rss / 1024:.0f} MB | {status} |"
            )
        lines.append("")
    lines += [
        "- deptry exits 1 and FawltyDeps 3 because the generated requirements.txt is not what they",
        "  expect (they report problems): both ran to the end. pipreqs stops at the first syntax-error cell.",
        "- Cold means no cache folder at all: every notebook is read and the environment introspected.",
        "  The operating system's file cache is warm for every tool alike (the corpus was read before).",
        "- \"÷ deptry\" divides the medians; \"round by round\" gives the lowest and highest ratio of a run",
        "  to deptry's run in the same round, the spread one round alone would show.",
        "",
    ]
    return "\n".join(lines)


def per_round(command: Command, deptry: Command) -> str:
    """The lowest and highest of the round-by-round ratios (this command's run ÷ deptry's
    run of the same round): how far one round's answer could stray from the medians'."""
    ratios = [ours.wall / theirs.wall for ours, theirs in zip(command.samples, deptry.samples) if theirs.wall > 0]
    return f"{min(ratios):.2f}–{max(ratios):.2f}×" if ratios else "-"


def kernel_count(args: argparse.Namespace) -> str:
    marker = next((args.work / "kernel-venv").glob(".made-with-*"), None)
    return marker.read_text().split()[0] if marker else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,3000", help="comma-separated corpus sizes (notebooks)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the median is reported")
    parser.add_argument("--peers", default=",".join(PEERS), help="peers to time; empty for none")
    parser.add_argument("--venv", type=Path, default=HERE / ".venv-peers", help="where the peers are installed")
    parser.add_argument("--wide", type=Path, default=HERE / ".venv-wide", help="the venv with ~200 distributions")
    parser.add_argument("--no-wide", action="store_true", help="skip the --python rows")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="where corpora are generated")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS-e2e.md")
    args = parser.parse_args(argv)
    args.peers = [p for p in args.peers.split(",") if p]
    started = time.time()
    # pip byte-compiles what it installs, peers included; do the same for this checkout.
    import compileall

    compileall.compile_dir(REPO / "jupyter_rees_ui", quiet=1)

    bin_dir = ensure_peers(args.venv) if args.peers else None
    versions = {}
    if bin_dir is not None:
        listed = subprocess.run([str(bin_dir / "python"), "-m", "pip", "list", "--format=json"],
                                capture_output=True, check=True).stdout
        installed = {p["name"].lower(): p["version"] for p in json.loads(listed)}
        versions = {p: installed.get(p, "?") for p in args.peers}
    wide = None if args.no_wide else wide_venv(args.wide)
    args.work.mkdir(parents=True, exist_ok=True)
    args.kernel_data = kernel_venv(args.work)
    args.load_before = os.getloadavg()
    results = []
    for size in (int(s) for s in args.sizes.split(",") if s):
        corpus = args.work / f"corpus-{size}"
        if not (corpus / ".git").exists() or len(list(corpus.glob("part*/*.ipynb"))) != size:
            print(f"generating {size} notebooks ...", flush=True)
            generate_corpus(corpus, size)
        print(f"timing {size} notebooks ...", flush=True)
        results.append(bench(corpus, size, args, bin_dir, wide, args.work))
        print(report(results[-1:], args, versions, started), flush=True)
    text = report(results, args, versions, started)
    args.results.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
