"""The resolution chain, ambiguity, pins, provenance and implicit needs (pure)."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from jupyter_rees_ui.core.implicit import (
    IMPLICIT_NEEDS,
    ImplicitTrigger,
    find_implicit_triggers,
    implicit_needs,
)
from jupyter_rees_ui.core.mapping import (
    CORRECTIONS,
    build_mapping,
    bundled_mapping,
    parse_pipreqs_mapping,
)
from jupyter_rees_ui.core.model import (
    Environment,
    ImportSite,
    InstalledDistribution,
    InstallHint,
    Location,
    ScanIssue,
    ScanResult,
)
from jupyter_rees_ui.core.resolve import (
    DECISION,
    PIN_POLICIES,
    RULES,
    apply_pin,
    build_proposal,
    mark_index_checks,
    module_name,
)

NB = "analysis.ipynb"

# A small stand-in for pipreqs' mapping file, with the wrong entries the real one has.
PIPREQS_TEXT = """\
PIL:Pillow
bs4:beautifulsoup4
google:protobuf
MySQLdb:MySQL-python
slugify:unicode_slugify
slugify:python-slugify
yaml:PyYAML
sklearn:scikit_learn
tables:tables
multi:first_dist
multi:second_dist
"""
MAPPING = build_mapping(PIPREQS_TEXT)


def dist(name, version="1.0", files=(), **extra):
    return InstalledDistribution(name=name, version=version, files=tuple(files), **extra)


ENV = Environment(
    python="/env/bin/python",
    python_version="3.11",
    description="venv at /env",
    distributions=(
        dist("numpy", "1.26.4", ["numpy/__init__.py", "numpy/linalg/__init__.py"]),
        dist("pandas", "2.2.1", ["pandas/__init__.py", "pandas/io/excel.py"]),
        dist("scikit-learn", "1.4.0", ["sklearn/__init__.py", "sklearn/linear_model/__init__.py"]),
        dist("PyYAML", "6.0.1", ["yaml/__init__.py", "_yaml/__init__.py"]),
        dist("Pillow", "10.2.0", ["PIL/__init__.py", "PIL/Image.py"]),
        dist("beautifulsoup4", "4.12.3", ["bs4/__init__.py"]),
        dist("google-cloud-storage", "2.14.0", [
            "google/cloud/storage/__init__.py", "google/cloud/storage/blob.py"]),
        dist("google-api-core", "2.17.0", ["google/api_core/__init__.py"]),
        dist("google-cloud-core", "2.4.1", ["google/cloud/client.py", "google/cloud/version.py"]),
        dist("protobuf", "4.25.3", ["google/protobuf/__init__.py"]),
        dist("azure-storage-blob", "12.19.0", ["azure/storage/blob/__init__.py"]),
        dist("azure-core", "1.30.0", ["azure/core/__init__.py"]),
        dist("torch", "2.1.0+cu118", ["torch/__init__.py"]),
        dist("matplotlib", "3.8.3", ["matplotlib/__init__.py", "mpl_toolkits/mplot3d/__init__.py"]),
        dist("tqdm", "4.66.2", ["tqdm/__init__.py", "tqdm/notebook.py"]),
        dist("openpyxl", "3.1.2", ["openpyxl/__init__.py"]),
        dist("SQLAlchemy", "2.0.0", ["sqlalchemy/__init__.py"]),
    ),
)

L1 = Location(NB, 0, 1)
L2 = Location(NB, 3, 2)
L3 = Location("helpers/run.py", None, 7)


def scan(*modules, installs=(), local=(), kernels=(), issues=(), kinds=None):
    kinds = kinds or {}
    sites = []
    for i, module in enumerate(modules):
        location = Location(NB, i, 1)
        sites.append(ImportSite(module, location, kind=kinds.get(module, "required")))
    return ScanResult(
        root="proj",
        files=(NB,),
        imports=tuple(sites),
        installs=tuple(installs),
        local_modules=frozenset(local),
        kernels=tuple(kernels),
        issues=tuple(issues),
    )


def rows_by_name(proposal):
    return {row.name: row for row in proposal.requirements}


def propose(result, env=ENV, **options):
    options.setdefault("mapping", MAPPING)
    return build_proposal(result, env, **options)


# --- apply_pin -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("version", "policy", "expected"),
    [
        ("1.2.3", "==", "==1.2.3"),
        ("1.2.3", "~=", "~=1.2.3"),
        ("1.2.3", ">=", ">=1.2.3"),
        ("1.2.3", "none", ""),
        ("1.2", "~=", "~=1.2"),
        ("7", "~=", "~=7.0"),
        ("1.2.3.4", "~=", "~=1.2.3"),
        ("2024.1.15", "~=", "~=2024.1.15"),
        ("2.0.0rc1", "~=", "~=2.0.0rc1"),
        ("1.2.3.post1", "~=", "~=1.2.3"),
        ("1.2.3.post1", "==", "==1.2.3.post1"),
        ("2.1.0+cu118", "==", "==2.1.0"),
        ("2.1.0+cu118", "~=", "~=2.1.0"),
        ("not-a-version", "==", "===not-a-version"),
        ("not-a-version", "~=", ""),
        ("", "==", ""),
    ],
)
def test_apply_pin(version, policy, expected):
    assert apply_pin(version, policy) == expected


@pytest.mark.parametrize("version", ["1.2.3", "0.9", "3", "2.0.0b2", "1.0.post2", "1.2.3.4.5", "5.1+local"])
@pytest.mark.parametrize("policy", ["==", "~=", ">="])
def test_apply_pin_always_admits_the_installed_version(version, policy):
    public = Version(version).public
    assert SpecifierSet(apply_pin(version, policy)).contains(public, prereleases=True)


VERSIONS = st.builds(
    lambda release, pre, post, dev, local: (
        ".".join(map(str, release))
        + (f"{pre[0]}{pre[1]}" if pre else "")
        + (f".post{post}" if post is not None else "")
        + (f".dev{dev}" if dev is not None else "")
        + (f"+{local}" if local else "")
    ),
    st.lists(st.integers(0, 2030), min_size=1, max_size=5),
    st.none() | st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 9)),
    st.none() | st.integers(0, 9),
    st.none() | st.integers(0, 9),
    st.none() | st.sampled_from(["cu118", "local.7"]),
)


@given(version=VERSIONS, policy=st.sampled_from(["==", "~=", ">="]))
def test_apply_pin_property(version, policy):
    specifier = SpecifierSet(apply_pin(version, policy))  # always valid PEP 440
    assert specifier.contains(Version(version).public, prereleases=True)


def test_apply_pin_rejects_unknown_policy():
    with pytest.raises(ValueError, match="pin policy"):
        apply_pin("1.0", "^")


# --- the resolution chain -----------------------------------------------------------

@pytest.mark.parametrize(
    ("module", "name", "rule", "source"),
    [
        # installed: longest dotted prefix owned in RECORD
        ("sklearn.linear_model", "scikit-learn", "installed", "pip"),
        ("yaml", "PyYAML", "installed", "pip"),
        ("PIL.Image", "Pillow", "installed", "pip"),
        ("bs4", "beautifulsoup4", "installed", "pip"),
        ("google.cloud.storage", "google-cloud-storage", "installed", "pip"),
        ("google.cloud.storage.blob", "google-cloud-storage", "installed", "pip"),
        ("google.protobuf.message", "protobuf", "installed", "pip"),
        ("google.api_core.exceptions", "google-api-core", "installed", "pip"),
        ("azure.storage.blob", "azure-storage-blob", "installed", "pip"),
        ("mpl_toolkits.mplot3d", "matplotlib", "installed", "pip"),
        ("numpy.linalg.norm", "numpy", "installed", "pip"),
        # mapping: not installed, corrections before pipreqs' entries
        ("cv2", "opencv-python", "mapping", "not-installed"),
        ("skimage.io", "scikit-image", "mapping", "not-installed"),
        ("MySQLdb", "mysqlclient", "mapping", "not-installed"),
        ("slugify", "python-slugify", "mapping", "not-installed"),
        ("tables", "tables", "mapping", "not-installed"),
        ("google.cloud.bigquery", "google-cloud-bigquery", "mapping", "not-installed"),
        ("google.cloud.newthing.v1", "google-cloud-newthing", "mapping", "not-installed"),
        ("azure.identity", "azure-identity", "mapping", "not-installed"),
        ("azure.mgmt.compute.models", "azure-mgmt-compute", "mapping", "not-installed"),
        # identity: nobody knows it
        ("frobnicate.core", "frobnicate", "identity", "unknown"),
    ],
)
def test_resolution_chain(module, name, rule, source):
    proposal = propose(scan(module))
    assert len(proposal.requirements) == 1
    row = proposal.requirements[0]
    assert (row.name, row.rule, row.source) == (name, rule, source)
    assert row.modules == (module,)
    assert row.rule in RULES


@pytest.mark.parametrize(
    ("module", "trust", "included"),
    [
        ("numpy.linalg", "verified", True),  # installed: pinned from the kernel
        ("google.cloud.storage", "verified", True),
        ("cv2", "known", True),  # not installed, our corrections name it
        ("slugify", "known", True),  # not installed, pipreqs' table names it
        ("multi", "unverified", False),  # two distributions: a decision
        ("google.cloud.newthing.v1", "unverified", False),  # the namespace convention only
        ("frobnicate.core", "unverified", False),  # the import name only
        ("google.colab", "unverified", False),  # nothing provides it
    ],
)
def test_trust_levels(module, trust, included):
    row = propose(scan(module)).requirements[0]
    assert (row.trust, row.included) == (trust, included)
    decisions = [w for w in row.warnings if w.startswith(DECISION)]
    if trust == "unverified" and row.rule != "mapping" or module == "multi":
        assert len(decisions) == 1
        assert all(word in decisions[0] for word in ("Install it", "name the distribution", "leave it out"))
    if trust != "unverified":
        assert not decisions


def test_local_modules_are_never_rows():
    proposal = propose(scan("helpers", "numpy", local={"helpers"}))
    assert [row.name for row in proposal.requirements] == ["numpy"]


def test_install_line_and_override_make_a_row_known():
    env = Environment(python="/p", python_version="3.11")
    installs = [InstallHint("frobnicate==1.0", "frobnicate", L2)]
    rows = rows_by_name(propose(scan("frobnicate", installs=installs), env))
    assert (rows["frobnicate"].trust, rows["frobnicate"].included) == ("known", True)
    rows = rows_by_name(propose(scan("zz"), env, overrides={"zz": "zz-dist"}))
    assert (rows["zz-dist"].trust, rows["zz-dist"].included) == ("known", True)


@pytest.mark.parametrize(
    ("answer", "trust", "included"),
    [(True, "verified", True), (False, "unverified", False), (None, "unverified", False)],
)
def test_index_check_settles_a_guess(answer, trust, included):
    env = Environment(python="/p", python_version="3.11")
    proposal = mark_index_checks(propose(scan("frobnicate"), env), {"frobnicate": answer})
    row = proposal.requirements[0]
    assert (row.trust, row.included) == (trust, included)
    assert any(w.startswith(DECISION) for w in row.warnings) is (answer is not True)


@pytest.mark.parametrize(
    ("markers", "expected"),
    [
        (['sys_platform == "darwin"'], 'sys_platform == "darwin"'),
        (['sys_platform == "darwin"', ""], ""),  # also imported unguarded
        (['sys_platform == "win32"', 'sys_platform == "darwin"'],
         'sys_platform == "darwin" or sys_platform == "win32"'),
    ],
)
def test_row_marker_from_guarded_imports(markers, expected):
    sites = tuple(
        ImportSite("numpy", Location(NB, i, 1), marker=marker) for i, marker in enumerate(markers)
    )
    result = ScanResult(root="proj", files=(NB,), imports=sites)
    row = propose(result).requirements[0]
    assert row.marker == expected
    assert row.line == "numpy==1.26.4" + (f"; {expected}" if expected else "")


def test_google_namespace_never_becomes_protobuf_unless_it_is_protobuf():
    env = Environment(python="/p", python_version="3.12")  # nothing installed
    rows = rows_by_name(propose(scan("google.cloud.storage", "google.protobuf.json_format"), env))
    assert set(rows) == {"google-cloud-storage", "protobuf"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"sklearn": "scikit-learn-intelex"}, ("scikit-learn-intelex", "", "not-installed")),
        ({"sklearn": "scikit-learn>=1.3"}, ("scikit-learn", ">=1.3", "pip")),
        ({"sklearn.linear_model": "scikit-learn"}, ("scikit-learn", "==1.4.0", "pip")),
        ({"sklearn": "mysk @ git+https://example.org/mysk.git@abc"},
         ("mysk", "", "vcs")),
    ],
)
def test_override_wins_over_everything(overrides, expected):
    installs = [InstallHint("scikit-learn==1.0", "scikit-learn", L2)]
    proposal = propose(scan("sklearn.linear_model", installs=installs), overrides=overrides)
    [row] = [r for r in proposal.requirements if r.modules]
    assert (row.name, row.specifier, row.source) == expected
    assert row.rule == "override"


def test_override_to_nothing_drops_the_import():
    proposal = propose(scan("yaml", "numpy"), overrides={"yaml": ""})
    assert [r.name for r in proposal.requirements] == ["numpy"]


def test_local_modules_are_not_requirements():
    proposal = propose(scan("mylib.tools", "numpy", local=["mylib"]))
    assert [r.name for r in proposal.requirements] == ["numpy"]
    assert proposal.local_modules == ("mylib",)


@pytest.mark.parametrize(
    ("requirement", "name", "specifier", "warning"),
    [
        ("scikit-learn==1.4.0", "scikit-learn", "==1.4.0", None),
        ("scikit-learn>=1.2,<2", "scikit-learn", "<2,>=1.2", None),
        ("scikit-learn==1.3.2", "scikit-learn", "==1.4.0", "pinned the kernel's version"),
        ("scikit-learn", "scikit-learn", "==1.4.0", None),  # no spec written: pin installed
    ],
)
def test_install_hint_spec_is_kept(requirement, name, specifier, warning):
    hint = InstallHint(requirement, "scikit-learn", L2)
    row = propose(scan("sklearn", installs=[hint])).requirements[0]
    assert (row.name, row.rule, row.specifier) == (name, "install-hint", specifier)
    assert L2 in row.sites and Location(NB, 0, 1) in row.sites
    if warning:
        assert any(warning in w for w in row.warnings)
    else:
        assert row.warnings == ()


def test_install_hint_links_to_an_import_that_is_not_installed():
    hints = [InstallHint("opencv-python-headless==4.9.0.80", "opencv-python-headless", L2)]
    env = Environment(python="/p", python_version="3.11")
    mapping = build_mapping("cv2:opencv_python_headless\n", corrections={})
    row = build_proposal(scan("cv2", installs=hints), env, mapping=mapping).requirements[0]
    assert (row.name, row.rule, row.specifier, row.source) == (
        "opencv-python-headless", "install-hint", "==4.9.0.80", "not-installed")
    assert row.modules == ("cv2",)


def test_install_hint_matches_the_import_name_itself():
    env = Environment(python="/p", python_version="3.11")
    hints = [InstallHint("frobnicate~=0.3", "frobnicate", L2)]
    row = propose(scan("frobnicate", installs=hints), env).requirements[0]
    assert (row.rule, row.specifier) == ("install-hint", "~=0.3")


def test_install_hint_never_imported_is_still_a_row():
    hints = [InstallHint("openpyxl", "openpyxl", L2), InstallHint("pip", "pip", L2)]
    rows = rows_by_name(propose(scan("pandas", installs=hints)))
    assert set(rows) == {"openpyxl", "pandas"}
    assert rows["openpyxl"].rule == "install-hint"
    assert rows["openpyxl"].specifier == "==3.1.2"
    assert rows["openpyxl"].modules == ()
    assert "never imported" in rows["openpyxl"].warnings[-1]


def test_install_hint_vcs_url_is_kept():
    hint = InstallHint("mytool @ git+https://example.org/me/mytool.git@v1", "mytool", L2)
    env = Environment(python="/p", python_version="3.11")
    row = propose(scan("mytool", installs=[hint]), env).requirements[0]
    assert row.line == "mytool @ git+https://example.org/me/mytool.git@v1"
    assert row.source == "vcs"


def test_install_hint_without_a_name_becomes_a_note():
    hint = InstallHint("git+https://example.org/x.git", None, L2)
    proposal = propose(scan("numpy", installs=[hint]))
    assert any("git+https://example.org/x.git" in str(note) for note in proposal.notes)


def test_conflicting_install_lines_are_flagged():
    hints = [InstallHint("pandas==2.0", "pandas", L2), InstallHint("pandas==2.2.1", "pandas", L3)]
    row = propose(scan("pandas", installs=hints)).requirements[0]
    assert any("different ways" in w for w in row.warnings)


def test_case_insensitive_match_is_flagged():
    row = propose(scan("Yaml")).requirements[0]
    assert (row.name, row.rule) == ("PyYAML", "installed")
    assert any("case" in w for w in row.warnings)


# --- ambiguity -----------------------------------------------------------------------

def two_cv2(**headless_extra):
    return Environment(
        python="/p",
        python_version="3.11",
        distributions=(
            dist("opencv-python", "4.9.0.80", ["cv2/__init__.py", "cv2/data/__init__.py",
                                                "cv2/utils/__init__.py"]),
            dist("opencv-python-headless", "4.9.0.80", ["cv2/__init__.py"], **headless_extra),
        ),
    )


@pytest.mark.parametrize(
    ("env", "chosen", "because"),
    [
        (two_cv2(), "opencv-python", "most files"),
        (two_cv2(import_names=("cv2",)), "opencv-python-headless", "Import-Name"),
        (
            Environment(python="/p", python_version="3.11", distributions=(
                dist("opencv-python", "4.9", ["cv2/__init__.py", "cv2/a.py"], shadowed=("cv2/__init__.py",)),
                dist("opencv-python-headless", "4.9", ["cv2/__init__.py"]),
            )),
            "opencv-python-headless",
            "on disk",
        ),
        (
            Environment(python="/p", python_version="3.11", distributions=(
                dist("cv2-extras", "1", ["cv2/__init__.py", "cv2/x.py", "cv2/y.py"]),
                dist("cv2", "1", ["cv2/__init__.py"]),
            )),
            "cv2",
            "name matches",
        ),
    ],
)
def test_ambiguous_modules_list_candidates_and_flag_the_row(env, chosen, because):
    row = propose(scan("cv2"), env).requirements[0]
    assert row.name == chosen
    assert len(row.candidates) == 1 and row.candidates[0] != chosen
    assert any(because in w and "review" in w for w in row.warnings)


def test_namespace_package_import_is_ambiguous():
    row = propose(scan("google")).requirements[0]
    assert row.rule == "installed"
    assert len(row.candidates) >= 3
    assert any("review" in w for w in row.warnings)


# --- kinds, pins, provenance -------------------------------------------------------

def test_optional_only_imports_are_not_included_by_default():
    proposal = propose(
        scan("yaml", "numpy", "bs4", kinds={"yaml": "optional", "bs4": "type-checking"})
    )
    rows = rows_by_name(proposal)
    assert (rows["PyYAML"].kind, rows["PyYAML"].included) == ("optional", False)
    assert (rows["beautifulsoup4"].kind, rows["beautifulsoup4"].included) == ("type-checking", False)
    assert (rows["numpy"].kind, rows["numpy"].included) == ("required", True)


def test_required_anywhere_wins_over_optional():
    result = ScanResult(
        root="p",
        imports=(ImportSite("yaml", L1, kind="optional"), ImportSite("yaml", L3)),
    )
    row = propose(result).requirements[0]
    assert (row.kind, row.included, row.sites) == ("required", True, (L1, L3) if L1 < L3 else (L3, L1))


@pytest.mark.parametrize(("policy", "specifier"), [("==", "==1.26.4"), ("~=", "~=1.26.4"), (">=", ">=1.26.4"), ("none", "")])
def test_pin_policies(policy, specifier):
    row = propose(scan("numpy"), pin=policy).requirements[0]
    assert row.specifier == specifier
    assert row.installed_version == "1.26.4"


def test_per_row_pins():
    rows = rows_by_name(propose(scan("numpy", "pandas", "yaml"),
                                pins={"numpy": "none", "Pandas": ">=2,<3", "PyYAML": "~="}))
    assert rows["numpy"].specifier == ""
    assert rows["pandas"].specifier == "<3,>=2"
    assert rows["PyYAML"].specifier == "~=6.0.1"


def test_local_build_versions_pin_the_public_version():
    row = propose(scan("torch")).requirements[0]
    assert row.specifier == "==2.1.0"
    assert any("local build" in w for w in row.warnings)


def test_unknown_pin_policy_is_an_error():
    with pytest.raises(ValueError):
        propose(scan("numpy"), pin="^")


@pytest.mark.parametrize(
    ("installed", "line", "source", "warning"),
    [
        (dist("tool", "1.0", ["tool/__init__.py"], source="conda", conda_name="tool-py"),
         "tool==1.0", "conda", None),
        (dist("tool", "1.0", ["tool/__init__.py"], source="vcs",
              url="git+https://github.com/me/tool.git", commit="0123abc"),
         "tool @ git+https://github.com/me/tool.git@0123abc", "vcs", None),
        (dist("tool", "1.0", ["tool/__init__.py"], source="editable", url="file:///home/me/tool"),
         "tool==1.0", "editable", "editable install"),
        (dist("tool", "1.0", ["tool/__init__.py"], source="archive", url="file:///tmp/tool-1.0.tar.gz"),
         "tool==1.0", "archive", "local archive"),
        (dist("tool", "1.0", ["tool/__init__.py"], source="archive",
              url="https://example.org/tool-1.0.tar.gz"),
         "tool @ https://example.org/tool-1.0.tar.gz", "archive", None),
    ],
)
def test_provenance(installed, line, source, warning):
    env = Environment(python="/p", python_version="3.11", distributions=(installed,), is_conda=True)
    row = propose(scan("tool"), env).requirements[0]
    assert (row.line, row.source) == (line, source)
    assert row.conda_name == installed.conda_name
    if warning:
        assert any(warning in w for w in row.warnings)
    else:
        assert row.warnings == ()


# --- implicit needs -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("df = pd.read_excel('a.xlsx')", [("call", "read_excel", 1)]),
        ("x = 1\ndf.to_parquet('a.parquet')\n", [("call", "to_parquet", 2)]),
        ("%matplotlib widget\nimport matplotlib", [("magic", "matplotlib widget", 1)]),
        ("%matplotlib inline", []),
        ("read_excel = 3", []),  # not a call on anything
        ("fig.write_image('a.png')", [("call", "write_image", 1)]),
    ],
)
def test_find_implicit_triggers(source, expected):
    start = Location(NB, 4, 1)
    found = find_implicit_triggers(source, start)
    assert [(t.kind, t.name, t.location.line) for t in found] == expected
    assert all(t.location.cell == 4 for t in found)


def test_implicit_table_is_reviewed_and_small():
    assert 5 <= len(IMPLICIT_NEEDS) <= 80
    keys = {(n.kind, n.trigger, n.requires, n.distribution) for n in IMPLICIT_NEEDS}
    assert len(keys) == len(IMPLICIT_NEEDS)
    assert all(n.reason and n.distribution for n in IMPLICIT_NEEDS)


@pytest.mark.parametrize(
    ("modules", "triggers", "expected"),
    [
        (["pandas"], [ImplicitTrigger("call", "read_excel", L2)], {"openpyxl"}),
        (["polars"], [ImplicitTrigger("call", "read_excel", L2)], {"fastexcel"}),  # not openpyxl
        (["numpy"], [ImplicitTrigger("call", "read_excel", L2)], set()),  # no dataframe library
        (["pandas"], [ImplicitTrigger("call", "plot", L2)], {"matplotlib"}),
        (["pandas"], [ImplicitTrigger("option", "plotting.backend plotly", L2)], {"plotly"}),
        (["geopandas"], [ImplicitTrigger("call", "explore", L2)], {"folium", "mapclassify", "matplotlib"}),
        (["xarray"], [ImplicitTrigger("call", "open_dataset", L2)], {"netCDF4"}),
        (["keras"], [], {"tensorflow"}),  # Keras 3 needs a backend
        (["keras", "torch"], [], set()),  # it has one
        (["tqdm.notebook"], [], {"ipywidgets"}),
        (["tqdm"], [], set()),
        ([], [ImplicitTrigger("magic", "matplotlib widget", L2)], {"ipympl"}),
        (["pandas"], [ImplicitTrigger("call", "read_parquet", L2),
                      ImplicitTrigger("call", "to_feather", L3)], {"pyarrow"}),
    ],
)
def test_implicit_needs(modules, triggers, expected):
    assert set(implicit_needs(triggers, modules)) == expected


def test_implicit_needs_installed_are_written_others_are_decisions():
    triggers = [ImplicitTrigger("call", "read_excel", L2), ImplicitTrigger("call", "to_parquet", L2)]
    rows = rows_by_name(propose(scan("pandas", "tqdm.notebook"), triggers=triggers))
    openpyxl = rows["openpyxl"]
    assert (openpyxl.rule, openpyxl.trust, openpyxl.included) == ("implicit", "verified", True)
    assert openpyxl.specifier == "==3.1.2"  # installed: pinned like any row
    assert openpyxl.warnings == ("pandas reads .xlsx files with openpyxl",)  # its reason
    pyarrow = rows["pyarrow"]
    assert (pyarrow.source, pyarrow.trust, pyarrow.included) == ("not-installed", "unverified", False)
    assert pyarrow.warnings[0].startswith(DECISION) and "Parquet" in pyarrow.warnings[0]
    assert rows["ipywidgets"].included is False
    assert rows["pandas"].included is True


def test_find_option_triggers():
    found = find_implicit_triggers('pd.options.plotting.backend = "plotly"', Location(NB, 0, 1))
    assert [(t.kind, t.name) for t in found] == [("option", "plotting.backend plotly")]
    found = find_implicit_triggers("pd.set_option('plotting.backend', 'hvplot')", Location(NB, 0, 1))
    assert [(t.kind, t.name) for t in found] == [("option", "plotting.backend hvplot")]


def test_implicit_need_already_required_is_not_duplicated():
    triggers = [ImplicitTrigger("call", "read_excel", L2)]
    rows = rows_by_name(propose(scan("pandas", "openpyxl"), triggers=triggers))
    assert rows["openpyxl"].rule == "installed" and rows["openpyxl"].included


# --- the proposal as a whole ----------------------------------------------------------

def test_proposal_is_sorted_deterministic_and_json():
    issue = ScanIssue(L2, "syntax-error", "invalid syntax")
    result = scan("yaml", "sklearn", "bs4", "PIL", "numpy", "cv2", issues=[issue])
    first = propose(result)
    second = propose(result)
    assert first == second
    names = [r.name for r in first.requirements]
    assert names == sorted(names, key=lambda n: n.lower().replace("_", "-"))
    data = first.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["python_version"] == "3.11"
    assert data["environment"] == "venv at /env"
    assert data["issues"][0]["kind"] == "syntax-error"
    assert data["requirements"][0]["sites"][0] == {"path": NB, "cell": 2, "line": 1}


def test_several_modules_of_one_distribution_share_a_row():
    proposal = propose(scan("google.cloud.storage", "google.cloud.storage.blob", "yaml", "_yaml"))
    rows = rows_by_name(proposal)
    assert rows["google-cloud-storage"].modules == ("google.cloud.storage", "google.cloud.storage.blob")
    assert rows["PyYAML"].modules == ("_yaml", "yaml")
    assert len(rows["PyYAML"].sites) == 2


def test_not_installed_and_unknown_rows_carry_warnings():
    rows = rows_by_name(propose(scan("cv2", "frobnicate")))
    assert "not installed" in rows["opencv-python"].warnings[0]
    assert "no mapping knows it" in rows["frobnicate"].warnings[0]


def test_several_kernels_are_noted():
    result = scan("numpy", kernels=[("a.ipynb", "python3"), ("b.ipynb", "other-env")])
    proposal = propose(result)
    assert any("2 different kernels" in str(n) for n in proposal.notes)
    assert not propose(scan("numpy", kernels=[("a.ipynb", "python3")])).notes


# --- module paths and the mapping -------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("google/cloud/storage/__init__.py", "google.cloud.storage"),
        ("six.py", "six"),
        ("cv2/cv2.abi3.so", "cv2.cv2"),
        ("_yaml/_yaml.cpython-311-x86_64-linux-gnu.so", "_yaml._yaml"),
        ("numpy/__init__.pyi", "numpy"),
        ("foo-1.0.dist-info/METADATA", None),
        ("../../bin/foo", None),
        ("data/file.txt", None),
    ],
)
def test_module_name(path, expected):
    assert module_name(path) == expected


def test_parse_pipreqs_mapping():
    parsed = parse_pipreqs_mapping(PIPREQS_TEXT + "\n# comment\nbroken line\nPIL:pillow\n")
    assert parsed["PIL"] == ("Pillow",)  # same distribution twice is one entry
    assert parsed["multi"] == ("first_dist", "second_dist")
    assert "broken line" not in parsed


def test_ambiguous_mapping_entry_is_flagged():
    env = Environment(python="/p", python_version="3.11")
    row = propose(scan("multi"), env).requirements[0]
    assert row.name == "first_dist" and row.candidates == ("second_dist",)
    assert (row.trust, row.included) == ("unverified", False)
    assert any(w.startswith(DECISION) and "second_dist" in w for w in row.warnings)


def test_bundled_mapping_reads_installed_pipreqs_and_applies_corrections():
    mapping = bundled_mapping()
    assert len(mapping.pipreqs) > 500
    assert mapping.pipreqs["google"] == ("protobuf",)  # pipreqs' known-wrong entry ...
    assert mapping.lookup("google.cloud.storage").distributions == ("google-cloud-storage",)
    assert mapping.lookup("google").distributions == ()  # ... is corrected
    assert [canonicalize_name(d) for d in mapping.lookup("PIL").distributions] == ["pillow"]
    assert mapping.lookup("bs4.element").distributions == ("beautifulsoup4",)


def test_corrections_name_real_looking_distributions():
    for module, name in CORRECTIONS.items():
        assert all(part.isidentifier() for part in module.split("."))
        assert name == "" or name.replace("-", "").replace(".", "").replace("_", "").isalnum()


def test_pin_policies_constant():
    assert PIN_POLICIES == ("==", "~=", ">=", "none")


@pytest.mark.parametrize(
    ("module", "names", "env", "expected"),
    [
        ("google.cloud", ("storage",), ENV, [("google-cloud-storage", ("google.cloud.storage",))]),
        ("google.cloud", ("storage",), Environment(python="/p", python_version="3.11"),
         [("google-cloud-storage", ("google.cloud.storage",))]),
        ("google.cloud", ("bigquery", "storage"), Environment(python="/p", python_version="3.11"),
         [("google-cloud-bigquery", ("google.cloud.bigquery",)),
          ("google-cloud-storage", ("google.cloud.storage",))]),
        ("azure.storage", ("blob",), ENV, [("azure-storage-blob", ("azure.storage.blob",))]),
        ("sklearn", ("svm", "tree"), ENV, [("scikit-learn", ("sklearn",))]),
        ("sklearn.linear_model", ("LogisticRegression",), ENV,
         [("scikit-learn", ("sklearn.linear_model",))]),
        ("yaml", ("*",), ENV, [("PyYAML", ("yaml",))]),
    ],
)
def test_from_imports_try_the_imported_names(module, names, env, expected):
    result = ScanResult(root="p", imports=(ImportSite(module, L1, names=names),))
    proposal = propose(result, env)
    assert [(r.name, r.modules) for r in proposal.requirements] == expected
    assert all(r.sites == (L1,) for r in proposal.requirements)


def test_version_conflicts_between_kernels_are_flagged():
    other = Environment(
        python="/other/bin/python",
        python_version="3.10",
        distributions=(dist("numpy", "2.0.1", ["numpy/__init__.py"]),),
    )
    result = ScanResult(
        root="p",
        imports=(
            ImportSite("numpy", Location("a.ipynb", 0, 1)),
            ImportSite("numpy", Location("b.ipynb", 0, 1)),
            ImportSite("yaml", Location("b.ipynb", 1, 1)),
            ImportSite("pandas", Location("a.ipynb", 1, 1)),
        ),
        kernels=(("a.ipynb", "python3"), ("b.ipynb", "other")),
    )
    proposal = propose(result, kernel_environments={"other": other, "python3": ENV})
    rows = rows_by_name(proposal)
    assert any("version conflict" in w and "numpy 2.0.1" in w and "b.ipynb" in w
               for w in rows["numpy"].warnings)
    assert any("does not have PyYAML" in w for w in rows["PyYAML"].warnings)
    assert rows["pandas"].warnings == ()  # only used on the proposal's own kernel
    assert any("2 different kernels" in str(n) for n in proposal.notes)
    assert any("'other' runs Python 3.10" in str(n) for n in proposal.notes)


def test_environment_errors_become_notes():
    env = Environment(python="/p", python_version="3.11", errors=("unreadable RECORD for x",))
    proposal = propose(scan("numpy"), env)
    assert any("unreadable RECORD for x" in str(n) for n in proposal.notes)


EMPTY = Environment(python="/p", python_version="3.11")


@pytest.mark.parametrize(
    ("modules", "hint", "env", "expected"),
    [
        # `%conda install pytorch` stands for PyPI's torch
        (["torch"], "pytorch", ENV, [("torch", ("torch",), "install-hint", "==2.1.0")]),
        (["torch"], "pytorch", EMPTY, [("torch", ("torch",), "install-hint", "")]),
        # never imported: the row takes the PyPI name
        ([], "pytables", EMPTY, [("tables", (), "install-hint", "")]),
        # one conda package for several PyPI names: linked through the installed one
        (["cv2"], "opencv", two_cv2(), [("opencv-python", ("cv2",), "install-hint", "==4.9.0.80")]),
        # same-named conda package
        (["yaml"], "pyyaml", ENV, [("PyYAML", ("yaml",), "install-hint", "==6.0.1")]),
    ],
)
def test_conda_install_lines(modules, hint, env, expected):
    installs = [InstallHint(hint, hint, L2, manager="conda")]
    rows = propose(scan(*modules, installs=installs), env).requirements
    assert [(r.name, r.modules, r.rule, r.specifier) for r in rows] == expected


def test_conda_line_for_several_pypi_names_links_the_installed_choice():
    env = two_cv2(import_names=("cv2",))  # the headless build is the installed answer
    installs = [InstallHint("opencv", "opencv", L2, manager="conda")]
    [row] = propose(scan("cv2", installs=installs), env).requirements
    assert (row.name, row.rule) == ("opencv-python-headless", "install-hint")


def test_top_level_txt_naming_a_namespace_does_not_claim_it():
    env = Environment(python="/p", python_version="3.11", distributions=(
        dist("google-auth", "2.0", ["google/auth/__init__.py"], top_level=("google",)),
        dist("legacy", "1.0", [], top_level=("legacy_mod",)),  # no RECORD: trust top_level.txt
    ))
    rows = rows_by_name(propose(scan("google.cloud.bigquery", "google.auth", "legacy_mod.sub"), env))
    assert rows["google-cloud-bigquery"].rule == "mapping"
    assert rows["google-auth"].rule == "installed"
    assert rows["legacy"].rule == "installed"


@pytest.mark.parametrize(
    ("module", "reason"),
    [("google.colab", "Google Colab"), ("google", "namespace"), ("azure", "namespace")],
)
def test_modules_no_distribution_provides_are_left_out(module, reason):
    env = Environment(python="/p", python_version="3.11")
    proposal = propose(scan(module, "cv2"), env)
    rows = rows_by_name(proposal)
    row = rows[module]
    assert (row.rule, row.source, row.included) == ("mapping", "unknown", False)
    assert reason in row.warnings[0]
    assert rows["opencv-python"].included


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("=1.26", "==1.26.*"),
        ("=1.26=py311_0", "==1.26.*"),
        ("=1.26.*", "==1.26.*"),
        ("==1.26", "==1.26"),
        ("==1.26.4=h123_0", "==1.26.4"),
        (">=1.2,<2", "<2,>=1.2"),
        ("=not a version", None),
    ],
)
def test_conda_match_specs_become_pep440_specifiers(spec, expected):
    from jupyter_rees_ui.core.resolve import conda_specifier

    assert conda_specifier(spec) == expected


def test_a_warning_said_for_several_submodules_is_kept_once():
    """'a.b' and 'a.c' give the same warning but for the module's name: kept once, for
    the shortest module; other quoted names are left as they are."""
    from jupyter_rees_ui.core.resolve import Resolution, _one_per_template

    group = [
        Resolution("pkg.sub", "mapping", "pkg", warnings=("'pkg.sub' is not installed; 'other' is",)),
        Resolution("pkg", "mapping", "pkg", warnings=("'pkg' is not installed; 'other' is",)),
        Resolution("pkg.more", "mapping", "pkg", warnings=("'pkg.more' is not installed; 'pkgx' is",)),
    ]
    assert _one_per_template(group) == ["'pkg' is not installed; 'other' is", "'pkg.more' is not installed; 'pkgx' is"]


def test_a_prepared_index_gives_the_same_proposal():
    """The index a caller prepares while the folder is read (``EnvironmentIndex.prepare``)
    gives the proposal the resolver's own index gives."""
    from jupyter_rees_ui.core.resolve import index_environment

    result = scan("numpy", "pandas.io.excel", "google.cloud.storage", "sklearn", "yaml", "notinstalled", "os")
    index = index_environment(ENV)
    index.prepare(site.module for site in result.imports)
    index.prepare(["numpy"])  # again: indexed once
    assert propose(result, index=index) == propose(result)


def _module_name_by_parts(path):
    """The reading of a RECORD path the resolver's ``module_name`` must keep."""
    if not path.endswith((".py", ".pyi", ".so", ".pyd")):
        return None
    parts = path.split("/")
    stem = parts[-1].split(".", 1)[0]
    parts = parts[:-1] if stem == "__init__" else [*parts[:-1], stem]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["a", "b_2", "__init__", "", "1x", "é", "x-y", "__pycache__", "c.d"]), min_size=1, max_size=4),
       st.sampled_from([".py", ".pyi", ".cpython-311-x86_64-linux-gnu.so", ".pyd", ".pyc", ".txt", ""]))
@example(["", "a"], ".py")  # "/a.py"
@example(["a", "", "b"], ".py")  # "a//b.py"
@example(["__init__"], ".py")
def test_module_name_reads_record_paths_as_their_parts_say(parts, suffix):
    from jupyter_rees_ui.core.resolve import module_name

    path = "/".join(parts) + suffix
    assert module_name(path) == _module_name_by_parts(path)


def _eager_top_level(entries):
    """The index of one top-level name as it was built before: every prefix at once."""
    from collections import defaultdict

    from jupyter_rees_ui.core.resolve import MODULE_SUFFIXES, module_name

    owners, own_file, weight = defaultdict(set), defaultdict(set), defaultdict(int)
    for key, entry in entries:
        module = module_name(entry) if "/" in entry or entry.endswith(MODULE_SUFFIXES) else entry
        if module is None:
            continue
        prefix = ""
        for part in module.split("."):
            prefix = f"{prefix}.{part}" if prefix else part
            owners[prefix].add(key)
            weight[prefix, key] += 1
        own_file[module].add(key)
    lower = {k.casefold(): k for k in sorted(owners, reverse=True)}
    return {k: tuple(sorted(v)) for k, v in owners.items()}, own_file, weight, lower


_PARTS = ["pkg", "Pkg", "sub", "mod", "__init__", "x_1"]


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["dist-a", "dist-b", "dist-c"]),
            st.one_of(
                st.lists(st.sampled_from(_PARTS), min_size=1, max_size=4).map(lambda p: "/".join(p) + ".py"),
                st.lists(st.sampled_from(_PARTS), min_size=1, max_size=3).map(".".join),  # declared names
            ),
        ),
        max_size=25,
    ),
    st.lists(st.lists(st.sampled_from([*_PARTS, "other"]), min_size=1, max_size=4).map(".".join), max_size=6),
)
def test_each_prefix_is_owned_as_the_eager_index_said(entries, queries):
    """Worked out per prefix when asked, ownership is what indexing every prefix at
    once gave: owners, own files, weights and the spelling matched ignoring case."""
    from jupyter_rees_ui.core.resolve import _TopLevel

    owners, own_file, weight, lower = _eager_top_level(entries)
    top = _TopLevel(entries)
    for prefix in [*owners, *queries]:
        found = top.prefix(prefix)
        assert found.owners == owners.get(prefix, ())
        assert found.own_file == frozenset(own_file.get(prefix, ()))
        assert {k: v for k, v in found.weight.items()} == {k: v for (p, k), v in weight.items() if p == prefix}
        assert top.real_case(prefix.upper()) == lower.get(prefix.upper().casefold())


def test_prepared_install_lines_are_read_as_the_proposal_reads_them():
    from jupyter_rees_ui.core import resolve
    from jupyter_rees_ui.core.model import InstallHint, Location

    hints = [InstallHint("pandas>=2", "pandas", Location("a.ipynb", 0)), InstallHint("not a req!", None, Location("a.ipynb", 1)),
             InstallHint("numpy=1.26", "numpy", Location("a.ipynb", 2), "conda")]
    resolve._requirement.cache_clear()
    resolve.prepare_install_lines(hints)
    assert resolve._requirement.cache_info().currsize == 2  # the pip lines only
    assert str(resolve._requirement("pandas>=2").specifier) == ">=2" and resolve._requirement("not a req!") is None
