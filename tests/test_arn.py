"""Tests of ARN splitting, ArnLike matching and Resource element matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kmspolicy.arn import arn_like, resource_matches, split_arn
from kmspolicy.conditions.context import RequestContext

KEY_ID = "7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"
EMPTY = RequestContext({})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (KEY_ARN, ("arn", "aws", "kms", "us-east-1", "111122223333", f"key/{KEY_ID}")),
        (
            "arn:aws:iam::111122223333:role/Ops",
            ("arn", "aws", "iam", "", "111122223333", "role/Ops"),
        ),
        (
            "arn:aws:logs:us-east-1:1:log-group:a:b",
            ("arn", "aws", "logs", "us-east-1", "1", "log-group:a:b"),
        ),
        ("arn:aws:s3:::", ("arn", "aws", "s3", "", "", "")),
        ("arn:aws:iam:*:role/Ops", None),
        ("*", None),
        ("", None),
    ],
)
def test_split_arn(text, expected):
    assert split_arn(text) == expected


# ArnLike / ArnEquals ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (
            "arn:aws:iam::111122223333:role/team-*-admin",
            "arn:aws:iam::111122223333:role/team-blue-admin",
            True,
        ),
        ("arn:aws:iam:*:role/Ops", "arn:aws:iam::111122223333:role/Ops", False),
        ("arn:aws:iam::*:role/Ops", "arn:aws:iam::111122223333:role/Ops", True),
        ("arn:aws:*:role/Ops", "arn:aws:iam::111122223333:role/Ops", False),
        (
            "arn:aws:iam::1111?223333:role/Ops",
            "arn:aws:iam::111122223333:role/Ops",
            False,
        ),
        (
            "arn:aws:iam::11112222333?:role/Ops",
            "arn:aws:iam::111122223333:role/Ops",
            True,
        ),
        (
            "arn:aws:iam::111122223333:role/*",
            "arn:aws:iam::111122223333:role/path/to/Ops",
            True,
        ),
        (
            "arn:aws:logs:*:*:log-group:*",
            "arn:aws:logs:us-east-1:1:log-group:a:b",
            True,
        ),
        (
            "arn:aws:iam::111122223333:role/ops",
            "arn:aws:iam::111122223333:role/Ops",
            False,
        ),
        (
            "arn:AWS:iam::111122223333:role/Ops",
            "arn:aws:iam::111122223333:role/Ops",
            False,
        ),
        ("arn:aws:iam::111122223333:role/Ops", "arn:aws:iam::111122223333", False),
        ("*", "arn:aws:iam::111122223333:role/Ops", False),
        ("arn:*:*:*:*:*", "arn:aws:iam::111122223333:role/Ops", True),
    ],
)
def test_arn_like(pattern, value, expected):
    assert arn_like(pattern, value) is expected


@pytest.mark.parametrize(
    ("pattern", "context", "substitute", "expected"),
    [
        (
            "arn:aws:iam::111122223333:role/${aws:PrincipalTag/role}",
            {"aws:PrincipalTag/role": "Ops"},
            True,
            True,
        ),
        (
            "arn:aws:iam::111122223333:role/${aws:PrincipalTag/role}",
            {"aws:PrincipalTag/role": "Ops"},
            False,
            False,
        ),
        ("arn:aws:iam::111122223333:role/${aws:PrincipalTag/role}", {}, True, False),
        (
            "arn:aws:iam::111122223333:role/${aws:PrincipalTag/role}",
            {"aws:PrincipalTag/role": "O*"},
            True,
            False,
        ),
        (
            "arn:aws:iam::111122223333:role/${aws:PrincipalTag/role, 'Ops'}",
            {},
            True,
            True,
        ),
        (
            "${aws:PrincipalArn}",
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Ops"},
            True,
            True,
        ),
        (
            "${aws:PrincipalArn}",
            {"aws:PrincipalArn": "arn:aws:iam::111122223333"},
            True,
            False,
        ),
    ],
)
def test_arn_like_variables(pattern, context, substitute, expected):
    value = "arn:aws:iam::111122223333:role/Ops"
    assert arn_like(pattern, value, RequestContext(context), substitute) is expected


# Resource element ------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "resource", "pad_short", "expected"),
    [
        ("*", KEY_ARN, False, True),
        ("*", "*", False, True),
        (KEY_ARN, "*", True, False),
        ("arn:aws:kms:*:*:key/*", "*", True, False),
        (KEY_ARN, KEY_ARN, False, True),
        ("arn:aws:kms:*:key/*", KEY_ARN, True, True),
        ("arn:aws:kms:*:key/*", KEY_ARN, False, True),
        ("arn:aws:kms:*-1:key/*", KEY_ARN, True, False),
        ("arn:aws:kms:*-1:111122223333:key/*", KEY_ARN, False, True),
        ("arn:aws:kms:us-*:111122223333:key/*", KEY_ARN, False, True),
        ("arn:aws:kms:*:111122223333:key/*", KEY_ARN, False, True),
        ("arn:aws:kms:*:999988887777:key/*", KEY_ARN, False, False),
        ("arn:aws:kms:u?-east-1:111122223333:key/*", KEY_ARN, False, True),
        ("arn:aws:kms:us-east-?:111122223333:key/*", KEY_ARN, False, True),
        ("arn:aws:kms:us-east-1:111122223333:*", KEY_ARN, False, True),
        ("arn:aws:kms:us-east-1:111122223333:key/7e3f9a12*", KEY_ARN, False, True),
        ("arn:aws:kms:us-east-1:111122223333:KEY/*", KEY_ARN, False, False),
        ("arn:AWS:KMS:US-EAST-1:111122223333:key/*", KEY_ARN, False, True),
        (
            "arn:aws:kms:us-east-1:111122223333:alias/payments-app",
            KEY_ARN,
            False,
            False,
        ),
        ("arn:aws:kms:us-east-1", KEY_ARN, True, True),
        ("arn:aws:kms:us-east-1", KEY_ARN, False, False),
        ("arn:aws:kms:us-west-2", KEY_ARN, True, False),
        ("arn:aws:kms", KEY_ARN, True, True),
        ("arn:aws:kms:us-east-1:111122223333:key/*", "not-an-arn", True, False),
    ],
)
def test_resource_matches(entry, resource, pad_short, expected):
    assert resource_matches(entry, resource, EMPTY, True, pad_short) is expected


@pytest.mark.parametrize(
    ("entry", "context", "substitute", "expected"),
    [
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/kms-key-id}",
            {"aws:PrincipalTag/kms-key-id": KEY_ID},
            True,
            True,
        ),
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/kms-key-id}",
            {"aws:PrincipalTag/kms-key-id": KEY_ID},
            False,
            False,
        ),
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/kms-key-id}",
            {},
            True,
            False,
        ),
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/kms-key-id}",
            {"aws:PrincipalTag/kms-key-id": [KEY_ID]},
            True,
            False,
        ),
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/kms-key-id}",
            {"aws:PrincipalTag/kms-key-id": "*"},
            True,
            False,
        ),
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/x, '7e3f9a12'}*",
            {},
            True,
            True,
        ),
        (
            "arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/kms-key-id}",
            {},
            False,
            False,
        ),
        ("arn:aws:kms:us-east-1:111122223333:key/${*}", {}, True, False),
    ],
)
def test_resource_variables(entry, context, substitute, expected):
    request = RequestContext(context)
    assert resource_matches(entry, KEY_ARN, request, substitute, False) is expected


def test_resource_escape_is_literal():
    resource = "arn:aws:s3:::bucket/*"
    entry = "arn:aws:s3:::bucket/${*}"
    assert resource_matches(entry, resource, EMPTY, True, False) is True
    assert resource_matches(entry, "arn:aws:s3:::bucket/a", EMPTY, True, False) is False


def test_resource_without_substitution_globs_raw_text():
    entry = "arn:aws:kms:us-east-1:111122223333:key/${*}"
    resource = "arn:aws:kms:us-east-1:111122223333:key/${abc}"
    assert resource_matches(entry, resource, EMPTY, False, False) is True


segment = st.text(alphabet="abc-1", min_size=1, max_size=5)


@given(
    components=st.tuples(
        segment, segment, segment, st.text(alphabet="0123", max_size=4), segment
    )
)
def test_resource_exact_arn_matches_itself(components):
    arn = "arn:" + ":".join(components)
    assert resource_matches(arn, arn, EMPTY, True, False) is True
    assert arn_like(arn, arn) is True
