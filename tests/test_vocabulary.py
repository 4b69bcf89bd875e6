"""Every word of the domain is defined once (the enums of core/model.py); the settings
schema, the server's options, the CLI choices and the TypeScript types agree with them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jupyter_rees_ui import cli
from jupyter_rees_ui.config import Rees
from jupyter_rees_ui.core import model

ROOT = Path(__file__).resolve().parents[1]
VOCABULARY = {
    "PIN_POLICIES": model.PinPolicy,
    "REES_FORMATS": model.ReesFormat,
    "TARGETS": model.Target,
    "REES_FILE_NAMES": model.ReesFileName,
    "ROW_STATUSES": model.RowStatus,
    "BINDER_MODES": model.BinderMode,
}


def typescript_lists() -> dict[str, tuple[str, ...]]:
    text = (ROOT / "src" / "tokens.ts").read_text(encoding="utf-8")
    found = {}
    for name, body in re.findall(r"export const (\w+) = \[([^\]]*)\] as const;", text):
        found[name] = tuple(re.findall(r"'([^']*)'", body))
    return found


@pytest.mark.parametrize("name, enum", VOCABULARY.items())
def test_typescript_lists_are_the_enums(name, enum):
    assert typescript_lists()[name] == model.values(enum)


def test_typescript_trust_levels_are_the_models():
    assert typescript_lists()["TRUST_LEVELS"] == model.TRUST_LEVELS


def test_the_settings_schema_offers_the_enums():
    schema = json.loads((ROOT / "schema" / "plugin.json").read_text(encoding="utf-8"))["properties"]
    assert tuple(schema["pin"]["enum"]) == model.PIN_POLICIES
    assert tuple(schema["format"]["enum"]) == model.FORMATS
    assert tuple(schema["target"]["enum"]) == model.TARGETS
    for key in ("pin", "format", "target"):
        assert schema[key]["default"] in schema[key]["enum"]


def test_the_server_option_offers_the_pin_policies():
    assert tuple(Rees.class_traits()["default_pin"].values) == model.PIN_POLICIES


def _choices(command: str, option: str) -> tuple[str, ...]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    return tuple(next(a for a in sub._actions if option in a.option_strings).choices)


def test_the_cli_offers_the_enums():
    assert _choices("write", "--pin") == model.PIN_POLICIES
    assert _choices("write", "--dir") == model.TARGETS
    assert _choices("badge", "--mode") == model.BINDER_MODES
    assert set(_choices("write", "--format")) == set(model.FORMATS)
    assert set(_choices("propose", "--format")) == set(model.FORMATS) | {"guix"}


def test_file_names_are_spelled_once():
    """No module but core/model.py spells a REES file name, a target list or the pin
    policies as a literal list."""
    pattern = re.compile(
        r"""\(\s*"==",\s*"~="|\[\s*"==",\s*"~="|"binder",\s*"\.binder"|\(\s*"requirements\.txt",\s*"""
    )
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "jupyter_rees_ui").rglob("*.py")
        if path.name != "model.py"
        and pattern.search(re.sub(r"#.*", "", path.read_text(encoding="utf-8")))
    ]
    assert offenders == []
