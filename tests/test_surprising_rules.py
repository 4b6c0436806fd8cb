"""The surprising rules of IAM and KMS evaluation, one named test each."""

from __future__ import annotations

import json

import pytest

from kmspolicy import (
    Grant,
    InvalidPolicyError,
    PolicyKind,
    PolicySet,
    Request,
    decide,
    parse_policy,
)

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/s1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRole"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def policy(*statements, kind=PolicyKind.KEY, version="2012-10-17"):
    document = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return parse_policy(json.dumps(document), kind=kind, name=kind.value)


def key_statement(effect="Allow", principal=None, action="kms:Decrypt", **extra):
    return {
        "Effect": effect,
        "Principal": principal or {"AWS": ROLE},
        "Action": action,
        "Resource": "*",
        **extra,
    }


def outcome(key_policy, principal=SESSION, action="kms:Decrypt", **fields):
    identity = fields.pop("identity", [])
    grants = fields.pop("grants", [])
    boundary = fields.pop("boundary", None)
    policies = PolicySet(
        key_policy=key_policy,
        identity_policies=identity,
        grants=grants,
        permission_boundary=boundary,
    )
    request = Request(principal=principal, action=action, resource=KEY, **fields)
    return decide(request, policies).outcome.value


def identity_allow(action="kms:Decrypt", resource=KEY):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return policy(statement, kind=PolicyKind.IDENTITY)


def test_negated_operator_true_on_missing_key():
    deny = key_statement(
        "Deny", "*", Condition={"StringNotEquals": {"aws:PrincipalTag/team": "blue"}}
    )
    assert outcome(policy(key_statement(), deny)) == "ExplicitDeny"


def test_ifexists_does_not_soften_negated_deny():
    deny = key_statement(
        "Deny",
        "*",
        Condition={"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "blue"}},
    )
    assert outcome(policy(key_statement(), deny)) == "ExplicitDeny"


def test_forallvalues_true_on_empty_set():
    allow = key_statement(
        Condition={"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": "tenant"}}
    )
    assert outcome(policy(allow)) == "Allow"


def test_foranyvalue_false_on_empty_set():
    allow = key_statement(
        Condition={"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "tenant"}}
    )
    assert outcome(policy(allow)) == "ImplicitDeny"


def test_notprincipal_deny_needs_whole_chain():
    deny = {
        "Effect": "Deny",
        "NotPrincipal": {"AWS": [ROOT, ROLE]},
        "Action": "kms:*",
        "Resource": "*",
    }
    chain = dict(deny, NotPrincipal={"AWS": [ROOT, ROLE, SESSION]})

    assert outcome(policy(key_statement(), deny)) == "ExplicitDeny"
    assert outcome(policy(key_statement(), chain)) == "Allow"


def test_notprincipal_deny_always_applies_with_boundary():
    deny = {
        "Effect": "Deny",
        "NotPrincipal": {"AWS": [ROOT, ROLE, SESSION]},
        "Action": "kms:*",
        "Resource": "*",
    }
    boundary = policy(
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
        kind=PolicyKind.IDENTITY,
    )
    assert outcome(policy(key_statement(), deny), boundary=boundary) == "ExplicitDeny"


def test_root_delegation_needs_iam_allow():
    delegate = key_statement(principal={"AWS": ROOT}, action="kms:*")

    assert outcome(policy(delegate)) == "ImplicitDeny"
    assert outcome(policy(delegate), identity=[identity_allow()]) == "Allow"


def test_iam_allow_ignored_without_delegation():
    admin_only = key_statement(
        principal={"AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"}
    )
    assert outcome(policy(admin_only), identity=[identity_allow()]) == "ImplicitDeny"


def test_root_user_has_no_automatic_key_access():
    only_role = key_statement()
    delegate = key_statement(principal={"AWS": ACCOUNT})

    assert outcome(policy(only_role), principal=ROOT) == "ImplicitDeny"
    assert outcome(policy(delegate), principal=ROOT) == "Allow"


def test_cross_account_needs_both_sides():
    external = "arn:aws:sts::999988887777:assumed-role/Partner/p1"
    named = key_statement(principal={"AWS": "arn:aws:iam::999988887777:role/Partner"})

    assert outcome(policy(named), principal=external) == "ImplicitDeny"
    allowed = outcome(policy(named), principal=external, identity=[identity_allow()])
    assert allowed == "Allow"


def test_cross_account_limited_to_listed_actions():
    external = "arn:aws:sts::999988887777:assumed-role/Partner/p1"
    everything = key_statement(principal={"AWS": "999988887777"}, action="kms:*")
    identity = [identity_allow(action="kms:*")]

    deletion = outcome(
        policy(everything),
        principal=external,
        action="kms:ScheduleKeyDeletion",
        identity=identity,
    )
    assert deletion == "ImplicitDeny"


def test_grant_constraint_equals_rejects_extra_pair():
    grant = Grant.model_validate(
        {
            "GranteePrincipal": ROLE,
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextEquals": {"Tenant": "acme", "app": "x"}},
        }
    )
    empty = policy(key_statement(principal={"AWS": "arn:aws:iam::111122223333:user/x"}))

    same = outcome(
        empty, grants=[grant], encryption_context={"app": "x", "tenant": "acme"}
    )
    extra = outcome(
        empty,
        grants=[grant],
        encryption_context={"tenant": "acme", "app": "x", "stage": "prod"},
    )
    assert same == "Allow"
    assert extra == "ImplicitDeny"


def test_grant_never_helps_another_principal():
    grant = Grant.model_validate({"GranteePrincipal": ROLE, "Operations": ["Decrypt"]})
    other = f"arn:aws:sts::{ACCOUNT}:assumed-role/OtherRole/s1"
    empty = policy(key_statement(principal={"AWS": "arn:aws:iam::111122223333:user/x"}))

    assert outcome(empty, grants=[grant]) == "Allow"
    assert outcome(empty, principal=other, grants=[grant]) == "ImplicitDeny"


def test_statement_without_resource_is_inert_even_as_deny():
    deny_without_resource = {"Effect": "Deny", "Principal": "*", "Action": "kms:*"}
    assert outcome(policy(key_statement(), deny_without_resource)) == "Allow"


def test_old_version_keeps_variables_literal():
    allow = key_statement(
        Condition={"StringEquals": {"kms:EncryptionContext:user": "${aws:username}"}}
    )
    fields = {
        "principal": f"arn:aws:iam::{ACCOUNT}:user/dana",
        "context": {"aws:username": "dana"},
        "encryption_context": {"user": "dana"},
    }
    user_allow = dict(allow, Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/dana"})

    assert outcome(policy(user_allow), **fields) == "Allow"
    assert outcome(policy(user_allow, version="2008-10-17"), **fields) == "ImplicitDeny"


def test_operator_names_are_case_sensitive():
    wrong_case = key_statement(Condition={"stringEquals": {"aws:username": "dana"}})
    with pytest.raises(InvalidPolicyError):
        outcome(policy(wrong_case))


def test_condition_key_names_are_case_insensitive():
    allow = key_statement(
        Condition={"StringEquals": {"KMS:encryptioncontext:TENANT": "acme"}}
    )
    assert outcome(policy(allow), encryption_context={"tenant": "acme"}) == "Allow"
