"""The end-to-end benchmark's report: ratios to deptry, medians and round by round."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
try:
    import e2e_benchmark as bench
finally:
    sys.path.remove(str(ROOT / "benchmarks"))


def runs(*walls: float) -> SimpleNamespace:
    return SimpleNamespace(samples=[SimpleNamespace(wall=w) for w in walls])


def test_round_by_round_ratios_pair_the_runs_of_each_round():
    ours, deptry = runs(0.25, 0.26, 0.24), runs(0.20, 0.26, 0.24)
    assert bench.per_round(ours, deptry) == "1.00–1.25×"  # rounds 2 and 3 even, round 1 behind
    assert bench.per_round(runs(), deptry) == "-"
