"""The review model as a table: existing REES file × proposal × the user's decisions →
the rows shown and what the plan writes (real files, through the workflow)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from jupyter_rees_ui import workflow
from jupyter_rees_ui.core import review
from jupyter_rees_ui.core.model import ProposedRequirement

HEADER = "# Written by jupyter-rees-ui from the notebooks' imports; your own lines here are kept.\n"


def proposal(*pairs: str) -> tuple[ProposedRequirement, ...]:
    """'numpy==2.4.6' -> a proposed row."""
    rows = []
    for pair in pairs:
        name, _, pin = pair.partition("==")
        rows.append(ProposedRequirement(name, specifier=f"=={pin}" if pin else "", installed_version=pin or None))
    return tuple(rows)


def decide(rows, decisions):
    """{name: False} unticks, {name: True} ticks, {name: '~=2.4'} edits the pin,
    {name: 'update'} takes the pin policy's pin."""
    out = []
    for row in rows:
        choice = decisions.get(row.name)
        if isinstance(choice, bool):
            row = dataclasses.replace(row, included=choice)
        elif choice == "update":
            row = dataclasses.replace(row, specifier=row.proposed_specifier)
        elif isinstance(choice, str):
            row = dataclasses.replace(row, specifier=choice)
        out.append(row)
    return tuple(out)


def run(tmp_path: Path, existing: str | None, proposed, decisions):
    if existing is not None:
        (tmp_path / "binder").mkdir()
        (tmp_path / "binder/requirements.txt").write_text(existing)
        (tmp_path / "binder/runtime.txt").write_text("python-3.11\n")
    folder = workflow.Folder(tmp_path, tmp_path)
    _where, texts = workflow.existing_rees(folder)
    rows = review.review(proposed, review.read_existing(texts))
    rows = decide(rows, decisions)
    request = workflow.ReesRequest(folder, rows, "3.11")
    plan = workflow.plan(request)
    change = next(c for c in plan.changes if c.path == "binder/requirements.txt")
    return {r.name: r.status for r in rows}, change


CASES = [
    # (id, existing file, proposal, decisions, statuses, status of the file, new text)
    (
        "first-write",
        None,
        proposal("numpy==2.4.6", "matplotlib==3.9.0"),
        {"matplotlib": False},
        {"numpy": "new", "matplotlib": "new"},
        "create",
        HEADER + "# left out: matplotlib\nnumpy==2.4.6\n",
    ),
    (
        "re-scan-after-write-proposes-nothing",
        HEADER + "# left out: matplotlib\nnumpy~=2.4\n",
        proposal("numpy==2.4.6", "matplotlib==3.9.0"),
        {},
        {"numpy": "kept", "matplotlib": "left-out"},
        "unchanged",
        None,
    ),
    (
        "pin-as-written-kept-unless-updated",
        HEADER + "numpy~=2.4\n",
        proposal("numpy==2.4.6"),
        {"numpy": "update"},
        {"numpy": "kept"},
        "update",
        HEADER + "numpy==2.4.6\n",
    ),
    (
        "unticked-row-removed-from-the-file",
        HEADER + "numpy==2.4.6\npandas==2.2.0\n",
        proposal("numpy==2.4.6", "pandas==2.2.0"),
        {"pandas": False},
        {"numpy": "kept", "pandas": "kept"},
        "update",
        HEADER + "# left out: pandas\nnumpy==2.4.6\n",
    ),
    (
        "hand-added-line-kept-and-shown",
        HEADER + "numpy==2.4.6\nscipy==1.14.0\n",
        proposal("numpy==2.4.6"),
        {},
        {"numpy": "kept", "scipy": "unused"},
        "unchanged",
        None,
    ),
    (
        "hand-added-line-removable",
        HEADER + "numpy==2.4.6\nscipy==1.14.0\n",
        proposal("numpy==2.4.6"),
        {"scipy": False},
        {"numpy": "kept", "scipy": "unused"},
        "update",
        HEADER + "numpy==2.4.6\n",
    ),
    (
        "own-line-with-a-comment-is-editable",
        "seaborn==0.13.2  # plots\nnumpy==2.4.6\n",
        proposal("numpy==2.4.6"),
        {"seaborn": "==0.13.1"},
        {"numpy": "kept", "seaborn": "own"},
        "update",
        HEADER + "seaborn==0.13.1  # plots\nnumpy==2.4.6\n",
    ),
    (
        "ticking-a-left-out-row-again-adds-it",
        HEADER + "# left out: matplotlib\nnumpy==2.4.6\n",
        proposal("numpy==2.4.6", "matplotlib==3.9.0"),
        {"matplotlib": True},
        {"numpy": "kept", "matplotlib": "left-out"},
        "update",
        HEADER + "matplotlib==3.9.0\nnumpy==2.4.6\n",
    ),
    (
        "new-import-added-beside-the-kept-pins",
        HEADER + "numpy~=2.4\n",
        proposal("numpy==2.4.6", "pandas==2.2.0"),
        {},
        {"numpy": "kept", "pandas": "new"},
        "update",
        HEADER + "numpy~=2.4\npandas==2.2.0\n",
    ),
]


@pytest.mark.parametrize("existing, proposed, decisions, statuses, status, text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_review_table(tmp_path, existing, proposed, decisions, statuses, status, text):
    shown, change = run(tmp_path, existing, proposed, decisions)
    assert shown == statuses
    assert change.status == status, change.diff
    if text is not None:
        assert change.new == text


def test_pins_as_written_are_shown_with_the_policy_pin_offered():
    existing = review.read_existing({"requirements.txt": "numpy~=2.4\n"})
    (row,) = review.review(proposal("numpy==2.4.6"), existing)
    assert (row.specifier, row.proposed_specifier, row.in_file) == ("~=2.4", "==2.4.6", "numpy~=2.4")


def test_left_out_lines_are_read_and_rewritten():
    assert review.left_out_names("# left out: Matplotlib, seaborn\nnumpy\n") == {"matplotlib", "seaborn"}
    assert review.record_left_out(HEADER + "# left out: a\nnumpy\n", []) == HEADER + "numpy\n"
    assert review.record_left_out(HEADER + "numpy\n", ["B", "a"]) == HEADER + "# left out: a, b\nnumpy\n"


def test_environment_yml_rows_are_reviewed_by_name():
    text = "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - numpy=2.4.6\n  - pip:\n      - seaborn==0.13.2\n"
    rows = review.review(proposal("numpy==2.4.6"), review.read_existing({"environment.yml": text}))
    assert {r.name: r.status for r in rows} == {"numpy": "kept", "seaborn": "unused"}
    assert all(review.untouched(r) for r in rows)
