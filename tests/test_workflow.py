"""The one orchestrator, called as the handlers and the CLI call it, on real folders."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_rees_ui import cli, handlers, workflow
from jupyter_rees_ui.core.model import ProposedRequirement

PACKAGE = Path(workflow.__file__).parent
ERRORS = [
    workflow.BadRequest,
    workflow.NotPython,
    workflow.Forbidden,
    workflow.NotFound,
    workflow.Conflict,
    workflow.GitFailed,
    workflow.NothingToCommit,
    workflow.EnvironmentUnreadable,
    workflow.Busy,
]


@pytest.mark.parametrize(
    "error, status, code",
    [
        (workflow.BadRequest, 400, 2),
        (workflow.NotPython, 400, 2),
        (workflow.Forbidden, 403, 2),
        (workflow.NotFound, 404, 2),
        (workflow.Conflict, 409, 1),
        (workflow.GitFailed, 409, 2),
        (workflow.NothingToCommit, 409, 0),
        (workflow.EnvironmentUnreadable, 502, 2),
        (workflow.Busy, 429, 2),
    ],
)
def test_each_domain_error_has_one_status_and_one_exit_code(error, status, code):
    assert handlers.status_of(error("x")) == status
    assert cli.exit_code(error("x")) == code


def test_every_domain_error_is_in_the_tables():
    found = {c for c in vars(workflow).values() if isinstance(c, type) and issubclass(c, workflow.WorkflowError)}
    assert found - {workflow.WorkflowError} == set(ERRORS)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
    return found


# Besides the workflow, the command line reads the vocabulary (its choices, for --help),
# replays a remembered answer, and starts reading the environment and listing the
# folder: all before, and without, loading the workflow.
BEFORE_THE_WORKFLOW = {
    "handlers.py": set(),
    "cli.py": {"core.vocabulary", "adapters.answers", "adapters.environment", "adapters.listing"},
}


@pytest.mark.parametrize("front_end", ["handlers.py", "cli.py"])
def test_front_ends_go_through_the_workflow(front_end):
    assert _imports(PACKAGE / front_end) <= {"workflow", "config", "__version__", *BEFORE_THE_WORKFLOW[front_end]}


@pytest.mark.parametrize("module", ["workflow_base.py", "workflow_types.py", "jobs.py"])
def test_what_the_workflow_builds_on_does_not_import_it(module):
    """The shared errors and folder, the later steps' types and the job runner sit below
    the workflow: none of them imports it (no import loop)."""
    assert "workflow" not in _imports(PACKAGE / module)


def test_the_later_steps_types_are_the_workflows_own():
    from jupyter_rees_ui import workflow_types

    for name in workflow.STEP_TYPES:
        assert getattr(workflow, name) is getattr(workflow_types, name)
    with pytest.raises(AttributeError):
        workflow.NoSuchType  # noqa: B018


def test_the_cli_module_does_not_load_the_server_stack():
    code = "import sys, jupyter_rees_ui.cli; print(sorted(m for m in ('jupyter_server', 'jupyter_client', 'IPython') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_locate_refuses_paths_outside_the_root(tmp_path):
    (tmp_path / "inside").mkdir()
    assert workflow.locate(tmp_path, "inside").api_path == "inside"
    with pytest.raises(workflow.Forbidden):
        workflow.locate(tmp_path, "../")
    with pytest.raises(workflow.BadRequest):
        workflow.locate(tmp_path, "/etc")
    with pytest.raises(workflow.NotFound):
        workflow.locate(tmp_path, "missing")


def _request(folder: Path, *rows: ProposedRequirement) -> workflow.ReesRequest:
    return workflow.ReesRequest(workflow.Folder(folder, folder), rows, "3.11")


def test_plan_then_apply_and_an_unticked_row_leaves_the_file(tmp_path):
    numpy = ProposedRequirement("numpy", specifier="==2.0")
    pandas = ProposedRequirement("pandas", specifier="==2.2")
    first = _request(tmp_path, numpy, pandas)
    plan = workflow.plan(first)
    assert {c.path: c.status for c in plan.changes} == {"binder/requirements.txt": "create", "binder/runtime.txt": "create"}
    assert not (tmp_path / "binder").exists(), "a plan writes nothing"
    workflow.apply(first, plan.expected)
    assert "pandas==2.2" in (tmp_path / "binder/requirements.txt").read_text()

    second = _request(tmp_path, numpy, ProposedRequirement("pandas", specifier="==2.2", included=False))
    plan = workflow.plan(second)
    workflow.apply(second, plan.expected)
    text = (tmp_path / "binder/requirements.txt").read_text()
    assert "numpy==2.0" in text and "pandas==" not in text
    assert "# left out: pandas" in text, "the decision travels with the file"


def test_apply_refuses_a_file_changed_since_its_plan(tmp_path):
    request = _request(tmp_path, ProposedRequirement("numpy", specifier="==2.0"))
    plan = workflow.plan(request)
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder/requirements.txt").write_text("mine==1\n")
    with pytest.raises(workflow.Conflict):
        workflow.apply(request, plan.expected)
    assert (tmp_path / "binder/requirements.txt").read_text() == "mine==1\n"


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"python_version": "3"}, "python_version"),
        ({"format": "zip"}, "format"),
        ({"target": "elsewhere"}, "target"),
    ],
)
def test_bad_rees_requests_name_the_field(tmp_path, kwargs, fragment):
    values = {"python_version": "3.11", **kwargs}
    with pytest.raises(workflow.BadRequest, match=fragment):
        workflow.ReesRequest(workflow.Folder(tmp_path), (), **values)


def test_an_unknown_kernel_is_not_found(tmp_path):
    with pytest.raises(workflow.NotFound, match="no-such-kernel"):
        workflow.propose(workflow.ProposeRequest(workflow.local_folder(tmp_path), kernel="no-such-kernel"))
    assert cli.main(["propose", str(tmp_path), "--kernel", "no-such-kernel"]) == 2


def test_settings_default_as_the_server_options_do():
    from jupyter_rees_ui.config import Rees

    assert workflow.Settings() == workflow.Settings.from_rees(Rees())


@pytest.mark.parametrize(
    ("existing", "target", "fmt"),
    [
        ("environment.yml", "binder", "requirements"),  # a root environment.yml, a new binder/requirements.txt
        ("requirements.txt", "binder", "requirements"),  # the root's file hidden by a new binder/
        ("binder/environment.yml", "binder", "requirements"),  # another format in the same folder
    ],
)
def test_lines_kept_as_written_are_written_when_the_rees_goes_to_another_file(tmp_path, existing, target, fmt):
    from jupyter_rees_ui.core.model import ProposedRequirement

    path = tmp_path / existing
    path.parent.mkdir(parents=True, exist_ok=True)
    if existing.endswith(".yml"):
        path.write_text("dependencies:\n  - numpy\n  - pip\n  - pip:\n    - tinyok\n")
    else:
        path.write_text("numpy\ntinyok\n")
    folder = workflow.local_folder(tmp_path)
    proposal = workflow.reviewed(folder, workflow.Proposal(root=".", python_version="3.11", requirements=(
        ProposedRequirement(name="numpy", installed_version="2.0.0", specifier="==2.0.0"),
        ProposedRequirement(name="tinyok", source="not-installed", trust="known"),
    )))
    assert {r.status for r in proposal.requirements} == {"kept"}
    plan = workflow.plan(workflow.ReesRequest(folder, proposal.requirements, "3.11", format=fmt, target=target))
    (change,) = [c for c in plan.changes if c.path == f"{target}/requirements.txt"]
    assert "numpy" in change.new and "tinyok" in change.new
