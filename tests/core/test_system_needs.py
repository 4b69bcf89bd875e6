"""Distributions that need a system library: a decision when the kernel lacks them, a
warning naming the Debian packages for binder/apt.txt when it has them."""

from __future__ import annotations

import pytest

from jupyter_rees_ui.core.model import ProposedRequirement
from jupyter_rees_ui.core.resolve import DECISION
from jupyter_rees_ui.core.review import decide
from jupyter_rees_ui.core.system_needs import SYSTEM_NEEDS, apt_packages, mark_system_needs


def known(name: str) -> ProposedRequirement:
    return ProposedRequirement(name=name, modules=(name,), source="not-installed", trust="known")


def installed(name: str, version: str = "1.0") -> ProposedRequirement:
    return ProposedRequirement(name=name, modules=(name,), installed_version=version, specifier=f"=={version}")


@pytest.mark.parametrize(
    ("row", "apt", "included", "decision", "words"),
    [
        (known("rpy2"), "", False, True, ["R", "r-base", "binder/apt.txt", "rpy2.github.io"]),
        (known("PyAudio"), "", False, True, ["PortAudio", "portaudio19-dev"]),
        (known("mpi4py"), "", False, True, ["MPI", "libopenmpi-dev"]),
        (known("pyopencl"), "", False, True, ["OpenCL", "pocl-opencl-icd", "pyopencl[pocl]"]),
        (installed("rpy2", "3.6.7"), "", True, False, ["Binder needs the system packages too", "r-base, r-base-dev"]),
        (installed("mpi4py"), "libopenmpi-dev  # MPI\n", True, False, ["add openmpi-bin"]),
        (known("rpy2"), "r-base\nr-base-dev\n", True, False, ["apt.txt lists r-base, r-base-dev"]),
        (known("numpy"), "", True, False, []),
        # found on the index (--check-index): still not in the kernel, still a decision
        (ProposedRequirement(name="rpy2", source="not-installed", trust="verified"), "", False, True, ["r-base"]),
    ],
)
def test_system_needs_table(row, apt, included, decision, words):
    (marked,) = mark_system_needs([row], apt_packages(apt))
    assert marked.included is included
    assert any(w.startswith(DECISION) for w in marked.warnings) is decision
    text = " ".join(marked.warnings)
    for word in words:
        assert word in text
    if not words:
        assert marked == row


def test_every_entry_names_debian_packages_and_a_source():
    for name, need in SYSTEM_NEEDS.items():
        assert need.apt and all(p == p.lower() and " " not in p for p in need.apt), name
        assert need.source.startswith("https://"), name


def test_a_system_need_left_unticked_is_not_recorded_as_the_users_choice():
    (rpy2,) = mark_system_needs([known("rpy2")])
    assert decide([rpy2]).left_out == ()
    # a known row the user unticks is recorded
    unticked = ProposedRequirement(name="corner", source="not-installed", trust="known", included=False)
    assert decide([unticked]).left_out == ("corner",)
