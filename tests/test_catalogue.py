"""The packaged KMS catalogue: consistent, and built from the reviewed source."""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import REPO, SHARED

from kmspolicy.catalogue import catalogue

_SPEC = importlib.util.spec_from_file_location(
    "build_catalogue", REPO / "tools" / "build_catalogue.py"
)
build_catalogue = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(build_catalogue)


def test_packaged_catalogue_is_consistent():
    data = json.loads((REPO / "kmspolicy" / "data" / "catalogue.json").read_text())
    assert build_catalogue.check(data) == []


def test_packaged_catalogue_matches_source():
    source = SHARED / "spec" / "kms-catalogue.json"
    if not source.is_file():
        pytest.skip("the catalogue source is not beside this checkout")
    assert build_catalogue.main([str(source), "--check"]) == 0


def test_catalogue_counts():
    assert len(catalogue().actions) == 56
    assert (
        catalogue()
        .key("kms:EncryptionContext:Tenant")
        .name.startswith("kms:EncryptionContext:")
    )
    assert catalogue().key("AWS:SourceIP").name == "aws:SourceIp"


def test_expand_actions_wildcards():
    assert "kms:decrypt" in catalogue().expand_actions("kms:De*")
    assert catalogue().expand_actions("kms:Decrypt") == frozenset({"kms:decrypt"})
    assert catalogue().expand_actions("s3:GetObject") == frozenset()
    assert catalogue().expand_actions("kms:Nope") == frozenset()


def test_supplies_key_follows_catalogue():
    assert catalogue().supplies_key("kms:Decrypt", "kms:EncryptionContext:x")
    assert not catalogue().supplies_key("kms:ListKeys", "kms:EncryptionContext:x")
    assert catalogue().supplies_key("kms:ListKeys", "aws:SourceIp")
