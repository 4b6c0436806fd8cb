"""``kmspolicy what-if --operation``: operation requests from the command line."""

from __future__ import annotations

import json

from conftest import run_cli

KEY = "arn:aws:kms:us-east-1:111122223333:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
DANA = "arn:aws:iam::111122223333:user/dana"


def write_inputs(tmp_path):
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    grant = {
        "KeyId": KEY,
        "GrantId": "g1",
        "GranteePrincipal": DANA,
        "Operations": ["Decrypt"],
        "Constraints": {"EncryptionContextEquals": {"tenant": "acme"}},
    }
    (tmp_path / "kp.json").write_text(json.dumps(key_policy))
    (tmp_path / "grants.json").write_text(json.dumps({"Grants": [grant]}))


def what_if(tmp_path, *extra):
    return run_cli(
        "what-if",
        "--principal",
        DANA,
        "--operation",
        "Decrypt",
        "--parameters",
        json.dumps({"KeyId": KEY, "CiphertextBlob": "AQID"}),
        "--key-arn",
        KEY,
        "--key-policy",
        str(tmp_path / "kp.json"),
        "--grants",
        str(tmp_path / "grants.json"),
        *extra,
    )


def test_operation_allowed_by_grant(tmp_path):
    write_inputs(tmp_path)
    result = what_if(tmp_path, "--encryption-context", "tenant=acme")
    assert result.returncode == 0, result.stderr
    assert "decided by grant g1" in result.stdout


def test_operation_extra_pair_denied(tmp_path):
    write_inputs(tmp_path)
    result = what_if(
        tmp_path, "--encryption-context", "tenant=acme", "--encryption-context", "x=1"
    )
    assert result.returncode == 1


def test_operation_json_lists_checks(tmp_path):
    write_inputs(tmp_path)
    result = what_if(
        tmp_path, "--encryption-context", "tenant=acme", "--format", "json"
    )
    document = json.loads(result.stdout)
    assert document["decision"] == "Allow"
    assert document["checks"][0]["context"]["kms:EncryptionContext:tenant"] == "acme"


def test_operation_bad_parameter(tmp_path):
    write_inputs(tmp_path)
    result = what_if(
        tmp_path, "--parameters", json.dumps({"KeyId": KEY, "GrantTokens": "t"})
    )
    assert result.returncode == 2
    assert "SerializationException" in result.stderr
    assert "GrantTokens" in result.stderr


def test_action_and_operation_exclusive(tmp_path):
    write_inputs(tmp_path)
    result = what_if(tmp_path, "--action", "kms:Decrypt")
    assert result.returncode == 2
