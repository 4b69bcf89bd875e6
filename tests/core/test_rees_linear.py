"""Preview cost grows linearly with the rows: merging, diffing and listing pin changes."""

from __future__ import annotations

import gc
import time

import pytest

from jupyter_rees_ui.core import rees
from jupyter_rees_ui.core.model import ProposedRequirement


def preview_cost(n: int, fmt: str, name: str) -> float:
    """CPU seconds to preview ``n`` rows against a file holding every other one."""
    rows = [ProposedRequirement(f"pkg{i:06d}", specifier="==1.0") for i in range(n)]
    new = rees.render_rees(rows, "3.11", fmt=fmt)[name]
    old = rees.render_rees(rows[::2], "3.11", fmt=fmt)[name].replace("==1.0", "==0.9")
    best = float("inf")
    gc.disable()  # a collection landing in one run only would skew the ratio
    try:
        for _ in range(3):
            start = time.process_time()
            merged = rees.merge_rees_file(name, old, new)
            rees.unified_diff(name, old, merged)
            rees.pin_changes(old, merged, name=name)
            rees.change_notes(name, old, merged)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    assert merged.count("==1.0") == n
    return best


@pytest.mark.parametrize(
    ("fmt", "name", "small"),
    [("requirements", "requirements.txt", 3_000), ("environment", "environment.yml", 1_000)],
)
def test_four_times_the_rows_cost_about_four_times_as_much(fmt, name, small):
    # linear: ratio ~4; the quadratic merge it replaces gave ~16 (8k rows: 3.4 s, 100k: 584 s)
    ratio = preview_cost(4 * small, fmt, name) / preview_cost(small, fmt, name)
    # a wide margin between linear (4) and quadratic (16): the machine may be busy
    assert ratio < 10, ratio


def test_new_names_go_before_the_first_that_sorts_after_them():
    old = "# mine\nzeta==1\nalpha==1  # keep\n\nmid==1\n"
    new = "beta==2\nalpha==2\nomega==2\naaa==2\n"
    merged = rees.merge_requirements_txt(old, new)
    body = [line for line in merged.splitlines()[1:]]
    assert body == ["# mine", "aaa==2", "beta==2", "omega==2", "zeta==1", "alpha==2  # keep", "", "mid==1"]
