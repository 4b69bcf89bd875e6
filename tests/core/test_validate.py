"""Request-data validators: each violation names its field and the reason."""

from __future__ import annotations

import pytest

from jupyter_rees_ui.core import validate
from jupyter_rees_ui.core.model import ProposedRequirement
from jupyter_rees_ui.core.rees import ReesError, render_rees

REFUSED = [
    (validate.distribution_name, "numpy\n-e evil", "name", "control characters"),
    (validate.distribution_name, "x" * 10_000_000, "name", "at most"),
    (validate.distribution_name, "-numpy", "name", "not a valid distribution name"),
    (validate.distribution_name, "", "name", "empty"),
    (validate.distribution_name, 5, "name", "must be a string"),
    (validate.specifier, "==1.0\n--index-url http://evil", "specifier", "control"),
    (validate.specifier, "=>1", "specifier", "not a valid version specifier"),
    (validate.url, 5, "url", "must be a string"),
    (validate.url, "file:///etc/passwd", "url", "only https://"),
    (validate.url, "http://example.org/x.whl", "url", "only https://"),
    (validate.url, "git+ssh://git@host/repo", "url", "only https://"),
    (validate.url, "https:///nohost", "url", "no host"),
    (validate.url, "https://example.org/a b", "url", "spaces"),
    (validate.marker, "os_name=='nt' and", "marker", "not a valid environment marker"),
    (validate.conda_name, "numpy\n  - pip:\n    - --index-url http://evil", "conda_name", "control"),
    (validate.conda_name, "Numpy", "conda_name", "not a conda package name"),
    (validate.conda_name, "numpy=1.0", "conda_name", "not a conda package name"),
    (validate.extras, ["a b"], "extras", "not a valid distribution name"),
    (validate.extras, "excel", "extras", "list"),
    (validate.extras, [f"e{i}" for i in range(100)], "extras", "at most"),
    (validate.rows, {}, "requirements", "list"),
    (validate.rows, [{}] * (validate.MAX_ROWS + 1), "requirements", "at most"),
    (validate.message, "a\x00b", "message", "NUL"),
    (validate.message, "m" * (128 * 1024 + 1), "message", "at most"),
    (validate.relative_path, "a/" + "x" * 300, "path", "255"),
    (validate.relative_path, "/etc", "path", "relative"),
    (validate.relative_path, "../up", "path", "inside"),
]


@pytest.mark.parametrize(("check", "value", "field", "reason"), REFUSED)
def test_each_violation_names_the_field_and_the_reason(check, value, field, reason):
    with pytest.raises(validate.InvalidInput) as err:
        check(value)
    assert err.value.field == field
    assert reason in err.value.reason
    assert str(err.value).startswith(f"{field}: ")
    assert len(str(err.value)) < 300, "a message never echoes a huge value"


ACCEPTED = [
    (validate.distribution_name, "scikit-learn", "scikit-learn"),
    (validate.distribution_name, "zope.interface", "zope.interface"),
    (validate.specifier, ">=1.0, <2", "<2,>=1.0"),
    (validate.specifier, None, ""),
    (validate.marker, "os_name=='nt'", 'os_name == "nt"'),
    (validate.marker, "", None),
    (validate.url, "https://example.org/pkg-1.0.tar.gz", "https://example.org/pkg-1.0.tar.gz"),
    (validate.url, "git+https://github.com/o/r@abc123", "git+https://github.com/o/r@abc123"),
    (validate.conda_name, "python-dateutil", "python-dateutil"),
    (validate.conda_name, "conda-forge::numpy", "conda-forge::numpy"),
    (validate.extras, ["excel", "excel", "all"], ("all", "excel")),
    (validate.message, "Add Binder\n\nbody", "Add Binder\n\nbody"),
]


@pytest.mark.parametrize(("check", "value", "expected"), ACCEPTED)
def test_valid_values_pass_normalised(check, value, expected):
    assert check(value) == expected


def test_rendering_refuses_a_line_holding_a_newline():
    evil = ProposedRequirement("numpy", conda_name="numpy\n  - pip:\n    - --index-url http://evil", source="conda")
    with pytest.raises(ReesError, match="line break"):
        render_rees([evil], "3.11", fmt="environment")
    with pytest.raises(ReesError, match="line break"):
        render_rees([ProposedRequirement("numpy", specifier="==1\n--index-url http://evil")], "3.11")


def test_a_marker_is_written_after_the_requirement():
    row = ProposedRequirement("pywin32", specifier="==306", marker='os_name == "nt"')
    assert "pywin32==306; os_name == \"nt\"" in render_rees([row], "3.11")["requirements.txt"]
    yml = render_rees([row], "3.11", fmt="environment")["environment.yml"]
    assert "pywin32==306; os_name == \"nt\"" in yml, "a row with a marker goes to pip"
    url = ProposedRequirement("x", url="https://example.org/x.whl", marker='os_name == "nt"')
    assert url.line == 'x @ https://example.org/x.whl ; os_name == "nt"'
