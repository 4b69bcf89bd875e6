"""The wheel data beside our corrections and pipreqs' table: who answers a module the
kernel's environment does not have, and when the answer is a decision (pure)."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

from jupyter_rees_ui.core.mapping import (
    WheelData,
    build_mapping,
    bundled_mapping,
    bundled_wheel_data,
)
from jupyter_rees_ui.core.model import (
    Environment,
    ImportSite,
    InstalledDistribution,
    Location,
    ScanResult,
)
from jupyter_rees_ui.core.resolve import DECISION, build_proposal

WHEELS = WheelData.from_json({
    "generated": "2026-12-01",
    "examined": ["numpy", "twin-a", "twin-b", "PyYAML", "yaml-fork", "opencv-python",
                 "opencv-python-headless", "python-slugify", "unicode-slugify",
                 "google-cloud-storage", "stale-dist", "protobuf"],
    "modules": {
        "numpy": ["numpy"],
        "twin": ["twin-a", "twin-b"],
        "yaml": ["PyYAML", "yaml-fork"],
        "cv2": ["opencv-python", "opencv-python-headless"],
        "slugify": ["python-slugify"],
        "unicodedata3": ["unicodedata3-wheel"],
        "google.cloud.storage": ["google-cloud-storage"],
        "google.protobuf": ["protobuf"],
        "renamed.api": ["renamed", "renamed-old"],
        "sourcey": ["bundles-sourcey"],
        "airflow": ["apache-airflow-core"],
        "airflow.providers.amazon": ["apache-airflow-providers-amazon"],
        "dbt.adapters": ["dbt-adapters"],
        "dbt.adapters.snowflake": ["dbt-snowflake"],
    },
    "without_wheel": ["sourcey"],
})
PIPREQS = """\
yaml:PyYAML
slugify:unicode_slugify
slugify:python-slugify
unicodedata3:unicodedata3
pipreqs_only:pipreqs-only-dist
"""
CORRECTIONS = {"cv2": "opencv-python", "google": "", "google.cloud": "", "renamed": "renamed"}
MAPPING = build_mapping(PIPREQS, corrections=CORRECTIONS, wheels=WHEELS)
EMPTY_ENV = Environment(python="/p", python_version="3.11")


@pytest.mark.parametrize(
    ("module", "distributions", "origin", "alternatives"),
    [
        # one wheel provides it, pipreqs names nothing else: certain
        ("numpy.linalg", ("numpy",), "wheels", ()),
        # two wheels provide it, nothing settles it: a decision between them
        ("twin.core", ("twin-a", "twin-b"), "wheels", ()),
        # two wheels, pipreqs names exactly one of them: settled, the other listed
        ("yaml", ("PyYAML",), "pipreqs", ("yaml-fork",)),
        # our corrections settle it before any table
        ("cv2.data", ("opencv-python",), "corrections", ()),
        # pipreqs' other name was examined and provides no such module: stale, ignored
        ("slugify", ("python-slugify",), "wheels", ()),
        # pipreqs' other name was never examined: it may provide it too, a decision
        ("unicodedata3", ("unicodedata3-wheel", "unicodedata3"), "wheels", ()),
        # only pipreqs knows it
        ("pipreqs_only.sub", ("pipreqs-only-dist",), "pipreqs", ()),
        # a namespace package's distribution found by its dotted name
        ("google.cloud.storage.blob", ("google-cloud-storage",), "wheels", ()),
        ("google.protobuf.message", ("protobuf",), "wheels", ()),
        # a decision below a package our corrections name is settled by them
        ("renamed.api.v1", ("renamed",), "wheels", ("renamed-old",)),
        # a distribution published only as source, named like the module: a candidate
        ("sourcey.sub", ("bundles-sourcey", "sourcey"), "wheels", ()),
        # a package's owner answers for its modules, but not under a sub-package that
        # other wheels install into
        ("airflow.models", ("apache-airflow-core",), "wheels", ()),
        ("airflow.providers.amazon.aws", ("apache-airflow-providers-amazon",), "wheels", ()),
        ("airflow.providers.iceberg", ("apache-airflow-core",), "shared", ()),
        ("dbt.adapters.base", ("dbt-adapters",), "shared", ()),
        ("dbt.adapters.snowflake.impl", ("dbt-snowflake",), "wheels", ()),
    ],
)
def test_lookup_combines_the_sources(module, distributions, origin, alternatives):
    answer = MAPPING.lookup(module)
    assert (answer.distributions, answer.origin, answer.alternatives) == (distributions, origin, alternatives)


@pytest.mark.parametrize(
    ("module", "name", "trust", "included", "candidates"),
    [
        ("numpy", "numpy", "known", True, ()),
        ("twin", "twin-a", "unverified", False, ("twin-b",)),
        ("yaml", "PyYAML", "known", True, ("yaml-fork",)),
        ("cv2", "opencv-python", "known", True, ()),
        ("unicodedata3", "unicodedata3", "unverified", False, ("unicodedata3-wheel",)),
        ("frobnicate", "frobnicate", "unverified", False, ()),  # nobody knows it
        ("airflow.providers.iceberg", "apache-airflow-core", "unverified", False, ()),
    ],
)
def test_resolver_trust_from_the_mapping(module, name, trust, included, candidates):
    result = ScanResult(root="p", files=("a.ipynb",), imports=(ImportSite(module, Location("a.ipynb", 0, 1)),))
    [row] = build_proposal(result, EMPTY_ENV, mapping=MAPPING).requirements
    assert (row.name, row.trust, row.included, row.candidates) == (name, trust, included, candidates)
    decisions = [w for w in row.warnings if w.startswith(DECISION)]
    assert bool(decisions) == (trust == "unverified")
    if trust == "unverified" and candidates:
        assert all(c in decisions[0] for c in (name, *candidates))
    if trust == "known":
        assert row.specifier == "" and any("written unpinned" in w for w in row.warnings)


def test_an_installed_distribution_still_wins_over_the_data():
    env = Environment(python="/p", python_version="3.11", distributions=(
        InstalledDistribution("twin-b", "2.0", files=("twin/__init__.py",)),
    ))
    result = ScanResult(root="p", files=("a.ipynb",), imports=(ImportSite("twin", Location("a.ipynb", 0, 1)),))
    [row] = build_proposal(result, env, mapping=MAPPING).requirements
    assert (row.name, row.trust, row.specifier, row.included) == ("twin-b", "verified", "==2.0", True)


@pytest.mark.parametrize(
    ("files", "import_names", "import_namespaces", "module", "rule", "name"),
    [
        # PEP 794 Import-Name: a distribution without RECORD files still owns its name
        ((), ("declared",), (), "declared.sub", "installed", "declares-it"),
        # a pkgutil namespace with an __init__: Import-Namespace says it answers nothing
        (("acme/__init__.py", "acme/tools/__init__.py"), ("acme.tools",), ("acme",),
         "acme.storage", "identity", "acme"),
        (("acme/__init__.py", "acme/tools/__init__.py"), ("acme.tools",), (),
         "acme.storage", "installed", "declares-it"),
    ],
)
def test_pep_794_metadata_of_installed_distributions(files, import_names, import_namespaces, module, rule, name):
    env = Environment(python="/p", python_version="3.11", distributions=(
        InstalledDistribution("declares-it", "1.0", files=files, import_names=import_names,
                              import_namespaces=import_namespaces),
    ))
    result = ScanResult(root="p", files=("a.ipynb",), imports=(ImportSite(module, Location("a.ipynb", 0, 1)),))
    [row] = build_proposal(result, env, mapping=build_mapping("", corrections={})).requirements
    assert (row.rule, row.name) == (rule, name)


def test_wheel_data_rejects_a_malformed_file():
    with pytest.raises(ValueError, match="modules"):
        WheelData.from_json({"modules": [], "examined": []})
    with pytest.raises(ValueError, match="without_wheel"):
        WheelData.from_json({"modules": {}, "examined": [], "without_wheel": {}})


def test_the_bundled_data_is_dated_and_knows_common_names():
    data = bundled_wheel_data()
    assert data.generated[:4].isdigit() and len(data.examined) >= 200
    mapping = bundled_mapping()
    for module, dist in [("numpy", "numpy"), ("yaml", "pyyaml"), ("dateutil.parser", "python-dateutil"),
                         ("google.protobuf", "protobuf"), ("attr", "attrs")]:
        answer = mapping.lookup(module)
        assert [canonicalize_name(d) for d in answer.distributions] == [dist], module


def test_package_data_is_read_as_importlib_resources_reads_it():
    """The bundled data are read from the package folders directly (importlib.resources,
    which loads zipfile, only for a package that is not a folder), with its errors."""
    import importlib.resources

    from jupyter_rees_ui.core.mapping import package_data

    ours = importlib.resources.files("jupyter_rees_ui").joinpath("data", "import_names.json.gz").read_bytes()
    assert package_data("jupyter_rees_ui", "data", "import_names.json.gz") == ours
    assert package_data("pipreqs", "mapping") == importlib.resources.files("pipreqs").joinpath("mapping").read_bytes()
    with pytest.raises(ModuleNotFoundError):
        package_data("no_such_package_here", "mapping")
    with pytest.raises(FileNotFoundError):
        package_data("jupyter_rees_ui", "data", "no-such-file")


def test_prepared_wheel_data_answers_as_it_would_unprepared():
    """``prepare`` only does early what the first lookup below a top-level name does."""
    from jupyter_rees_ui.core.mapping import WheelData

    data = {"modules": {"google.cloud.storage": ["google-cloud-storage"], "google.protobuf": ["protobuf"],
                        "google": ["google"], "yaml": ["PyYAML"]}, "examined": ["protobuf"]}
    prepared, fresh = WheelData.from_json(data), WheelData.from_json(data)
    prepared.prepare()
    assert "_dotted_under_top" in vars(prepared)
    for prefix in ("google", "google.cloud", "google.protobuf", "yaml", "other"):
        assert prepared.providers_below(prefix) == fresh.providers_below(prefix)
        assert prepared.providers_of_children(prefix) == fresh.providers_of_children(prefix)


def test_the_bundled_data_decodes_on_use_to_what_a_full_reading_gives():
    """Entries are decoded when first asked for; all of them are what json gives, and the
    examined names are written canonical (so they are taken as they are)."""
    import json
    import zlib

    from jupyter_rees_ui.core import mapping
    from packaging.utils import canonicalize_name

    raw = zlib.decompress(mapping.package_data("jupyter_rees_ui", "data", "import_names.json.gz"), wbits=31)
    plain = json.loads(raw)
    lazy = mapping._decode_wheel_data(raw)
    assert type(lazy.modules).__name__ == "_DecodedOnUse"
    assert len(lazy.modules) == len(plain["modules"]) and "numpy" in lazy.modules and "no.such" not in lazy.modules
    assert lazy.modules.get("no.such") is None
    assert {k: lazy.modules[k] for k in lazy.modules} == {k: tuple(v) for k, v in plain["modules"].items()}
    assert plain["examined"] == sorted({canonicalize_name(n) for n in plain["examined"]})
    assert lazy.examined == mapping.WheelData.from_json(plain).examined


@pytest.mark.parametrize("names", [["numpy", "pyyaml"], ["PyYAML", "numpy"], ["zope.interface"], ["a_b"], ["a--b"],
                                   ["123"], []])
def test_a_set_of_names_is_canonical_whichever_way_it_is_made(names):
    from jupyter_rees_ui.core import mapping
    from packaging.utils import canonicalize_name

    assert mapping._canonical_set(names) == {canonicalize_name(n) for n in names}


def test_a_damaged_entry_says_which_module_it_is():
    import msgspec

    from jupyter_rees_ui.core import mapping

    data = b'{"modules": {"good": ["a"], "bad": 3}, "examined": [], "generated": "", "without_wheel": []}'
    wheels = mapping._decode_wheel_data(data)
    assert wheels.modules["good"] == ("a",)
    with pytest.raises(ValueError, match="'bad'"):
        wheels.modules["bad"]
    assert msgspec  # decoded by msgspec here, as the bundled data is
