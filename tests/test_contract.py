"""The JSON contract: the committed schema is what the dataclasses give, and the
TypeScript types of src/tokens.ts name the same fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jupyter_rees_ui import contract

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "rest-api.schema.json"

#: TypeScript interface -> the schema definition(s) it mirrors
MIRRORS = {
    "IProposalReply": ["ProposalReply"],
    "IProposal": ["Proposal"],
    "IProposedRequirement": ["ProposedRequirement"],
    "ILocation": ["Location"],
    "IScanIssue": ["ScanIssue"],
    "IKernel": ["Kernel"],
    "IFileChange": ["FileChange"],
    "IReesNote": ["ReesNote"],
    "IChangesReply": ["Plan", "Written"],
    "IBadgeReply": ["BadgeReply"],
    "ICommitResult": ["CommitResult"],
    "ICommitReply": ["CommitReply"],
    "IReviewedRequirement": ["ReviewedRow"],
    "IWriteRequest": ["WriteBody"],
    "IPinChange": ["PinChange"],
    "IProposalNote": ["Note"],
    "IJob": ["Job"],
    "IJobProgress": ["JobProgress"],
    "IBuildCheckReply": ["BuildCheck"],
}


def test_the_committed_schema_is_current():
    assert SCHEMA.read_text(encoding="utf-8") == contract.render(), (
        "run: python -m jupyter_rees_ui.contract > docs/rest-api.schema.json"
    )


def test_settings_schemas_are_the_only_json_in_schema_folder():
    # JupyterLab reads every .json under schema/ as a settings schema
    assert sorted(p.name for p in (ROOT / "schema").rglob("*.json")) == ["plugin.json"]


def typescript_interfaces() -> dict[str, dict[str, bool]]:
    """interface name -> {field: optional}."""
    text = (ROOT / "src" / "tokens.ts").read_text(encoding="utf-8")
    found = {}
    for name, body in re.findall(r"export interface (\w+)(?:<[^>{]*>)? \{(.*?)\n\}", text, re.S):
        body = re.sub(r"/\*.*?\*/|//[^\n]*", "", body, flags=re.S)
        fields = {}
        depth = 0
        for line in body.splitlines():
            match = re.match(r"\s*(\w+)(\?)?:", line)
            if match and depth == 0:
                fields[match.group(1)] = bool(match.group(2))
            depth += line.count("{") - line.count("}")
        found[name] = fields
    return found


@pytest.mark.parametrize("interface, definitions", MIRRORS.items())
def test_typescript_types_match_the_schema(interface, definitions):
    defs = json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"]
    fields = typescript_interfaces()[interface]
    properties = set().union(*(defs[d]["properties"] for d in definitions))
    required = set.intersection(*(set(defs[d].get("required", ())) for d in definitions))
    assert set(fields) == properties, f"{interface} differs from {definitions}"
    # what the server always sends may not be optional on the TypeScript side
    responses = {"ReviewedRow", "WriteBody"}
    if not set(definitions) & responses:
        assert not {f for f in required if fields[f]}, f"{interface}: required fields marked optional"
