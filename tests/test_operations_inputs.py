"""Malformed operation inputs from the command line and case files fail cleanly."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from kmspolicy.cases import run_case

KEY = "arn:aws:kms:us-east-1:111122223333:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
DANA = "arn:aws:iam::111122223333:user/dana"


def key_policy(principal: str) -> dict:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "kms:*",
        "Resource": "*",
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


KEY_POLICY = key_policy(DANA)


def decrypt(tmp_path, *extra, parameters=None, key_arn=KEY):
    (tmp_path / "kp.json").write_text(json.dumps(KEY_POLICY))
    parameters = parameters or {"KeyId": KEY, "CiphertextBlob": "AQID"}
    return run_cli(
        "what-if",
        "--principal",
        DANA,
        "--operation",
        "Decrypt",
        "--parameters",
        json.dumps(parameters),
        "--key-arn",
        key_arn,
        "--key-policy",
        str(tmp_path / "kp.json"),
        *extra,
    )


def test_metadata_arn_equal_to_key_arn(tmp_path):
    result = decrypt(tmp_path, "--key-metadata", json.dumps({"arn": KEY}))
    assert result.returncode == 0, result.stderr


def test_metadata_arn_differs_from_key_arn(tmp_path):
    other = KEY.replace("7e3f", "0000")
    result = decrypt(tmp_path, "--key-metadata", json.dumps({"arn": other}))
    assert result.returncode == 2
    assert other in result.stderr
    assert "--key-arn" in result.stderr


def test_invalid_key_arn_named(tmp_path):
    parameters = {"KeyId": "alias/a", "CiphertextBlob": "AQID"}
    result = decrypt(tmp_path, parameters=parameters, key_arn="nonsense")
    assert result.returncode == 2
    assert "'nonsense' is not a key ARN" in result.stderr


def test_region_defaults_to_key_region(tmp_path):
    result = decrypt(tmp_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    context = json.loads(result.stdout)["checks"][0]["context"]
    assert context["aws:RequestedRegion"] == "us-east-1"
    assert context["aws:CurrentTime"].endswith("Z")
    assert context["aws:EpochTime"].isdigit()


def test_grants_file_tokens_and_propagation(tmp_path):
    grant = {
        "KeyId": KEY,
        "GranteePrincipal": DANA,
        "Operations": ["Decrypt"],
        "GrantTokens": ["tok-1"],
        "Propagated": False,
    }
    (tmp_path / "grants.json").write_text(json.dumps({"Grants": [grant]}))
    # Delegation to the account without an IAM Allow: only the grant can allow.
    delegation = key_policy("111122223333")
    (tmp_path / "kp.json").write_text(json.dumps(delegation))
    base = [
        "what-if",
        "--principal",
        DANA,
        "--operation",
        "Decrypt",
        "--key-arn",
        KEY,
        "--key-policy",
        str(tmp_path / "kp.json"),
        "--grants",
        str(tmp_path / "grants.json"),
        "--parameters",
    ]
    without = {"KeyId": KEY, "CiphertextBlob": "AQID"}
    assert run_cli(*base, json.dumps(without)).returncode == 1
    with_token = {**without, "GrantTokens": ["tok-1"]}
    result = run_cli(*base, json.dumps(with_token))
    assert result.returncode == 0, result.stderr


def test_grants_file_bad_tokens(tmp_path):
    grant = {
        "KeyId": KEY,
        "GranteePrincipal": DANA,
        "Operations": ["Decrypt"],
        "GrantTokens": "tok-1",
    }
    (tmp_path / "grants.json").write_text(json.dumps([grant]))
    result = decrypt(tmp_path, "--grants", str(tmp_path / "grants.json"))
    assert result.returncode == 2
    assert "GrantTokens" in result.stderr


# -- case files ---------------------------------------------------------------


def operation_case(**members) -> dict:
    return {
        "id": "C-1",
        "policies": {"key_policy": KEY_POLICY},
        "operation": {
            "name": "Decrypt",
            "caller": {"principal": DANA},
            "parameters": {"KeyId": KEY, "CiphertextBlob": "AQID"},
        },
        "expected": "Allow",
        **members,
    }


@pytest.mark.parametrize(
    "members",
    [{"keys": 1}, {"keys": True}, {"grants": True}, {"keys": [{"arn": "nonsense"}]}],
    ids=repr,
)
def test_malformed_case_member_fails_case(tmp_path, members):
    result = run_case(operation_case(**members), tmp_path)
    assert not result.passed
    assert result.actual == "error"


def test_case_grant_tokens_string_fails_case(tmp_path):
    grant = {
        "KeyId": KEY,
        "GranteePrincipal": DANA,
        "Operations": ["Decrypt"],
        "GrantTokens": "tok-123",
    }
    result = run_case(operation_case(keys=[{"arn": KEY}], grants=[grant]), tmp_path)
    assert result.actual == "error"
    assert "GrantTokens" in result.detail
