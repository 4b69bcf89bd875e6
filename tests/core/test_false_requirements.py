"""Classes of false requirements: what must never become a line of the REES (local
modules, generated files, Python 2 modules, unknown IPython extensions), what must be
written with an environment marker, and how many rows and warnings submodules give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_rees_ui.adapters.files import scan_folder
from jupyter_rees_ui.core.mapping import bundled_mapping
from jupyter_rees_ui.core.model import Environment, InstalledDistribution
from jupyter_rees_ui.core.resolve import DECISION, build_proposal
from jupyter_rees_ui.core.scan import generated_modules, scan_code

EMPTY = Environment(python="/p", python_version="3.11", description="empty env")


def rows_of(tmp_path: Path, files: dict[str, str | list[str]], env: Environment = EMPTY):
    """Write ``files`` (a list of strings is a notebook's code cells) and propose."""
    for relative, content in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, list):
            cells = [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                     for c in content]
            nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
            content = json.dumps(nb)
        path.write_text(content, encoding="utf-8")
    scan = scan_folder(tmp_path)
    proposal = build_proposal(scan, env, mapping=bundled_mapping())
    return {row.name: row for row in proposal.requirements}, proposal


# --------------------------------------------------------------------------- platform markers

MARKER_CASES = [
    ('if sys.platform == "darwin":\n    import appnope', {"appnope": 'sys_platform == "darwin"'}),
    ('if "darwin" == sys.platform:\n    import appnope', {"appnope": 'sys_platform == "darwin"'}),
    ('if os.name == "nt":\n    import winreg2\nelse:\n    import pexpect',
     {"winreg2": 'os_name == "nt"', "pexpect": 'os_name != "nt"'}),
    ('if platform.system() == "Windows":\n    import pywinauto', {"pywinauto": 'platform_system == "Windows"'}),
    ('if sys.platform.startswith("win"):\n    import win32api', {"win32api": 'sys_platform == "win32"'}),
    ('if sys.platform in ("win32", "cygwin"):\n    import colorama',
     {"colorama": 'sys_platform == "win32" or sys_platform == "cygwin"'}),
    ('if not sys.platform == "darwin":\n    import jeepney', {"jeepney": 'sys_platform != "darwin"'}),
    ('if sys.platform == "darwin":\n    try:\n        import appnope\n    except ImportError:\n        pass',
     {"appnope": 'sys_platform == "darwin"'}),
    ('if sys.platform == "linux":\n    if os.name == "posix":\n        import evdev',
     {"evdev": 'sys_platform == "linux" and os_name == "posix"'}),
    ("if DEBUG:\n    import ipdb", {"ipdb": ""}),  # not a platform check
    ("import numpy", {"numpy": ""}),
]


@pytest.mark.parametrize(("code", "expected"), MARKER_CASES)
def test_platform_checks_give_markers(code, expected):
    sites = scan_code(code, "nb.ipynb", 0).imports
    assert {s.module: s.marker for s in sites} == expected


def test_a_guarded_import_is_written_with_its_marker(tmp_path):
    env = Environment(
        python="/p", python_version="3.11",
        distributions=(InstalledDistribution("appnope", "0.1.4", files=("appnope/__init__.py",)),),
    )
    rows, _ = rows_of(tmp_path, {"nb.ipynb": ['import sys\nif sys.platform == "darwin":\n    import appnope']}, env)
    assert rows["appnope"].line == 'appnope==0.1.4; sys_platform == "darwin"'


# --------------------------------------------------------------------------- local modules

LOCAL_CASES = [
    ("parent folder", {"a/helpers.py": "", "a/b/nb.ipynb": ["import helpers"]}),
    ("sibling folder", {"scripts/tools2.py": "", "notebooks/nb.ipynb": ["import tools2"]}),
    ("package with __init__", {"lib/mypkg/__init__.py": "", "notebooks/nb.ipynb": ["from mypkg import x"]}),
    ("%run -m", {"lib/runner/__init__.py": "", "nb.ipynb": ["%run -m runner"]}),
    ("%load_ext", {"ext/mymagics.py": "", "nb.ipynb": ["%load_ext mymagics"]}),
    ("%reload_ext", {"ext/mymagics.py": "", "nb.ipynb": ["%reload_ext mymagics"]}),
    ("%%writefile", {"nb.ipynb": ["%%writefile util2.py\nx = 1", "import util2"]}),
    ("%%file alias", {"nb.ipynb": ["%%file util3.py\nx = 1", "import util3"]}),
    ("%%writefile in another notebook", {"a.ipynb": ["%%writefile shared4.py\nx = 1"], "b.ipynb": ["import shared4"]}),
    ("protoc", {"nb.ipynb": ["!protoc -I. --python_out=. msgs.proto", "import msgs_pb2"]}),
    ("grpc_tools", {"nb.ipynb": ["!python -m grpc_tools.protoc -I. --python_out=. --grpc_python_out=. svc.proto",
                                "import svc_pb2, svc_pb2_grpc"]}),
    ("protoc in %%bash", {"nb.ipynb": ["%%bash\nprotoc --python_out=gen api.proto", "import api_pb2"]}),
    # modules a notebook builds (scientific-python-lectures' Lecture-6A)
    ("f2py -m", {"nb.ipynb": ["%%file dcumsum.f\n      subroutine dcumsum(a, b, n)",
                              "!f2py -c dcumsum.f -m dcumsum", "import dcumsum"]}),
    ("f2py signature file", {"nb.ipynb": ["%%file dprod.pyf\npython module dprod\nend python module dprod",
                                          "!f2py -c dprod.pyf", "import dprod"]}),
    ("%%file of Cython source", {"nb.ipynb": ["%%file cy_dcumsum.pyx\ncimport numpy",
                                              "!python setup.py build_ext --inplace", "import cy_dcumsum"]}),
    ("cythonize -i", {"nb.ipynb": ["!cythonize -i fastloop.pyx", "import fastloop"]}),
]


@pytest.mark.parametrize(("name", "files"), LOCAL_CASES, ids=[c[0] for c in LOCAL_CASES])
def test_project_modules_are_never_rows(tmp_path, name, files):
    rows, _ = rows_of(tmp_path, files)
    assert rows == {}


def test_a_tree_module_the_kernel_has_installed_is_the_installed_one(tmp_path):
    env = Environment(
        python="/p", python_version="3.11",
        distributions=(InstalledDistribution("numpy", "2.0.0", files=("numpy/__init__.py",)),),
    )
    rows, _ = rows_of(tmp_path, {"vendor/numpy/__init__.py": "", "notebooks/nb.ipynb": ["import numpy"]}, env)
    assert rows["numpy"].trust == "verified"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("protoc --python_out=. a.proto b.proto", {"a_pb2", "b_pb2"}),
        ("protoc --python_out=out --pyi_out=out protos/x-y.proto", {"x_y_pb2"}),
        ("python3 -m grpc_tools.protoc --grpc_python_out=. --python_out=. s.proto", {"s_pb2", "s_pb2_grpc"}),
        ("pip install protobuf", set()),
        ("protoc --cpp_out=. a.proto", set()),
        ("f2py -c -m hellofortran hellofortran.f", {"hellofortran"}),
        ("python -m numpy.f2py -c x.f90 -m fx", {"fx"}),
        ("cythonize -i -3 fast.pyx setup.py", {"fast"}),
        ("f2py -c dprod.pyf", set()),
    ],
)
def test_generated_modules(command, expected):
    assert generated_modules(command) == expected


# --------------------------------------------------------------------------- IPython extensions

EXTENSION_CASES = [
    # extension, row name, trust, included
    ("sql", "jupysql", "unverified", False),  # two projects provide it: a decision
    ("rmagic", "rpy2", "known", True),  # moved into rpy2 (rpy2.ipython)
    ("cythonmagic", "Cython", "known", True),  # moved into Cython
    ("autotime", "ipython-autotime", "known", True),
    ("nosuchextension", "nosuchextension", "unverified", False),
]


@pytest.mark.parametrize(("extension", "name", "trust", "included"), EXTENSION_CASES)
def test_load_ext_maps_to_the_provider_of_today(tmp_path, extension, name, trust, included):
    rows, _ = rows_of(tmp_path, {"nb.ipynb": [f"%load_ext {extension}"]})
    row = rows[name]
    assert (row.trust, row.included) == (trust, included)
    if extension == "sql":
        assert row.candidates == ("ipython-sql",)
        assert any(w.startswith(DECISION) and "ipython-sql" in w for w in row.warnings)


# --------------------------------------------------------------------------- Python 2 modules


def test_python2_modules_are_reported_not_required(tmp_path):
    rows, proposal = rows_of(
        tmp_path,
        {"old.ipynb": ["import numpy", "import cPickle\nimport urllib2", "from ConfigParser import RawConfigParser"]},
    )
    assert set(rows) == {"numpy"}
    issues = [(i.location.path, i.location.cell, i.kind) for i in proposal.issues if i.kind == "python2"]
    assert issues == [("old.ipynb", 1, "python2"), ("old.ipynb", 2, "python2")]
    message = next(i.message for i in proposal.issues if i.location.cell == 1)
    assert "cPickle" in message and "urllib2" in message and "pickle" in message and "Python 2" in message


# --------------------------------------------------------------------------- submodules


def test_submodules_of_one_distribution_are_one_row_and_one_warning(tmp_path):
    code = "import frobnicate.core\nimport frobnicate.io\nfrom frobnicate.plot import x\nimport frobnicate"
    rows, _ = rows_of(tmp_path, {"nb.ipynb": [code]})
    assert list(rows) == ["frobnicate"]
    assert len(rows["frobnicate"].warnings) == 1
    assert "'frobnicate'" in rows["frobnicate"].warnings[0]


def test_a_package_only_a_script_imports_and_the_kernel_lacks_is_a_decision(tmp_path):
    rows, _ = rows_of(tmp_path, {"fabfile.py": "import fabric\n", "nb.ipynb": ["import cv2"]})
    fabric = next(row for name, row in rows.items() if name.lower() == "fabric")
    assert (fabric.trust, fabric.included) == ("unverified", False)
    assert fabric.warnings[0].startswith(DECISION) and "fabfile.py" in fabric.warnings[0]
    assert (rows["opencv-python"].trust, rows["opencv-python"].included) == ("known", True)


def test_an_in_notebook_pin_the_kernel_disagrees_with_gives_the_kernels_version(tmp_path):
    env = Environment(
        python="/p", python_version="3.11",
        distributions=(InstalledDistribution("arviz", "0.23.4", files=("arviz/__init__.py",)),),
    )
    rows, _ = rows_of(tmp_path, {"nb.ipynb": ["!pip install arviz==0.6.1", "import arviz"]}, env)
    assert rows["arviz"].line == "arviz==0.23.4"
    assert any("pinned the kernel's version" in w for w in rows["arviz"].warnings)


# --------------------------------------------------------------------------- Python 2 notebooks

PYTHON2_CELLS = [
    ('import numpy as np\nprint "mean", np.mean([1])', ["numpy"]),
    ("from scipy import (stats,\n    linalg)\nprint stats", ["scipy"]),
    ("try:\n    import pandas\nexcept ImportError, e:\n    pass", ["pandas"]),
    ('import sklearn\nexec "x = 1"', ["sklearn"]),
]


@pytest.mark.parametrize(("code", "modules"), PYTHON2_CELLS)
def test_python2_cells_are_scanned_statement_by_statement(code, modules):
    scan = scan_code(code, "old.ipynb", 3)
    assert [site.module for site in scan.imports] == modules
    assert [issue.kind for issue in scan.issues] == ["python2"]


def test_a_python2_project_is_said_to_be_one(tmp_path):
    rows, proposal = rows_of(tmp_path, {"old.ipynb": ['import cv2\nprint "hello"']})
    assert "opencv-python" in rows
    note = next(str(n) for n in proposal.notes if "Python 2" in str(n))
    assert "python-2.7" in note and "old.ipynb" in note and "Port it" in note


def test_nbformat3_notebooks_with_line_lists_are_read(tmp_path):
    nb = {
        "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
        "worksheets": [{"cells": [
            {"cell_type": "code", "input": ["import cv2\n", "import numpy as np"], "language": "python",
             "metadata": {}, "outputs": [], "collapsed": False},
        ], "metadata": {}}],
    }
    (tmp_path / "v3.ipynb").write_text(json.dumps(nb))
    scan = scan_folder(tmp_path)
    assert [site.module for site in scan.imports] == ["cv2", "numpy"]
    assert not [i for i in scan.issues if i.kind == "unreadable"]
