"""Proposal notes: a message and the files it is about, capped when printed."""

from __future__ import annotations

import pytest

from jupyter_rees_ui.core.model import Environment, Note, Proposal, ScanResult, shortlist, to_json
from jupyter_rees_ui.core.resolve import build_proposal

ENV = Environment(python="/env/bin/python", python_version="3.11", description="venv at /env")


@pytest.mark.parametrize(
    ("items", "text"),
    [
        ((), ""),
        (("a",), "a"),
        (("a", "b", "c"), "a, b, c"),
        (("a", "b", "c", "d"), "a, b, c and 1 more"),
        (tuple(str(i) for i in range(2003)), "0, 1, 2 and 2,000 more"),
    ],
)
def test_shortlist(items, text):
    assert shortlist(items) == text


def test_several_kernels_give_one_note_per_kernel_with_its_notebooks():
    kernels = tuple((f"nb{i:04}.ipynb", "python3" if i % 10 else "other") for i in range(1000))
    proposal = build_proposal(ScanResult(root=".", files=tuple(p for p, _ in kernels), kernels=kernels), ENV)
    summary, other, python3 = proposal.notes
    assert summary == Note("the notebooks use 2 different kernels; versions were read from venv at /env", code="kernels")
    assert other.message == "kernel 'other' (100 notebooks)" and len(other.files) == 100
    assert python3.message == "kernel 'python3' (900 notebooks)" and len(python3.files) == 900
    assert str(python3) == "kernel 'python3' (900 notebooks): nb0001.ipynb, nb0002.ipynb, nb0003.ipynb and 897 more"
    assert to_json(other)["files"][:2] == ["nb0000.ipynb", "nb0010.ipynb"]
    assert set(to_json(other)) == {"message", "files", "code"}


def test_plain_text_notes_become_notes_about_no_file():
    proposal = Proposal(root=".", python_version="3.11", notes=("something to know", Note("x", ("a.ipynb",))))
    assert proposal.notes == (Note("something to know"), Note("x", ("a.ipynb",)))
    assert str(proposal.notes[0]) == "something to know"
