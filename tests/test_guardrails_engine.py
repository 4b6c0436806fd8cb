"""Guardrails on every path: service principals in the Engine, RetireGrant, RCPs."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from kmspolicy import (
    KeyMetadata,
    PolicyKind,
    PolicySet,
    Request,
    RequestError,
    decide,
    parse_policy,
)
from kmspolicy.engine import Engine

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRole"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/s"


def parse(document, kind):
    return parse_policy(json.dumps(document), kind=kind, name=kind.value)


LOGS_KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}
PERIMETER_RCP = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {
            "Sid": "Perimeter",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "kms:*",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"aws:SourceOrgID": "o-a1b2c3d4e5"},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        },
    ],
}


def test_engine_derives_service_principal_keys():
    key_policy = parse(LOGS_KEY_POLICY, PolicyKind.KEY)
    rcp = parse(PERIMETER_RCP, PolicyKind.RCP)
    request = Request(
        principal="logs.us-east-1.amazonaws.com", action="kms:Decrypt", resource=KEY
    )
    engine = Engine()
    engine.add_key(KEY, key_policy)
    engine.set_rcps(ACCOUNT, [[rcp]])

    reference = decide(request, PolicySet(key_policy=key_policy, rcps=[[rcp]]))

    assert reference.outcome.value == "Allow"
    assert engine.decide(request) == reference
    assert engine.decide_batch([request]) == [reference]


def test_engine_rejects_metadata_of_another_key():
    key_policy = parse(LOGS_KEY_POLICY, PolicyKind.KEY)
    other = KeyMetadata(arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/other")
    request = Request(principal=SESSION, action="kms:Decrypt", resource=KEY)
    engine = Engine()
    engine.add_key(KEY, key_policy)

    with pytest.raises(RequestError):
        engine.decide(request, other)
    with pytest.raises(RequestError):
        Engine().add_key(KEY, key_policy, other)


def test_rcp_statement_needs_a_principal():
    rcp = parse(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "kms:*", "Resource": "*"}],
        },
        PolicyKind.RCP,
    )
    assert [f.code for f in rcp.findings] == ["missing-principal"]


@pytest.fixture
def retire_files(tmp_path):
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    grants = [
        {
            "KeyId": KEY,
            "GrantId": "g1",
            "GranteePrincipal": ROLE,
            "RetiringPrincipal": ROLE,
            "Operations": ["Decrypt", "RetireGrant"],
        }
    ]
    s3_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    files = {"kp": key_policy, "grants": grants, "scp": s3_only}
    paths = {}
    for name, document in files.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(document))
    return paths


def _retire(paths, *extra):
    parameters = json.dumps({"GrantId": "g1", "KeyId": KEY})
    return run_cli(
        "what-if",
        "--key-policy",
        str(paths["kp"]),
        "--key-arn",
        KEY,
        "--principal",
        SESSION,
        "--operation",
        "RetireGrant",
        "--parameters",
        parameters,
        "--grants",
        str(paths["grants"]),
        *extra,
    )


def test_retire_grant_needs_scp_allow(retire_files):
    allowed = _retire(retire_files)
    blocked = _retire(retire_files, "--scp", str(retire_files["scp"]))

    assert allowed.returncode == 0
    assert blocked.returncode == 1
    assert "SCP" in blocked.stdout
