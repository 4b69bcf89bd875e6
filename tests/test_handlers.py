"""The REST endpoints, on real files in the server root."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
ROUTES = ["proposal", "kernels", "preview", "write", "badge", "commit"]


@pytest.fixture
def demo(jp_root_dir: Path) -> Path:
    target = jp_root_dir / "demo"
    shutil.copytree(DEMO, target)
    return target


CONTRACT = json.loads((Path(__file__).resolve().parents[1] / "docs" / "rest-api.schema.json").read_text())


def conforms(reply, endpoint: str, part: str = "reply"):
    """Validate a reply against the committed contract (docs/rest-api.schema.json)."""
    import jsonschema

    schema = {**CONTRACT["endpoints"][endpoint][part], "$defs": CONTRACT["$defs"]}
    jsonschema.validate(reply, schema, cls=jsonschema.Draft202012Validator)
    return reply


async def get_json(jp_fetch, endpoint, **params):
    response = await jp_fetch("jupyter-rees-ui", endpoint, params=params)
    assert response.code == 200
    return conforms(json.loads(response.body), f"GET {endpoint}")


async def post_json(jp_fetch, endpoint, body):
    conforms(body, f"POST {endpoint}", "body")
    response = await jp_fetch("jupyter-rees-ui", endpoint, method="POST", body=json.dumps(body))
    assert response.code == 200
    return conforms(json.loads(response.body), f"POST {endpoint}")


async def expect_error(jp_fetch, endpoint, status, *, method="GET", params=None, body=None):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyter-rees-ui",
            endpoint,
            method=method,
            params=params or {},
            body=None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        )
    assert err.value.code == status, err.value.response.body
    conforms(json.loads(err.value.response.body), f"{method} {endpoint}", "error")
    message = json.loads(err.value.response.body)["message"]
    assert message
    return message


def names(reply) -> set[str]:
    return {row["name"].lower() for row in reply["proposal"]["requirements"]}


async def test_proposal_lists_the_demo_third_party_distributions(jp_fetch, demo):
    reply = await get_json(jp_fetch, "proposal", path="demo")
    assert reply["path"] == "demo"
    assert names(reply) == {"matplotlib", "numpy", "pandas"}
    proposal = reply["proposal"]
    assert "sales" in proposal["local_modules"]
    for row in proposal["requirements"]:
        assert row["specifier"] == "==" + row["installed_version"]
        assert row["sites"], row


async def test_proposal_refuses_paths_outside_the_root(jp_fetch, jp_root_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (jp_root_dir / "escape").symlink_to(outside, target_is_directory=True)
    await expect_error(jp_fetch, "proposal", 403, params={"path": "../"})
    await expect_error(jp_fetch, "proposal", 403, params={"path": "escape"})
    await expect_error(jp_fetch, "proposal", 400, params={"path": str(outside)})
    await expect_error(jp_fetch, "proposal", 404, params={"path": "no-such-folder"})


async def test_a_broken_notebook_is_reported_and_the_rest_scanned(jp_fetch, demo):
    (demo / "broken.ipynb").write_text("{ this is not json", encoding="utf-8")
    reply = await get_json(jp_fetch, "proposal", path="demo")
    assert names(reply) == {"matplotlib", "numpy", "pandas"}
    issues = reply["proposal"]["issues"]
    assert any(i["location"]["path"] == "broken.ipynb" and i["kind"] == "unreadable" for i in issues)


async def test_user_overrides_apply_before_every_rule(jp_fetch, demo):
    overrides = json.dumps({"numpy": "numpy-quaternion", "matplotlib": ""})
    reply = await get_json(jp_fetch, "proposal", path="demo", overrides=overrides)
    assert names(reply) == {"numpy-quaternion", "pandas"}
    row = next(r for r in reply["proposal"]["requirements"] if r["name"] == "numpy-quaternion")
    assert row["rule"] == "override"
    message = await expect_error(jp_fetch, "proposal", 400, params={"path": "demo", "overrides": "[1]"})
    assert "overrides" in message


async def test_bad_pin_policy_is_a_clear_400(jp_fetch, demo):
    message = await expect_error(jp_fetch, "proposal", 400, params={"path": "demo", "pin": "<<"})
    assert "pin" in message


async def test_preview_then_write_creates_the_rees(jp_fetch, demo):
    proposal = (await get_json(jp_fetch, "proposal", path="demo"))["proposal"]
    body = {
        "path": "demo",
        "requirements": proposal["requirements"],
        "python_version": proposal["python_version"],
        "format": "requirements",
    }
    preview = await post_json(jp_fetch, "preview", body)
    paths = {c["path"]: c for c in preview["changes"]}
    assert paths["binder/requirements.txt"]["status"] == "create"
    assert not (demo / "binder").exists(), "a preview must not write anything"

    expected = {c["path"]: c["old_sha256"] for c in preview["changes"]}
    reply = await post_json(jp_fetch, "write", {**body, "expected": expected})
    # repo2docker's own code agrees: Python buildpack, the kernel's Python, all installed.
    assert reply["binder"]["buildpack"] == "PythonBuildPack"
    assert reply["binder"]["python_version"] == proposal["python_version"]
    assert reply["binder"]["ok"] is True
    text = (demo / "binder" / "requirements.txt").read_text()
    lines = sorted(line for line in text.splitlines() if line and not line.startswith("#"))
    assert lines == sorted(r["name"] + r["specifier"] for r in proposal["requirements"])
    runtime = (demo / "binder" / "runtime.txt").read_text().strip().splitlines()
    assert f"python-{proposal['python_version']}" in runtime


async def test_check_build_before_writing(jp_fetch, demo, monkeypatch):
    pytest.importorskip("repo2docker")
    proposal = (await get_json(jp_fetch, "proposal", path="demo"))["proposal"]
    body = {
        "path": "demo",
        "requirements": proposal["requirements"],
        "python_version": proposal["python_version"],
        "format": "environment",
    }
    reply = await post_json(jp_fetch, "check-build", body)
    assert reply["available"] is True and "jupyter_rees_ui[repo2docker]" in reply["install"]
    assert reply["binder"]["buildpack"] == "CondaBuildPack"
    assert reply["binder"]["files_used"] == ["binder/environment.yml"]
    assert reply["binder"]["ok"] is True
    assert not (demo / "binder").exists(), "a check must not write anything"

    from jupyter_rees_ui.adapters import repo2docker_check

    monkeypatch.setattr(repo2docker_check, "available", lambda: False)
    reply = await post_json(jp_fetch, "check-build", body)
    assert reply["available"] is False and reply["binder"] is None
    assert reply["install"] == "pip install 'jupyter_rees_ui[repo2docker]'"


async def test_extras_reach_the_written_line(jp_fetch, demo):
    body = {
        "path": "demo",
        "requirements": [{"name": "pandas", "extras": ["excel"], "specifier": "==2.2.0"}],
        "python_version": "3.11",
    }
    preview = await post_json(jp_fetch, "preview", body)
    diff = next(c["diff"] for c in preview["changes"] if c["path"] == "binder/requirements.txt")
    assert "+pandas[excel]==2.2.0" in diff
    bad = {**body, "requirements": [{"name": "pandas", "extras": ["a b"], "specifier": ""}]}
    assert "extras" in await expect_error(jp_fetch, "preview", 400, method="POST", body=bad)


async def test_write_refuses_to_overwrite_a_file_it_did_not_preview(jp_fetch, demo):
    (demo / "binder").mkdir()
    (demo / "binder" / "requirements.txt").write_text("mine==1.0\n")
    body = {
        "path": "demo",
        "requirements": [{"name": "numpy", "specifier": "==1.0"}],
        "python_version": "3.11",
    }
    await expect_error(jp_fetch, "write", 409, method="POST", body=body)
    assert (demo / "binder" / "requirements.txt").read_text() == "mine==1.0\n"


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("not json", "JSON"),
        ([], "object"),
        ({"path": "demo", "requirements": "numpy"}, "requirements"),
        ({"path": "demo", "requirements": [{"name": "numpy", "specifier": "=>1"}], "python_version": "3.11"}, "valid"),
        ({"path": "demo", "requirements": [], "python_version": "3"}, "python_version"),
        ({"path": "demo", "requirements": [], "python_version": "3.11", "format": "zip"}, "format"),
        ({"path": "../x", "requirements": [], "python_version": "3.11"}, "outside"),
    ],
)
async def test_bad_write_bodies_are_clear_errors(jp_fetch, demo, body, fragment):
    status = 403 if fragment == "outside" else 400
    message = await expect_error(jp_fetch, "preview", status, method="POST", body=body)
    assert fragment.lower() in message.lower()


async def test_kernels_are_listed(jp_fetch):
    reply = await get_json(jp_fetch, "kernels")
    assert any(k["name"] == "python3" for k in reply["kernels"])


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_every_route_refuses_unauthenticated_requests(jp_fetch, route, method):
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(
            "jupyter-rees-ui",
            route,
            method=method,
            body="{}" if method == "POST" else None,
            headers={"Authorization": "token not-the-token"},
        )
    # 403 from the auth check; 405 where the route has no such verb at all.
    assert err.value.code in (403, 405), (route, method, err.value.code)


def test_the_extension_loads_without_auth_warnings(recwarn, jp_serverapp):
    assert "jupyter_rees_ui" in jp_serverapp.extension_manager.extensions
    ours = [w for w in recwarn if "jupyter-rees-ui" in str(w.message)]
    assert not ours, [str(w.message) for w in ours]


def git(cwd: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def demo_repo(demo, monkeypatch) -> Path:
    for key, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }.items():
        monkeypatch.setenv(key, value)
    git(demo, "init", "-q", "-b", "main")
    git(demo, "add", "-A")
    git(demo, "commit", "-qm", "demo")
    git(demo, "remote", "add", "origin", "https://user:secret@github.com/owner/demo-repo.git")
    return demo


async def test_badge_without_a_repository_says_why(jp_fetch, demo, jp_root_dir):
    reply = await get_json(jp_fetch, "badge", path="demo")
    assert reply["link"] is None
    assert "repositor" in reply["message"].lower()
    assert str(jp_root_dir) not in reply["message"], "no server paths in messages"
    assert reply["repository"] is False


async def test_badge_readme_and_commit_in_a_git_repository(jp_fetch, demo_repo):
    reply = await get_json(jp_fetch, "badge", path="demo", notebook="01-load-data.ipynb")
    assert reply["link"] == (
        "https://mybinder.org/v2/gh/owner/demo-repo/main?urlpath=lab/tree/01-load-data.ipynb"
    )
    assert "secret" not in json.dumps(reply)
    assert reply["repository"] is True
    assert reply["snippets"]["markdown"].startswith("[![Binder](https://mybinder.org/badge_logo.svg)](")
    readme = reply["readme"]
    assert readme["path"] == "README.md" and readme["status"] == "update"
    assert "mybinder.org" not in (demo_repo / "README.md").read_text(), "preview must not write"

    await post_json(
        jp_fetch,
        "badge",
        {"path": "demo", "link": reply["link"], "expected": {"README.md": readme["old_sha256"]}},
    )
    text = (demo_repo / "README.md").read_text()
    assert text.count("mybinder.org/badge_logo.svg") == 1
    assert "# Demo: monthly sales" in text

    # Writing the same badge again changes nothing.
    again = await get_json(jp_fetch, "badge", path="demo", notebook="01-load-data.ipynb")
    assert again["readme"]["status"] == "unchanged"

    (demo_repo / "notes.txt").write_text("not for this commit\n")
    result = await post_json(
        jp_fetch, "commit", {"path": "demo", "files": ["README.md"], "message": "Add a Binder badge"}
    )
    assert result["commit"]["files"] == ["README.md"]
    assert git(demo_repo, "log", "-1", "--format=%s").strip() == "Add a Binder badge"
    assert "notes.txt" in git(demo_repo, "status", "--porcelain")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"mode": "classic", "notebook": "01-load-data.ipynb"}, "/main?urlpath=tree/01-load-data.ipynb"),
        ({"mode": "voila", "notebook": "01-load-data.ipynb"}, "/main?urlpath=voila/render/01-load-data.ipynb"),
        ({"ref": "v1"}, "/v1"),
    ],
)
async def test_badge_mode_and_ref(jp_fetch, demo_repo, query, expected):
    git(demo_repo, "tag", "v1")
    reply = await get_json(jp_fetch, "badge", path="demo", **query)
    assert reply["link"] == "https://mybinder.org/v2/gh/owner/demo-repo" + expected
    assert reply["refs"] == {"branches": ["main"], "tags": ["v1"]}
    assert reply["mode"] == query.get("mode", "lab")
    # nothing is pushed: the notes name the real branch or tag to push
    assert any(("git push -u origin main" in n) or ("git push origin v1" in n) for n in reply["notes"])


async def test_badge_nbgitpuller_variant(jp_fetch, demo_repo):
    reply = await get_json(
        jp_fetch, "badge", path="demo", notebook="01-load-data.ipynb",
        env_repo="https://github.com/owner/environment", env_ref="main",
    )
    assert reply["link"].startswith("https://mybinder.org/v2/gh/owner/environment/main?urlpath=git-pull")
    assert "demo-repo" in reply["link"]


async def test_badge_unknown_mode_is_refused(jp_fetch, demo_repo):
    message = await expect_error(jp_fetch, "badge", 400, params={"path": "demo", "mode": "retro"})
    assert "mode" in message


async def test_commit_outside_a_repository_is_a_clear_error(jp_fetch, demo):
    message = await expect_error(
        jp_fetch, "commit", 409, method="POST", body={"path": "demo", "files": ["README.md"]}
    )
    assert "git" in message.lower() or "repositor" in message.lower()


def test_every_handler_verb_is_authenticated_and_authorized():
    """Each verb of each routed handler carries @tornado.web.authenticated and
    @authorized, read from the source (a lost decorator fails here, whatever else
    happens to refuse the request)."""
    import ast

    from jupyter_rees_ui import handlers

    tree = ast.parse(Path(handlers.__file__).read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    routed = {handler.__name__ for _route, handler in handlers.ROUTES}
    verbs = {"get", "post", "put", "patch", "delete"}
    checked = 0
    for name in routed:
        for cls in [c for c in type.mro(getattr(handlers, name)) if c.__name__ in classes]:
            for node in classes[cls.__name__].body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in verbs:
                    names = {ast.unparse(d) for d in node.decorator_list}
                    assert {"tornado.web.authenticated", "authorized"} <= names, (cls.__name__, node.name)
                    checked += 1
    assert checked >= len(routed)
