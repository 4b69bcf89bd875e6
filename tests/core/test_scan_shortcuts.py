"""The scanner's shortcuts for magics find exactly what reading the whole unit through
IPython's transformer finds.

A ``%%magic`` cell is split into (magic, line, body) as the transformer would, without
tokenizing the body; a cell of one ``%magic`` line into (magic, arguments). Each case is
scanned twice, with and without the shortcuts, and the two scans must be equal.
"""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_rees_ui.core import scan as scan_module
from jupyter_rees_ui.core.scan import _cell_magic_call, _line_magic_call, _transformer, scan_code


def _without_shortcuts(monkeypatch: pytest.MonkeyPatch, code: str, **kwargs: object):
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "_cell_magic_call", lambda code: None)
        patched.setattr(scan_module, "_line_magic_call", lambda code: None)
        return scan_code(code, "nb.ipynb", 3, keep_stdlib=True, **kwargs)


def _same_either_way(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    for all_syntax in (False, True):
        fast = scan_code(code, "nb.ipynb", 3, keep_stdlib=True, all_syntax=all_syntax)
        slow = _without_shortcuts(monkeypatch, code, all_syntax=all_syntax)
        assert fast == slow, code


CELL_MAGICS = [
    "%%time\nimport numpy as np\nx = np.ones(3)\n",
    "%%time\nimport numpy as np",  # no line end after the body
    "%%timeit -n 3\nimport pandas\n",
    "%%capture out\nimport seaborn\n",
    "%%writefile helpers.py\nimport requests\n\ndef get():\n    pass\n",
    "%%file lib/tool.py\nimport yaml\n",
    "%%writefile sig.pyf\npython module fib\n",
    "%%bash\npip install scikit-learn==1.4\n",
    "%%sh\npip install \\\n  polars\n",
    "%%script python3\nimport torch\n",
    "%%script bash\npip install xgboost\n",
    "%%time\r\nimport scipy\r\nprint(1)\r\n",
    "%%time\rimport sympy\rprint(1)\r",
    "%%time\nimport bokeh\ns = '''\n   \n\t\n'''\n",  # whitespace-only lines in a string
    "%%time\n    import numpy\n",  # an indented body: a syntax error in the body
    "%%\nimport numpy\n",
    "%% time\nimport numpy\n",
    "%%time?\n",
    "%%time\n>>> import numpy\n",
    "%%time\n... import numpy\n",
    "%%time\nIn [1]: import numpy\n",
    "%%time\nimport numpy \x0c\nimport pandas\n",
    "%%time\nimport numpy\u2028import pandas\n",
    "%%time  \nimport numpy\n",
    "%%time\nimport numpy\n%matplotlib inline\n",
    "%%html\n<b>import numpy</b>\n",
]

LINE_MAGICS = [
    "%matplotlib inline",
    "%matplotlib inline\n",
    "%matplotlib widget   \n",
    "%load_ext autoreload",
    "%load_ext google.colab.data_table",
    "%reload_ext tensorboard",
    "%run -m mypackage.tool --flag",
    "%run script.py",
    "%pip install polars==0.20 'scikit-learn>=1.4'",
    "%conda install -c conda-forge xarray",
    "%sx pip install xgboost",
    "%system pip install lightgbm",
    "%time import numpy",
    "%timeit -n 3 -r 2 import pandas",
    "%prun -s time import scipy",
    "%time x = (1,",
    "%",
    "% matplotlib",
    "%pip install tqdm  # a comment",
    "%pip install tqdm?",
    "%matplotlib?",
    "%pip install a \\",
    "%matplotlib inline\r\n",
    "%matplotlib inline\x0c",
    "%pip install x\x00y",
    "%time import os; import numpy",
]

OTHER_ESCAPES = [
    "%matplotlib inline\nplt.plot([1, 2])\n",
    "!pip install -q requests\nx = 1\n",
    "files = !ls\nprint(files)\n",
    "x = %sx pip list\n",
    "%load_ext autoreload\n%autoreload 2\n",
    "%run -m mypackage.tool\n",
    "%pip install polars==0.20\ny = 2 % 3\n",
    "for i in range(3):\n    %time f(i)\n",
    "values = (1,\n%time\n)\n",
    "s = '''\n%pip install nothing\n'''\n",
    'x = 1 + \\\n%pip install nothing\n',
    "%pip install a \\\n   b\n",
    "%time print x\nprint y\n",
    "def broken(:\n    pass\n%matplotlib inline\n",
    "%matplotlib inline\r\nplt.show()\r\n",
    "%matplotlib\u2028inline\n",
    "!echo '(' \n%pip install tqdm\n",
    "a = 5\nb = a != 3\n!pip install ujson\n",
]


@pytest.mark.parametrize("code", CELL_MAGICS + LINE_MAGICS + OTHER_ESCAPES)
def test_a_shortcut_finds_what_reading_the_whole_unit_finds(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    _same_either_way(monkeypatch, code)


@pytest.mark.parametrize("code", [c for c in CELL_MAGICS if _cell_magic_call(c) is not None])
def test_a_cell_magic_is_split_as_ipython_splits_it(code: str) -> None:
    transformed = _transformer().transform_cell(code)
    call = ast.parse(transformed).body[0].value  # get_ipython().run_cell_magic(name, line, body)
    assert isinstance(call, ast.Call) and call.func.attr == "run_cell_magic"
    assert _cell_magic_call(code) == tuple(a.value for a in call.args)


@pytest.mark.parametrize("code", [c for c in LINE_MAGICS if _line_magic_call(c) is not None])
def test_a_line_magic_is_split_as_ipython_splits_it(code: str) -> None:
    transformed = _transformer().transform_cell(code)
    call = ast.parse(transformed).body[0].value  # get_ipython().run_line_magic(name, arguments)
    assert isinstance(call, ast.Call) and call.func.attr == "run_line_magic"
    assert _line_magic_call(code) == tuple(a.value for a in call.args)


def test_the_shortcuts_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """A %%time cell, or a cell of one %magic line, is never given to IPython's
    transformer (the measure of the shortcuts, not only their correctness); a cell with
    more is."""
    seen: list[str] = []
    original = scan_module._transform.__wrapped__
    monkeypatch.setattr(scan_module, "_transform", lambda code: seen.append(code) or original(code))
    found = scan_code("%%time\nimport numpy\n", "nb.ipynb", 1)
    assert [s.module for s in found.imports] == ["numpy"] and seen == []
    found = scan_code("%matplotlib inline\n", "nb.ipynb", 1)
    assert [s.module for s in found.imports] == ["matplotlib"] and seen == []
    found = scan_code("%matplotlib inline\nplt.plot([1])\n", "nb.ipynb", 1)
    assert [s.module for s in found.imports] == ["matplotlib"] and seen == ["%matplotlib inline\nplt.plot([1])\n"]


_LINES = st.sampled_from(
    [
        "%%time", "%%writefile m.py", "%%bash", "%%capture", "%%time?", "%%", "%matplotlib inline",
        "%pip install numpy", "!pip install -q pandas", "x = !ls", "y = %sx ls", "%time f(1)",
        "    %time g()", "import numpy as np", "from scipy import stats", "print x", "def f(:",
        "(", ")", "'''", '"""', "x = [1,", "2]", "a = 1 + \\", "   ", "\t", "", ">>> import os",
        "... x", "In [2]: y", "for i in range(2):", "    pass", "plt.plot(x)", "s = 'a % b'",
        "%load_ext autoreload", "%run -m pkg.mod", "get_ipython().system('pip install z')",
    ]
)
_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_LINES, _ENDS), min_size=1, max_size=6), st.booleans())
def test_any_mix_of_magics_and_code_is_found_alike(
    monkeypatch: pytest.MonkeyPatch, lines: list[tuple[str, str]], trailing_end: bool
) -> None:
    code = "".join(text + end for text, end in lines)
    if not trailing_end:
        code = code.rstrip("\r\n")
    _same_either_way(monkeypatch, code)
