"""The lint corpus: every policy gives exactly its hand-written findings."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS

from kmspolicy.errors import DocumentError
from kmspolicy.policy.model import PolicyKind
from kmspolicy.policy.parse import read_policy_bytes

POLICIES = sorted((CORPUS / "policies").glob("*/*.json"))


def _expected_file(policy_path):
    return CORPUS / "findings" / policy_path.parent.name / policy_path.name


def _actual_findings(policy_path, kind):
    try:
        policy = read_policy_bytes(policy_path.read_bytes(), kind=kind)
    except DocumentError as error:
        return [error.finding]
    return list(policy.findings)


@pytest.mark.parametrize(
    "policy_path", POLICIES, ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_corpus_policy_findings(policy_path):
    expected_document = json.loads(_expected_file(policy_path).read_text())
    kind = PolicyKind(expected_document["kind"])

    actual = {
        (f.code, f.severity.value, f.path, f.line, f.column)
        for f in _actual_findings(policy_path, kind)
    }
    expected = {
        (f["code"], f["severity"], f["path"], f["line"], f["column"])
        for f in expected_document["findings"]
    }

    assert sorted(actual - expected) == [], "reported but not expected"
    assert sorted(expected - actual) == [], "expected but not reported"


def test_every_policy_has_expected_findings():
    missing = [p.name for p in POLICIES if not _expected_file(p).is_file()]
    assert missing == []


def test_corpus_has_both_folders():
    assert len([p for p in POLICIES if p.parent.name == "valid"]) >= 10
    assert len([p for p in POLICIES if p.parent.name == "invalid"]) >= 40


@pytest.mark.parametrize(
    "policy_path",
    [p for p in POLICIES if p.parent.name == "valid"],
    ids=lambda p: p.stem,
)
def test_valid_policies_have_no_errors(policy_path):
    expected_document = json.loads(_expected_file(policy_path).read_text())
    kind = PolicyKind(expected_document["kind"])
    errors = [
        f for f in _actual_findings(policy_path, kind) if f.severity.value == "error"
    ]
    assert errors == []
