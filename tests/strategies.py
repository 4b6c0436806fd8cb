"""Hypothesis strategies: key policies, identity policies and requests built from the
corpus patterns (root delegation, named roles and users, services, cross-account,
encryption-context, network and principal conditions, NotAction, NotPrincipal)."""

from __future__ import annotations

import json

from hypothesis import strategies as st

ACCOUNT = "111122223333"
EXTERNAL = "999988887777"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
OTHER_KEY_ARN = (
    f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-1111-2222-3333-444444444444"
)

PRINCIPALS = [
    f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/app-session",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/KeyAdmin/admin-session",
    f"arn:aws:iam::{ACCOUNT}:user/dana",
    f"arn:aws:iam::{ACCOUNT}:root",
    f"arn:aws:sts::{EXTERNAL}:assumed-role/Partner/p-session",
    "logs.us-east-1.amazonaws.com",
]

PRINCIPAL_ELEMENTS = [
    "*",
    {"AWS": "*"},
    {"AWS": ACCOUNT},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:role/AppRole"},
    {
        "AWS": [
            f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin",
            f"arn:aws:iam::{ACCOUNT}:user/dana",
        ]
    },
    {"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/app-session"},
    {"AWS": f"arn:aws:iam::{EXTERNAL}:root"},
    {"Service": "logs.us-east-1.amazonaws.com"},
]

ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:CreateGrant",
]
ACTION_PATTERNS = [
    "kms:*",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:Generate*",
    "kms:Describe*",
    "kms:*Key*",
    "*",
    "kms:Create?rant",
    "KMS:decrypt",
]

CONDITIONS = [
    {"StringEquals": {"kms:EncryptionContext:tenant": "acme"}},
    {"StringEquals": {"kms:EncryptionContext:tenant": ["acme", "globex"]}},
    {"StringLike": {"kms:EncryptionContext:project": "blue-*"}},
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
    {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "project"]}},
    {"ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "ten*"}},
    {"Null": {"kms:EncryptionContextKeys": "true"}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}},
    {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/owner}"}},
    {"StringEqualsIfExists": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
]

CONTEXT_CHOICES = {
    "aws:SourceIp": ["203.0.113.9", "198.51.100.4", "2001:db8::5"],
    "kms:ViaService": ["s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"],
    "aws:SecureTransport": ["true", "false"],
    "aws:PrincipalTag/team": ["blue", "red"],
    "aws:PrincipalTag/owner": ["blue", "green"],
    "aws:MultiFactorAuthAge": ["60", "7200"],
    "aws:CurrentTime": ["2026-03-15T12:00:00Z", "2025-06-01T00:00:00Z"],
}
ENCRYPTION_CONTEXTS = [
    {},
    {"tenant": "acme"},
    {"tenant": "globex", "project": "blue-1"},
    {"tenant": "acme", "owner": "ops"},
    {"project": "red-2"},
]


@st.composite
def statements(draw, with_principal: bool):
    statement = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    if with_principal:
        element = draw(st.sampled_from(PRINCIPAL_ELEMENTS))
        use_not = (
            statement["Effect"] == "Deny" and element != "*" and draw(st.booleans())
        )
        statement["NotPrincipal" if use_not else "Principal"] = element

    actions = draw(
        st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3, unique=True)
    )
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions

    resources = draw(
        st.sampled_from(
            [
                ["*"],
                [KEY_ARN],
                [OTHER_KEY_ARN],
                [KEY_ARN, OTHER_KEY_ARN],
                ["arn:aws:kms:*:key/*"],
            ]
        )
    )
    statement["NotResource" if draw(st.integers(0, 7)) == 0 else "Resource"] = resources

    chosen = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2))
    condition: dict = {}
    for block in chosen:
        for operator, keys in block.items():
            condition.setdefault(operator, {}).update(keys)
    if condition:
        statement["Condition"] = condition
    return statement


@st.composite
def key_policies(draw, min_statements=1, max_statements=5):
    body = draw(
        st.lists(statements(True), min_size=min_statements, max_size=max_statements)
    )
    body.insert(
        0,
        draw(
            st.sampled_from(
                [
                    {
                        "Sid": "Root",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "Users",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/AppRole"},
                        "Action": ["kms:Decrypt", "kms:Encrypt"],
                        "Resource": "*",
                    },
                ]
            )
        ),
    )
    for index, statement in enumerate(body):
        statement.setdefault("Sid", f"S{index}")
    return {"Version": "2012-10-17", "Statement": body}


@st.composite
def identity_policies(draw):
    body = draw(st.lists(statements(False), min_size=1, max_size=3))
    return {"Version": "2012-10-17", "Statement": body}


@st.composite
def requests(draw):
    context = {}
    for name, values in CONTEXT_CHOICES.items():
        if draw(st.booleans()):
            context[name] = draw(st.sampled_from(values))
    return {
        "principal": draw(st.sampled_from(PRINCIPALS)),
        "action": draw(st.sampled_from(ACTIONS)),
        "resource": KEY_ARN,
        "context": context,
        "encryption_context": draw(st.sampled_from(ENCRYPTION_CONTEXTS)),
    }


def dump(document: dict) -> str:
    return json.dumps(document, indent=2)
