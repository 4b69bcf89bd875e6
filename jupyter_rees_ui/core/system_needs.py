"""Distributions that need a system library to build or to run.

pip installs Python packages, not the C libraries some of them link to: ``rpy2`` needs
R, ``pyaudio`` PortAudio, ``mpi4py`` an MPI library. Without the library the install
fails (a source build finds no headers) or the import does, and one failed line sinks a
whole Binder build. repo2docker installs the Debian packages ``apt.txt`` lists (one per
line) before the Python ones, so each entry names the packages to put there.

Each entry cites where the project says what it needs. Pure: rows in, rows out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.utils import canonicalize_name

from .model import ProposedRequirement
from .resolve import DECISION


@dataclass(frozen=True)
class SystemNeed:
    """What a distribution needs from the system, and the Debian packages giving it."""

    library: str  # in the user's words: "R", "PortAudio"
    apt: tuple[str, ...]  # Debian/Ubuntu packages for binder/apt.txt
    source: str  # the project's page that says so
    alternative: str = ""  # another way out, when the project offers one


SYSTEM_NEEDS: Mapping[str, SystemNeed] = {
    "rpy2": SystemNeed(
        "R (its shared library and headers)", ("r-base", "r-base-dev"),
        "https://rpy2.github.io/doc/latest/html/overview.html#installation",
    ),
    "rpy2-rinterface": SystemNeed(
        "R (its shared library and headers)", ("r-base", "r-base-dev"),
        "https://rpy2.github.io/doc/latest/html/overview.html#installation",
    ),
    "pyaudio": SystemNeed(
        "PortAudio", ("portaudio19-dev",), "https://people.csail.mit.edu/hubert/pyaudio/",
    ),
    "mpi4py": SystemNeed(
        "an MPI library (Open MPI or MPICH)", ("libopenmpi-dev", "openmpi-bin"),
        "https://mpi4py.readthedocs.io/en/stable/install.html",
    ),
    "pyopencl": SystemNeed(
        "an OpenCL implementation (an ICD)", ("ocl-icd-libopencl1", "pocl-opencl-icd"),
        "https://documen.tician.de/pyopencl/misc.html#installation",
        "or require pyopencl[pocl], which brings a CPU implementation with it",
    ),
    "pygraphviz": SystemNeed(
        "Graphviz (its library and headers)", ("graphviz", "libgraphviz-dev"),
        "https://pygraphviz.github.io/documentation/stable/install.html",
    ),
    "gdal": SystemNeed(
        "the GDAL library, of the same version as the Python package", ("libgdal-dev", "gdal-bin"),
        "https://gdal.org/en/stable/api/python/python_bindings.html",
    ),
    "pycairo": SystemNeed(
        "cairo (its library and headers)", ("libcairo2-dev", "pkg-config"),
        "https://pycairo.readthedocs.io/en/latest/getting_started.html",
    ),
    "mysqlclient": SystemNeed(
        "the MySQL/MariaDB client library", ("default-libmysqlclient-dev", "pkg-config"),
        "https://github.com/PyMySQL/mysqlclient#linux",
    ),
    "psycopg2": SystemNeed(
        "libpq, PostgreSQL's client library", ("libpq-dev",),
        "https://www.psycopg.org/docs/install.html#build-prerequisites",
        "or require psycopg2-binary, which ships the library",
    ),
}


def system_need(name: str) -> SystemNeed | None:
    """The system need of a distribution, by any spelling of its name."""
    return SYSTEM_NEEDS.get(canonicalize_name(name))


def apt_packages(text: str | None) -> frozenset[str]:
    """The Debian packages an apt.txt lists (one a line, ``#`` comments)."""
    found = set()
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0].strip()
        found.update(part for part in line.split() if part)
    return frozenset(found)


def missing_packages(need: SystemNeed, listed: Iterable[str]) -> tuple[str, ...]:
    """The packages of ``need`` that apt.txt does not list yet."""
    have = set(listed)
    return tuple(p for p in need.apt if p not in have)


def mark_system_needs(
    rows: Sequence[ProposedRequirement], apt: Iterable[str] = ()
) -> tuple[ProposedRequirement, ...]:
    """Rows that need a system library get a warning saying so. One the kernel's
    environment lacks is not written until the user decides (unless apt.txt, whose
    packages are ``apt``, already lists what it needs): it cannot be checked here, and
    on Binder it builds only with the system packages. One the kernel has stays written,
    with a warning that Binder needs the packages too."""
    listed = frozenset(apt)
    marked = []
    for row in rows:
        need = system_need(row.name)
        if need is None or row.trust == "local" or row.source == "local":
            marked.append(row)
            continue
        missing = missing_packages(need, listed)
        packages = ", ".join(need.apt)
        other = f"; {need.alternative}" if need.alternative else ""
        if not missing:
            warning = f"{row.name} needs {need.library}: binder/apt.txt lists {packages}, which Binder installs first"
            marked.append(replace(row, warnings=(*row.warnings, warning)))
        elif row.installed_version is not None:
            warning = (
                f"{row.name} needs {need.library}, which pip does not install: Binder needs the "
                f"system packages too — add {', '.join(missing)} to binder/apt.txt (repo2docker installs "
                f"the Debian packages it lists){other} (see {need.source})"
            )
            marked.append(replace(row, warnings=(*row.warnings, warning)))
        else:
            warning = (
                f"{DECISION}{row.name} needs {need.library} to build and run, and the kernel's "
                f"environment does not have {row.name}: on Binder it installs only when "
                f"binder/apt.txt lists {', '.join(missing)} (repo2docker installs the Debian "
                f"packages it lists). Add them there and include {row.name}{other}, or leave it "
                f"out — it is not written until you decide (see {need.source})"
            )
            # the decision replaces any other one, and the "written unpinned" of a known row
            warnings = tuple(w for w in row.warnings if not w.startswith(DECISION) and "(written unpinned)" not in w)
            marked.append(replace(row, warnings=(warning, *warnings), included=False))
    return tuple(marked)


__all__ = [
    "SYSTEM_NEEDS",
    "SystemNeed",
    "apt_packages",
    "mark_system_needs",
    "missing_packages",
    "system_need",
]
