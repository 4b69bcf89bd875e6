"""A package that needs a system library the kernel lacks is a decision in the proposal
(and in `propose --table`), unless the REES's apt.txt already lists what it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jupyter_rees_ui import workflow


def rpy2_row(folder: Path):
    proposal = workflow.propose(workflow.ProposeRequest(workflow.local_folder(folder), python=sys.executable)).proposal
    return next(r for r in proposal.requirements if r.name == "rpy2")


def test_rpy2_for_load_ext_is_a_decision_until_apt_txt_lists_r(tmp_path, tiny_notebook):
    tiny_notebook(tmp_path / "nb.ipynb", "%load_ext rpy2.ipython", "%R x <- 1")
    row = rpy2_row(tmp_path)
    assert row.included is False
    assert row.warnings[0].startswith("needs a decision: rpy2 needs R")
    assert "r-base, r-base-dev" in row.warnings[0]
    assert not any("written unpinned" in w for w in row.warnings)
    table = subprocess.run(
        [sys.executable, "-m", "jupyter_rees_ui.cli", "propose", str(tmp_path), "--table", "--no-cache", "--python", sys.executable],
        capture_output=True, text=True, timeout=120,
    ).stdout
    decision = table.split("Needs a decision", 1)[1]
    assert "rpy2" in decision
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "apt.txt").write_text("# R for rpy2\nr-base\nr-base-dev\n")
    row = rpy2_row(tmp_path)
    assert row.included is True
    assert any("apt.txt lists r-base" in w for w in row.warnings)
