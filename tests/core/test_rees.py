"""Rendering and merging REES files, and repo2docker's combination rules (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML

from jupyter_rees_ui.core.conda_names import CONDA_NAMES, conda_name
from jupyter_rees_ui.core.model import ProposedRequirement
from jupyter_rees_ui.core.rees import (
    HEADER_MARK,
    PinChange,
    ReesError,
    check_layout,
    config_dir,
    header,
    is_python_runtime,
    merge_environment_yml,
    merge_rees_file,
    merge_requirements_txt,
    pin_changes,
    python_minor,
    render_environment_yml,
    render_rees,
    unified_diff,
)


def load_yaml(text):
    return YAML(typ="safe", pure=True).load(text)


def row(name, spec="", **extra):
    return ProposedRequirement(name=name, specifier=spec, **extra)


ROWS = [
    row("pandas", "==2.1.0"),
    row("numpy", "==1.26.4", source="conda"),
    row("torch", "==2.1.0", source="conda"),
    row("foo", url="git+https://github.com/a/foo@0123abc", source="vcs"),
    row("mylib", source="local"),
    row("editable-thing", "==0.1", source="editable"),
    row("wheel-on-disk", url="file:///tmp/x.whl", source="archive"),
    row("excluded", "==1.0", included=False),
]


# --------------------------------------------------------------------------- render


def test_requirements_format_gives_sorted_requirements_and_runtime():
    files = render_rees(ROWS, "3.11.4")
    assert sorted(files) == ["requirements.txt", "runtime.txt"]
    assert files["requirements.txt"] == (
        f"{header()}\n"
        "foo @ git+https://github.com/a/foo@0123abc\n"
        "numpy==1.26.4\n"
        "pandas==2.1.0\n"
        "torch==2.1.0\n"
    )
    # repo2docker reads runtime.txt whole: python-X.Y and nothing else, no header
    assert files["runtime.txt"] == "python-3.11\n"
    assert is_python_runtime(files["runtime.txt"])


def test_render_is_stable_under_input_order():
    assert render_rees(ROWS, "3.11") == render_rees(list(reversed(ROWS)), "3.11")


@pytest.mark.parametrize(
    ("version", "expected"),
    [("3.11", "3.11"), ("3.12.1", "3.12"), ("python-3.10", "3.10"), ("3.9.18+", "3.9")],
)
def test_python_minor(version, expected):
    assert python_minor(version) == expected


@pytest.mark.parametrize("version", ["3", "three", ""])
def test_python_minor_refuses(version):
    with pytest.raises(ReesError):
        python_minor(version)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("python-3.11\n", True),
        ("python-3", True),
        ("python-3.12.1", False),
        ("python3.11", False),
        ("r-4.3-2023-01-01", False),
    ],
)
def test_python_runtime_grammar(text, ok):
    assert is_python_runtime(text) is ok


def test_environment_format_alone_conda_and_pip_sections():
    files = render_rees(ROWS, "3.12", fmt="conda")
    assert list(files) == ["environment.yml"]  # a requirements.txt beside it would be ignored
    text = files["environment.yml"]
    assert text.splitlines()[0] == header()
    data = load_yaml(text)
    assert data["channels"] == ["conda-forge"]
    deps = data["dependencies"]
    assert deps[0] == "python=3.12"  # the only form repo2docker understands
    assert "numpy=1.26.4" in deps
    assert "pytorch=2.1.0" in deps  # the reviewed conda-forge name
    assert "pip" in deps
    assert deps[-1] == {"pip": ["foo @ git+https://github.com/a/foo@0123abc", "pandas==2.1.0"]}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("==1.2.3", "numpy=1.2.3"),
        (">=1.2", "numpy>=1.2"),
        ("~=1.4.2", "numpy>=1.4.2,<1.5"),
        ("~=2.1", "numpy>=2.1,<3"),
        ("", "numpy"),
    ],
)
def test_conda_specs(spec, expected):
    text = render_environment_yml([row("numpy", spec, source="conda")], "3.11")
    assert expected in load_yaml(text)["dependencies"]


def test_pip_to_conda_moves_plain_pins_by_conda_name():
    text = render_environment_yml(
        [row("tables", "==3.9.2"), row("x", url="git+https://h/x")], "3.11", pip_to_conda=True
    )
    deps = load_yaml(text)["dependencies"]
    assert "pytables=3.9.2" in deps
    assert deps[-1] == {"pip": ["x @ git+https://h/x"]}


def test_environment_without_pip_rows_has_no_pip_section():
    deps = load_yaml(render_environment_yml([row("numpy", "==1.0", source="conda")], "3.10"))[
        "dependencies"
    ]
    assert deps == ["python=3.10", "numpy=1.0"]


def test_guix_manifest():
    text = render_rees(ROWS, "3.11", fmt="guix")["manifest.scm"]
    assert text.startswith(";; " + HEADER_MARK)
    assert '"python@3.11"' in text
    assert '"python-pytorch"  ; 2.1.0 in the kernel' in text
    assert '"python-pandas"  ; 2.1.0 in the kernel' in text
    assert ";; not packaged, install with pip: foo @ git+" in text
    assert text.count("(") == text.count(")")


def test_unknown_format():
    with pytest.raises(ReesError, match="unknown format"):
        render_rees(ROWS, "3.11", fmt="poetry")


@pytest.mark.parametrize(
    ("pypi", "conda"),
    [
        ("torch", "pytorch"),
        ("Tables", "pytables"),
        ("msgpack", "msgpack-python"),
        ("NumPy", "numpy"),
        ("typing_extensions", "typing_extensions"),
    ],
)
def test_conda_names(pypi, conda):
    assert conda_name(pypi) == conda


def test_conda_name_table_has_only_differences():
    assert all(key != value for key, value in CONDA_NAMES.items())


# --------------------------------------------------------------------------- merge

NEW = render_rees(
    [row("numpy", "==1.26.4"), row("pandas", "==2.1.0"), row("scipy", "==1.11.0")], "3.11"
)["requirements.txt"]

MERGE_CASES = [
    pytest.param(None, NEW, id="no-old-file"),
    pytest.param("", NEW, id="empty-old-file"),
    pytest.param(NEW, NEW, id="same-file"),
    pytest.param(
        "# my notes\n-r base.txt\nnumpy==1.0  # keep this comment\nrequests>=2\n",
        f"{header()}\n# my notes\n-r base.txt\nnumpy==1.26.4  # keep this comment\npandas==2.1.0\n"
        "requests>=2\nscipy==1.11.0\n",
        id="user-lines-kept-pins-updated",
    ),
    pytest.param(
        'numpy==1.0 ; python_version < "3.12"\n',
        f'{header()}\nnumpy==1.26.4; python_version < "3.12"\npandas==2.1.0\nscipy==1.11.0\n',
        id="marker-kept",
    ),
    pytest.param(
        "--index-url https://example.org/simple\n\n",
        f"{header()}\n--index-url https://example.org/simple\nnumpy==1.26.4\npandas==2.1.0\nscipy==1.11.0\n",
        id="options-only",
    ),
    pytest.param(
        "zeta\nalpha\n",
        f"{header()}\nnumpy==1.26.4\npandas==2.1.0\nscipy==1.11.0\nzeta\nalpha\n",
        id="unsorted-user-file-inserts-before-first-later-name",
    ),
    pytest.param(
        "NumPy==1.0 \\\n    --hash=sha256:abc\n",
        f"{header()}\nnumpy==1.26.4\npandas==2.1.0\nscipy==1.11.0\n",
        id="continuation-line-replaced",
    ),
]


@pytest.mark.parametrize(("old", "expected"), MERGE_CASES)
def test_merge_requirements(old, expected):
    merged = merge_requirements_txt(old, NEW)
    assert merged == expected
    assert merge_requirements_txt(merged, NEW) == merged  # writing twice changes nothing


def test_merge_drops_excluded_rows_only():
    old = "numpy==1.0\nmatplotlib==3.0\nseaborn\n"
    merged = merge_requirements_txt(old, NEW, drop=["Matplotlib"])
    assert "matplotlib" not in merged
    assert "seaborn" in merged


def test_merge_replaces_old_header_version():
    old = "# Written by jupyter-rees-ui 0.0.1 long ago\nnumpy==1.0\n"
    merged = merge_requirements_txt(old, NEW)
    assert merged.count(HEADER_MARK) == 1 and merged.startswith(header())


def test_pin_changes():
    old = "numpy==1.0\nrequests\n"
    assert pin_changes(old, NEW) == (
        PinChange("numpy", "numpy==1.0", "numpy==1.26.4"),
        PinChange("pandas", None, "pandas==2.1.0"),
        PinChange("requests", "requests", None),
        PinChange("scipy", None, "scipy==1.11.0"),
    )


ENV_NEW = render_environment_yml(
    [
        row("numpy", "==1.26.4", source="conda"),
        row("torch", "==2.1.0", source="conda"),
        row("pandas", "==2.1.0"),
    ],
    "3.11",
)

ENV_OLD = """\
name: analysis  # my env
channels:
  - defaults
dependencies:
  - python>=3.12   # repo2docker ignores this form
  - numpy=1.20
  # plotting
  - matplotlib
  - pip:
      - pandas==1.0
      - mypkg  # mine
"""


def test_merge_environment_keeps_user_entries_and_comments():
    merged = merge_environment_yml(ENV_OLD, ENV_NEW)
    assert merged.startswith(header() + "\n")
    data = load_yaml(merged)
    assert data["name"] == "analysis"
    assert data["channels"] == ["defaults", "conda-forge"]
    deps = data["dependencies"]
    assert deps[0] == "python=3.11"
    assert "numpy=1.26.4" in deps and "pytorch=2.1.0" in deps and "matplotlib" in deps
    assert "pip" in deps
    assert deps[-1] == {"pip": ["pandas==2.1.0", "mypkg"]}
    assert "# my env" in merged and "# plotting" in merged and "# mine" in merged
    assert merge_environment_yml(merged, ENV_NEW) == merged


def test_merge_environment_same_text_is_identity():
    assert merge_environment_yml(ENV_NEW, ENV_NEW) == ENV_NEW


def test_merge_environment_adds_pip_section():
    merged = merge_environment_yml("dependencies:\n  - python=3.9\n", ENV_NEW)
    data = load_yaml(merged)
    assert data["channels"] == ["conda-forge"]
    assert data["dependencies"][0] == "python=3.11"
    assert data["dependencies"][-2:] == ["pip", {"pip": ["pandas==2.1.0"]}]


@pytest.mark.parametrize(
    ("old", "deps"),
    [
        pytest.param(
            "dependencies:\n  - scipy\n  - aaa\n",
            [
                "python=3.11",
                "numpy=1.26.4",
                "pytorch=2.1.0",
                "scipy",
                "aaa",
                "pip",
                {"pip": ["pandas==2.1.0"]},
            ],
            id="inserted-before-first-later-name",
        ),
        pytest.param(
            "dependencies:\n  - conda-forge::numpy>=1\n  - python=3.8\n  - python=3.9\n",
            ["numpy=1.26.4", "python=3.11", "pytorch=2.1.0", "pip", {"pip": ["pandas==2.1.0"]}],
            id="channel-prefix-and-duplicate-python",
        ),
        pytest.param(
            "dependencies:\n  - pytorch=1.0\n  - matplotlib\n  - pip:\n      - seaborn\n",
            ["python=3.11", "numpy=1.26.4", "pytorch=2.1.0", "pip", {"pip": ["pandas==2.1.0"]}],
            id="dropped-rows-removed",
        ),
    ],
)
def test_merge_environment_dependencies(old, deps):
    merged = merge_environment_yml(old, ENV_NEW, drop=["matplotlib", "seaborn"])
    assert load_yaml(merged)["dependencies"] == deps
    assert merge_environment_yml(merged, ENV_NEW, drop=["matplotlib", "seaborn"]) == merged


def test_merge_environment_refuses_broken_yaml():
    with pytest.raises(ReesError, match="not valid YAML"):
        merge_environment_yml("dependencies: [\n", ENV_NEW)


def test_merge_dispatch_by_name():
    assert merge_rees_file("binder/runtime.txt", "python-3.8\n", "python-3.11\n") == "python-3.11\n"
    assert merge_rees_file("binder/requirements.txt", "x\n", NEW).endswith("x\n")


def test_merge_keeps_windows_line_endings():
    old = "# mine\r\nnumpy==1.0\r\n"
    merged = merge_rees_file("requirements.txt", old, NEW)
    assert merged == merge_rees_file("requirements.txt", merged, NEW)
    assert merged.count("\r\n") == merged.count("\n") == 5


@pytest.mark.parametrize(
    "url",
    [
        "git+https://github.com/o/tool@v1#egg=tool",
        "https://h.example/p/tool-1.0.tar.gz?a=1&b=%20",
        "git+ssh://git@github.com/o/tool.git@0123abc",
    ],
)
def test_pip_urls_survive_yaml(url):
    new = render_environment_yml([row("tool", url=url, source="vcs")], "3.11")
    assert load_yaml(new)["dependencies"][-1] == {"pip": [f"tool @ {url}"]}
    old = "dependencies:\n  - pip:\n      - requests  # mine\n"
    merged = merge_environment_yml(old, new)
    assert load_yaml(merged)["dependencies"][-1] == {"pip": ["requests", f"tool @ {url}"]}
    assert merge_environment_yml(merged, new) == merged
    assert merge_environment_yml(new, new) == new


def test_unified_diff():
    assert unified_diff("a.txt", "x\n", "x\n") == ""
    diff = unified_diff("binder/runtime.txt", None, "python-3.11\n")
    assert diff.startswith("--- /dev/null\n+++ b/binder/runtime.txt\n")
    assert "+python-3.11" in diff


# --------------------------------------------------------------------------- layout rules


def codes(notes):
    return sorted(note.code for note in notes)


LAYOUT_CASES = [
    pytest.param({}, ["requirements.txt", "runtime.txt"], "binder", [], id="empty-folder"),
    pytest.param(
        {"binder/x": None, ".binder/y": None},
        ["requirements.txt"],
        "binder",
        ["both-binder-dirs", "other-binder-dir"],
        id="both-binder-dirs",
    ),
    pytest.param(
        {".binder/apt.txt": None},
        ["requirements.txt"],
        "binder",
        ["other-binder-dir"],
        id="existing-dotbinder",
    ),
    pytest.param(
        {"binder/apt.txt": None},
        ["requirements.txt"],
        ".",
        ["root-ignored"],
        id="root-while-binder-exists",
    ),
    pytest.param(
        {"requirements.txt": None, "setup.py": None},
        ["requirements.txt"],
        "binder",
        ["root-hidden"],
        id="creating-binder-hides-root",
    ),
    pytest.param(
        {"binder/environment.yml": None},
        ["requirements.txt", "runtime.txt"],
        "binder",
        ["ignored-file"],
        id="env-yml-wins-over-written-requirements",
    ),
    pytest.param(
        {"binder/requirements.txt": None},
        ["environment.yml"],
        "binder",
        ["ignored-file"],
        id="written-env-yml-hides-requirements",
    ),
    pytest.param(
        {"binder/Dockerfile": None},
        ["requirements.txt"],
        "binder",
        ["buildpack-wins"],
        id="dockerfile",
    ),
    pytest.param(
        {"binder/runtime.txt": "r-4.3-2023-06-01\n"},
        ["requirements.txt", "runtime.txt"],
        "binder",
        ["replaces-r-runtime"],
        id="r-runtime-replaced",
    ),
    pytest.param(
        {"binder/apt.txt": None, "binder/postBuild": None},
        ["requirements.txt", "runtime.txt"],
        "binder",
        ["kept"],
        id="extras-kept",
    ),
    pytest.param({"Pipfile": None}, ["requirements.txt"], ".", ["ignored-file"], id="pipfile-wins"),
]


@pytest.mark.parametrize(("existing", "writing", "target", "expected"), LAYOUT_CASES)
def test_layout_rules(existing, writing, target, expected):
    assert codes(check_layout(existing, writing, target=target)) == expected


def test_layout_offers_removal_of_ignored_file():
    (note,) = check_layout(
        {"binder/requirements.txt": None, "binder/runtime.txt": "python-3.9"},
        ["environment.yml"],
        target="binder",
    )
    assert note.paths == ("binder/requirements.txt", "binder/runtime.txt")
    assert "Binder will use binder/environment.yml" in note.message


@pytest.mark.parametrize(
    ("paths", "folder"),
    [
        ([], "."),
        (["requirements.txt"], "."),
        (["binder/apt.txt"], "binder"),
        ([".binder/x", "binder/y"], ".binder"),
    ],
)
def test_config_dir(paths, folder):
    assert config_dir(paths) == folder


def test_layout_python_version_supported():
    assert codes(check_layout({}, ["runtime.txt"], python_version="3.7")) == ["python-unsupported"]
    assert check_layout({}, ["runtime.txt"], python_version="3.14") == ()


# --------------------------------------------------------------------------- properties


NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}([-_.][a-z0-9]{1,4})?", fullmatch=True)
VERSIONS = st.from_regex(r"[0-9]{1,2}(\.[0-9]{1,3}){0,2}", fullmatch=True)
PINS = st.dictionaries(NAMES, VERSIONS, max_size=8)
USER_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            ["# a comment", "", "-r other.txt", "--index-url https://x.example/simple"]
        ),
        NAMES,
        st.builds(lambda n, v: f"{n}>={v}  # mine", NAMES, VERSIONS),
    ),
    max_size=8,
)


def _rows_of(pins):
    return [row(name, f"=={version}") for name, version in pins.items()]


def test_a_name_the_user_wrote_twice_is_updated_once():
    new = render_rees([ProposedRequirement("a", specifier="==0"), ProposedRequirement("b", specifier="==0")], "3.11")
    merged = merge_requirements_txt("a\na\n", new["requirements.txt"])
    assert [line for line in merged.splitlines() if not line.startswith("#")] == ["a==0", "b==0"]
    merged = merge_requirements_txt("a\na>=0  # mine\n", new["requirements.txt"])
    assert [line for line in merged.splitlines() if not line.startswith("#")] == ["a==0", "b==0"]
    # different markers are different lines: both kept, each updated
    merged = merge_requirements_txt("a; os_name == 'nt'\na; os_name != 'nt'\n", new["requirements.txt"])
    body = [line for line in merged.splitlines() if not line.startswith("#")]
    assert len([line for line in body if line.startswith("a")]) == 2, body


@settings(max_examples=60, deadline=None)
@given(pins=PINS, user=USER_LINES)
def test_requirements_merge_properties(pins, user):
    new = render_rees(_rows_of(pins), "3.11")["requirements.txt"]
    old = "\n".join(user) + "\n"
    merged = merge_requirements_txt(old, new)
    assert merge_requirements_txt(merged, new) == merged  # idempotent
    lines = merged.splitlines()
    for name, version in pins.items():  # every pin is there, once per name
        assert sum(1 for line in lines if line.split("==")[0] == name) <= 1
        assert any(line.startswith(f"{name}=={version}") for line in lines)
    generated = {canonicalize_name(name) for name in pins}
    for line in user:  # every non-blank user line without a generated name survives
        base = line.split(">=")[0].split("  #")[0]
        if line.strip() and not (base[:1].isalpha() and canonicalize_name(base) in generated):
            assert line in lines


@settings(max_examples=30, deadline=None)
@given(conda=PINS, pip=PINS)
def test_environment_render_and_merge_properties(conda, pip):
    rows = [row(n, f"=={v}", source="conda") for n, v in conda.items()]
    rows += [row(n, f"=={v}") for n, v in pip.items() if n not in conda]
    new = render_environment_yml(rows, "3.12")
    data = load_yaml(new)
    assert data["dependencies"][0] == "python=3.12"
    assert merge_environment_yml(new, new) == new
    merged = merge_environment_yml("dependencies:\n  - python>=3.12\n  - zlib  # keep\n", new)
    assert merge_environment_yml(merged, new) == merged
    assert "# keep" in merged and load_yaml(merged)["dependencies"][0] == "python=3.12"


# --- trust levels and environment markers ------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row("appnope", "==0.1.4", marker='sys_platform == "darwin"')],
         ['appnope==0.1.4; sys_platform == "darwin"']),
        ([row("pywin32", marker='os_name == "nt"', url="https://example.org/pywin32.whl")],
         ['pywin32 @ https://example.org/pywin32.whl ; os_name == "nt"']),
        ([row("helpers", trust="local"), row("numpy", "==1.26.4")], ["numpy==1.26.4"]),
        ([row("frobnicate", trust="unverified", included=False)], []),
        # the user decided to keep a guess: it is written
        ([row("frobnicate", trust="unverified", included=True)], ["frobnicate"]),
    ],
)
def test_writer_acts_on_trust_and_markers(rows, expected):
    text = render_rees(rows, "3.11")["requirements.txt"]
    assert text.splitlines()[1:] == expected
    for line in expected:  # pip reads what we write
        from packaging.requirements import Requirement

        Requirement(line)


def test_marked_rows_go_to_pip_in_environment_yml():
    rows = [
        row("numpy", "==1.26.4", source="conda"),
        row("appnope", "==0.1.4", source="conda", marker='sys_platform == "darwin"'),
    ]
    data = load_yaml(render_environment_yml(rows, "3.11"))
    assert "numpy=1.26.4" in data["dependencies"]
    assert {"pip": ['appnope==0.1.4; sys_platform == "darwin"']} in data["dependencies"]
