"""Decisions at the edges: grant validity, role paths, partitions, number forms."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from kmspolicy import (
    Grant,
    KeyMetadata,
    PolicyKind,
    PolicySet,
    Request,
    RequestError,
    decide,
    parse_policy,
)

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/s1"


def key_policy(*statements):
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return parse_policy(json.dumps(document), kind=PolicyKind.KEY, name="key policy")


def allow(principal, action="kms:Decrypt", **extra):
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": "*",
        **extra,
    }


def outcome(policy, principal=SESSION, action="kms:Decrypt", grants=(), **fields):
    request = Request(principal=principal, action=action, resource=KEY, **fields)
    policies = PolicySet(key_policy=policy, grants=list(grants))
    return decide(request, policies).outcome.value


def test_grant_rejects_non_grant_operation():
    with pytest.raises(ValidationError, match="not a grant operation"):
        Grant.model_validate(
            {"GranteePrincipal": SESSION, "Operations": ["ScheduleKeyDeletion"]}
        )


def test_grant_needs_a_grantee():
    with pytest.raises(ValidationError, match="GranteePrincipal"):
        Grant.model_validate({"Operations": ["Decrypt"]})


def test_grant_for_service_principal():
    grant = Grant.model_validate(
        {"GranteeServicePrincipal": "logs.amazonaws.com", "Operations": ["Decrypt"]}
    )
    empty = key_policy(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:user/x"}))
    assert outcome(empty, principal="logs.amazonaws.com", grants=[grant]) == "Allow"


def test_grant_on_another_key_does_not_apply():
    other = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0000"
    grant_elsewhere = Grant.model_validate(
        {
            "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/AppRole",
            "Operations": ["Decrypt"],
            "KeyId": other,
        }
    )
    grant_here = Grant.model_validate(
        {
            "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/AppRole",
            "Operations": ["Decrypt"],
            "KeyId": "7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01",
        }
    )
    empty = key_policy(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:user/x"}))

    assert outcome(empty, grants=[grant_elsewhere]) == "ImplicitDeny"
    assert outcome(empty, grants=[grant_here]) == "Allow"


def test_role_path_compared_when_known():
    named = key_policy(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:role/team-b/AppRole"}))
    known_other_path = {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/team-a/AppRole"
    }
    known_same_path = {
        "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/team-b/AppRole"
    }

    assert outcome(named, context=known_other_path) == "ImplicitDeny"
    assert outcome(named, context=known_same_path) == "Allow"
    assert outcome(named) == "Allow"


def test_notprincipal_service_case_insensitive():
    policy = key_policy(
        allow({"Service": "LOGS.amazonaws.com"}),
        {
            "Effect": "Deny",
            "NotPrincipal": {"Service": "LOGS.amazonaws.com"},
            "Action": "kms:*",
            "Resource": "*",
        },
    )
    assert outcome(policy, principal="logs.amazonaws.com") == "Allow"


def test_other_partition_never_allowed():
    policy = key_policy(allow("*"), allow({"AWS": ACCOUNT}))
    china_root = f"arn:aws-cn:iam::{ACCOUNT}:root"
    assert outcome(policy, principal=china_root) == "ImplicitDeny"


def test_key_metadata_must_match_resource():
    policy = key_policy(allow("*"))
    request = Request(principal=SESSION, action="kms:Decrypt", resource=KEY)
    other = KeyMetadata(arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/other")

    with pytest.raises(RequestError, match="a key policy governs only its own key"):
        decide(request, PolicySet(key_policy=policy), other)


@pytest.mark.parametrize("number", ["3.6e3", "3600", "36E2"])
def test_exponent_numbers_are_normalised(number):
    text = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        f'"Principal": {{"AWS": "{SESSION}"}}, "Action": "kms:Decrypt", '
        '"Resource": "*", "Condition": {"NumericLessThanEquals": '
        f'{{"aws:MultiFactorAuthAge": {number}}}}}}}]}}'
    )
    policy = parse_policy(text, kind=PolicyKind.KEY)

    assert policy.is_valid
    assert policy.statements[0].conditions[0].values == ("3600",)


def test_unicode_digits_are_not_numbers():
    policy = key_policy(
        allow(
            {"AWS": SESSION},
            Condition={"NumericEquals": {"aws:MultiFactorAuthAge": "10"}},
        )
    )
    arabic_ten = {"aws:MultiFactorAuthAge": "\u0661\u0660"}

    assert outcome(policy, context={"aws:MultiFactorAuthAge": "10"}) == "Allow"
    assert outcome(policy, context=arabic_ten) == "ImplicitDeny"


def test_equals_constraint_counts_case_variant_pairs():
    grant = Grant.model_validate(
        {
            "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/AppRole",
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextEquals": {"a": "1"}},
        }
    )
    subset_grant = Grant.model_validate(
        {
            "GranteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/AppRole",
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"a": "1"}},
        }
    )
    empty = key_policy(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:user/x"}))

    for pairs in ({"A": "2", "a": "1"}, {"a": "1", "A": "2"}):
        assert (
            outcome(empty, grants=[grant], encryption_context=pairs) == "ImplicitDeny"
        )
        assert (
            outcome(empty, grants=[subset_grant], encryption_context=pairs) == "Allow"
        )


def test_grant_never_crosses_partitions():
    grant = Grant.model_validate(
        {
            "GranteePrincipal": f"arn:aws-cn:iam::{ACCOUNT}:user/alice",
            "Operations": ["Decrypt"],
        }
    )
    empty = key_policy(allow({"AWS": f"arn:aws:iam::{ACCOUNT}:user/x"}))
    china_user = f"arn:aws-cn:iam::{ACCOUNT}:user/alice"
    assert outcome(empty, principal=china_user, grants=[grant]) == "ImplicitDeny"


def test_principal_type_and_username_derived():
    user = f"arn:aws:iam::{ACCOUNT}:user/dana"
    only_users = key_policy(
        allow("*", Condition={"StringEquals": {"aws:PrincipalType": "User"}}),
    )
    own_name = key_policy(
        allow(
            "*",
            Condition={
                "StringEquals": {"kms:EncryptionContext:owner": "${aws:username}"}
            },
        )
    )

    assert outcome(only_users, principal=user) == "Allow"
    assert outcome(only_users) == "ImplicitDeny"
    assert (
        outcome(own_name, principal=user, encryption_context={"owner": "dana"})
        == "Allow"
    )
