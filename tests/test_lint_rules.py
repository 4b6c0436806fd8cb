"""Lint rules beyond the corpus: paths, resource forms, empty elements."""

from __future__ import annotations

import json

from kmspolicy import PolicyKind, parse_policy


def findings(statement, kind=PolicyKind.KEY, version="2012-10-17"):
    document = {"Version": version, "Statement": [statement]}
    policy = parse_policy(json.dumps(document), kind=kind)
    return {(f.code, f.path) for f in policy.findings}


def allow_all(**extra):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt"}
    statement["Resource"] = "*"
    statement.update(extra)
    return statement


def test_empty_principal_object_is_invalid():
    got = findings(allow_all(Principal={}))
    assert ("invalid-principal", "$.Statement[0].Principal") in got


def test_kms_resource_type_wildcard_is_invalid():
    arn = "arn:aws:kms:us-east-1:111122223333:k*"
    got = findings(allow_all(Resource=arn), kind=PolicyKind.KEY)
    assert ("invalid-resource", "$.Statement[0].Resource") in got


def test_kms_key_and_alias_resources_are_valid():
    for arn in (
        "arn:aws:kms:us-east-1:111122223333:key/*",
        "arn:aws:kms:*:111122223333:alias/app-*",
        "arn:aws:kms:us-east-1:111122223333:*",
    ):
        codes = {code for code, _ in findings(allow_all(Resource=arn))}
        assert "invalid-resource" not in codes, arn


def test_variable_before_fifth_colon_warns():
    arn = "arn:aws:kms:${aws:RequestedRegion}:111122223333:key/*"
    got = findings(allow_all(Resource=arn))
    assert ("variable-not-substituted", "$.Statement[0].Resource") in got


def test_resource_variable_in_old_version_warns():
    arn = "arn:aws:kms:us-east-1:111122223333:key/${aws:username}"
    old = findings(allow_all(Resource=arn), version="2008-10-17")
    current = findings(allow_all(Resource=arn))
    assert ("variable-not-substituted", "$.Statement[0].Resource") in old
    assert ("variable-not-substituted", "$.Statement[0].Resource") not in current


def test_empty_condition_key_is_invalid():
    got = findings(allow_all(Condition={"StringEquals": {"": "x"}}))
    assert ("invalid-condition-key", "$.Statement[0].Condition.StringEquals['']") in got


def test_path_brackets_names_with_dots():
    condition = {"StringEquals": {"aws:PrincipalTag/a.b[0]": "x"}}
    statement = allow_all(Condition=condition, Sid="S", Extra=1)
    got = findings(statement)
    assert ("unknown-element", "$.Statement[0].Extra") in got

    bad = {"NumericEquals": {"aws:PrincipalTag/a.b[0]": "ten"}}
    got = findings(allow_all(Condition=bad))
    path = "$.Statement[0].Condition.NumericEquals['aws:PrincipalTag/a.b[0]']"
    assert ("operator-value-type", path) in got
