"""PyPI distribution name -> conda-forge package name, for the names that differ.

Most conda-forge packages carry the PyPI name (lower case, hyphens). The table lists only
the exceptions, each checked against the conda-forge feedstock that ships the same
project (feedstock name in the comment when it is not obvious). A row's
``conda_name`` found in the environment itself (conda-meta) always wins over this table;
the table is for environment.yml files written from a pip environment.

Review rule: add a row only with the feedstock at hand; never guess.
"""

from __future__ import annotations

from types import MappingProxyType

from packaging.utils import canonicalize_name

#: canonical PyPI name -> conda-forge package name
_TABLE: dict[str, str] = {
    # different project name on conda-forge
    "torch": "pytorch",
    "tables": "pytables",
    "msgpack": "msgpack-python",
    "graphviz": "python-graphviz",  # conda "graphviz" is the C library
    "kaleido": "python-kaleido",
    "build": "python-build",
    "igraph": "python-igraph",
    "docker": "docker-py",
    "pyqt5": "pyqt",
    "psycopg2-binary": "psycopg2",
    "opencv-python": "opencv",
    "opencv-python-headless": "opencv",
    "opencv-contrib-python": "opencv",
    "duckdb": "python-duckdb",
    "zope-interface": "zope.interface",
    "ruamel-yaml": "ruamel.yaml",
    "backports-zoneinfo": "backports.zoneinfo",
    # conda-forge keeps underscores where the PyPI project used them
    "typing-extensions": "typing_extensions",
    "importlib-metadata": "importlib_metadata",
    "importlib-resources": "importlib_resources",
    "huggingface-hub": "huggingface_hub",
    "jupyter-server": "jupyter_server",
    "jupyter-client": "jupyter_client",
    "jupyter-core": "jupyter_core",
    "jupyter-events": "jupyter_events",
    "jupyter-server-terminals": "jupyter_server_terminals",
    "jupyterlab-server": "jupyterlab_server",
    "jupyterlab-widgets": "jupyterlab_widgets",
    "jupyterlab-pygments": "jupyterlab_pygments",
    "jupyter-console": "jupyter_console",
    "ipython-genutils": "ipython_genutils",
    "stack-data": "stack_data",
    "pure-eval": "pure_eval",
    "sphinx-rtd-theme": "sphinx_rtd_theme",
    "setuptools-scm": "setuptools_scm",
    "vega-datasets": "vega_datasets",
}

CONDA_NAMES = MappingProxyType(_TABLE)

#: the reverse: conda-forge package -> the PyPI distributions it packages (several for
#: e.g. opencv), where the names differ
PYPI_NAMES_OF_CONDA = MappingProxyType(
    {
        conda: tuple(sorted(canonicalize_name(p) for p, c in _TABLE.items() if canonicalize_name(c) == conda))
        for conda in sorted({canonicalize_name(c) for c in _TABLE.values()})
    }
)


def pypi_names(conda: str) -> tuple[str, ...]:
    """The PyPI distributions a conda-forge package stands for (its own name when the
    names agree)."""
    canonical = canonicalize_name(conda)
    return PYPI_NAMES_OF_CONDA.get(canonical, (str(canonical),))


def conda_name(pypi_name: str) -> str:
    """The conda-forge package name for a PyPI distribution name."""
    canonical = canonicalize_name(pypi_name)
    return CONDA_NAMES.get(canonical, str(canonical))


__all__ = ["CONDA_NAMES", "PYPI_NAMES_OF_CONDA", "conda_name", "pypi_names"]
