"""Tests of condition operators, value checks and clause evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kmspolicy.conditions.context import RequestContext
from kmspolicy.conditions.evaluate import (
    compile_clause,
    evaluate_block,
    evaluate_clause,
)
from kmspolicy.conditions.operators import (
    BASE_OPERATORS,
    OperatorError,
    check_value,
    parse_operator,
)

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/7e3f9a12-4b6c-4d2e-9a1f-0c5b8d7e6f01"


def holds(operator, key, values, context, substitute=True):
    """Evaluate one clause written with plain Python values."""
    if isinstance(values, str):
        values = [values]
    return evaluate_clause(
        parse_operator(operator), key, values, RequestContext(context), substitute
    )


# Operator names ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "qualifier", "base", "if_exists"),
    [
        ("StringEquals", None, "StringEquals", False),
        ("StringEqualsIgnoreCase", None, "StringEqualsIgnoreCase", False),
        ("StringEqualsIfExists", None, "StringEquals", True),
        (
            "ForAllValues:StringNotEqualsIgnoreCaseIfExists",
            "ForAllValues",
            "StringNotEqualsIgnoreCase",
            True,
        ),
        ("ForAnyValue:ArnLike", "ForAnyValue", "ArnLike", False),
        ("DateLessThanEqualsIfExists", None, "DateLessThanEquals", True),
        ("NotIpAddressIfExists", None, "NotIpAddress", True),
        ("Null", None, "Null", False),
    ],
)
def test_parse_operator_parts(name, qualifier, base, if_exists):
    operator = parse_operator(name)
    assert operator.raw == name
    assert operator.qualifier == qualifier
    assert operator.base == base
    assert operator.if_exists is if_exists


@pytest.mark.parametrize("base", BASE_OPERATORS)
def test_parse_operator_every_base(base):
    assert parse_operator(base).base == base
    assert parse_operator(f"ForAnyValue:{base}").qualifier == "ForAnyValue"


@pytest.mark.parametrize(
    ("name", "code", "fragment"),
    [
        ("stringEquals", "operator-case", "'StringEquals'"),
        ("STRINGLIKE", "operator-case", "'StringLike'"),
        ("forallvalues:StringEquals", "operator-case", "'ForAllValues:StringEquals'"),
        ("NullIfExists", "null-ifexists", "NullIfExists"),
        ("ForAllValues:NullIfExists", "null-ifexists", "Null"),
        ("ForSomeValues:StringEquals", "unknown-qualifier", "'ForSomeValues'"),
        ("ForAllValue:StringEquals", "unknown-qualifier", "'ForAllValue'"),
        ("StringEqual", "unknown-operator", "did you mean 'StringEquals'?"),
        ("IpAddressIfExist", "unknown-operator", "'IpAddressIfExist'"),
        ("", "unknown-operator", "''"),
        ("StringEquals:", "unknown-qualifier", "'StringEquals'"),
    ],
)
def test_parse_operator_errors(name, code, fragment):
    with pytest.raises(OperatorError) as caught:
        parse_operator(name)
    assert caught.value.code == code
    assert fragment in caught.value.message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("name", "negated", "family", "takes_variables"),
    [
        ("StringNotLike", True, "String", True),
        ("StringEqualsIgnoreCase", False, "String", True),
        ("NumericNotEquals", True, "Numeric", False),
        ("DateGreaterThan", False, "Date", False),
        ("Bool", False, "Bool", True),
        ("BinaryEquals", False, "Binary", False),
        ("NotIpAddress", True, "IpAddress", False),
        ("IpAddress", False, "IpAddress", False),
        ("ArnNotEquals", True, "Arn", True),
        ("ArnLike", False, "Arn", True),
        ("Null", False, "Null", False),
    ],
)
def test_operator_properties(name, negated, family, takes_variables):
    operator = parse_operator(name)
    assert operator.negated is negated
    assert operator.family == family
    assert operator.takes_variables is takes_variables


# Policy value checks -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NumericEquals", "10"),
        ("NumericEquals", "-1.25"),
        ("NumericLessThan", "+3"),
        ("DateLessThan", "2026"),
        ("DateLessThan", "2026-03"),
        ("DateLessThan", "2026-03-15"),
        ("DateLessThan", "2026-03-15T12:00Z"),
        ("DateLessThan", "2026-03-15T12:00:00+05:30"),
        ("DateLessThan", "2026-03-15T12:00:00.5Z"),
        ("DateLessThan", "1773576000"),
        ("Bool", "TRUE"),
        ("Bool", "${aws:PrincipalTag/flag}"),
        ("Null", "false"),
        ("IpAddress", "203.0.113.0/24"),
        ("IpAddress", "203.0.113.5"),
        ("NotIpAddress", "2001:db8::/32"),
        ("BinaryEquals", "QmluYXJ5"),
        ("StringEquals", "anything ${at all"),
        ("ArnLike", "arn:aws:iam::*:role/*"),
    ],
)
def test_check_value_accepts(name, value):
    assert check_value(parse_operator(name), value) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("NumericEquals", "abc"),
        ("NumericEquals", "1e3"),
        ("NumericEquals", "1."),
        ("NumericEquals", "${aws:MultiFactorAuthAge}"),
        ("DateLessThan", "2026-03-15T12:00:00"),
        ("DateLessThan", "2026-02-30"),
        ("DateLessThan", "yesterday"),
        ("Bool", "yes"),
        ("Null", "maybe"),
        ("IpAddress", "203.0.113.0/33"),
        ("IpAddress", "example.com"),
        ("BinaryEquals", "not base64!"),
    ],
)
def test_check_value_rejects(name, value):
    message = check_value(parse_operator(name), value)
    assert message is not None
    assert repr(value) in message


# Presence rules --------------------------------------------------------------

PRESENCE_ROWS = [
    # (operator, values, context, expected)
    ("StringEquals", "a", {}, False),
    ("StringEquals", "a", {"k": "a"}, True),
    ("StringNotEquals", "a", {}, True),
    ("StringNotEquals", "a", {"k": "a"}, False),
    ("NumericLessThan", "5", {}, False),
    ("ArnLike", "arn:*:*:*:*:*", {}, False),
    ("IpAddress", "10.0.0.0/8", {}, False),
    ("NotIpAddress", "10.0.0.0/8", {}, True),
    ("Bool", "true", {}, False),
    ("BinaryEquals", "QQ==", {}, False),
    ("DateLessThan", "2030", {}, False),
    ("ArnNotLike", "arn:*:*:*:*:*", {}, True),
    ("StringEqualsIfExists", "a", {}, True),
    ("StringEqualsIfExists", "a", {"k": "b"}, False),
    ("StringNotEqualsIfExists", "a", {}, True),
    ("StringNotEqualsIfExists", "a", {"k": "a"}, False),
    ("Null", "true", {}, True),
    ("Null", "true", {"k": "a"}, False),
    ("Null", "false", {}, False),
    ("Null", "false", {"k": "a"}, True),
    ("ForAllValues:StringEquals", "a", {}, True),
    ("ForAllValues:StringEquals", "a", {"k": ["a", "b"]}, False),
    ("ForAllValues:StringEquals", ["a", "b"], {"k": ["a", "b"]}, True),
    ("ForAnyValue:StringEquals", "a", {}, False),
    ("ForAnyValue:StringEquals", "a", {"k": ["b", "a"]}, True),
    ("ForAnyValue:StringEquals", "a", {"k": ["b", "c"]}, False),
    ("ForAllValues:StringEqualsIfExists", "a", {}, True),
    ("ForAnyValue:StringEqualsIfExists", "a", {}, True),
    ("ForAnyValue:StringEqualsIfExists", "a", {"k": ["b"]}, False),
    ("ForAnyValue:StringNotEquals", "a", {}, False),
    ("ForAllValues:StringNotEquals", "a", {}, True),
]


@pytest.mark.parametrize(("name", "values", "context", "expected"), PRESENCE_ROWS)
def test_presence_table(name, values, context, expected):
    assert holds(name, "k", values, context) is expected


# Set qualifiers with empty and scalar request values -------------------------


@pytest.mark.parametrize(
    ("name", "request_value", "expected"),
    [
        ("ForAllValues:StringEquals", [], True),
        ("ForAllValues:StringEquals", "", True),
        ("ForAnyValue:StringEquals", [], False),
        ("ForAnyValue:StringEquals", "", False),
        ("ForAllValues:StringEquals", "project", True),
        ("ForAllValues:StringEquals", "owner", False),
        ("ForAnyValue:StringEquals", "project", True),
        ("ForAnyValue:StringEquals", "owner", False),
        ("ForAllValues:StringNotEquals", ["owner", "team"], True),
        ("ForAllValues:StringNotEquals", ["owner", "project"], False),
        ("ForAnyValue:StringNotEquals", ["project", "owner"], True),
        ("ForAnyValue:StringNotEquals", ["project"], False),
        ("ForAllValues:StringNotLike", ["app-owner"], False),
        ("ForAllValues:StringLike", ["app-owner", "app-team"], True),
    ],
)
def test_set_qualifiers(name, request_value, expected):
    values = ["project", "app*"] if "Like" in name else ["project"]
    context = {"kms:EncryptionContextKeys": request_value}
    assert holds(name, "kms:EncryptionContextKeys", values, context) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("StringEquals", False),
        ("StringNotEquals", False),
        ("StringLike", False),
        ("StringEqualsIfExists", False),
    ],
)
def test_plain_operator_multivalued_request(name, expected):
    context = {"k": ["a", "b"]}
    assert holds(name, "k", ["a", "c"], context) is expected


# Null with empty values ------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "context", "expected"),
    [
        ("true", {"k": ""}, True),
        ("true", {"k": []}, True),
        ("false", {"k": ""}, False),
        ("false", {"k": ["x"]}, True),
        (["true", "false"], {}, True),
        (["true", "false"], {"k": "x"}, True),
        ("TRUE", {}, True),
        ("maybe", {}, False),
    ],
)
def test_null_operator(values, context, expected):
    assert holds("Null", "k", values, context) is expected


# String family ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "values", "request_value", "expected"),
    [
        ("StringEquals", "Alpha", "alpha", False),
        ("StringEquals", "alpha", "alpha", True),
        ("StringEquals", "*", "alpha", False),
        ("StringEquals", "*", "*", True),
        ("StringEquals", ["red", "blue"], "blue", True),
        ("StringNotEquals", ["red", "blue"], "green", True),
        ("StringNotEquals", ["red", "blue"], "blue", False),
        ("StringEqualsIgnoreCase", "Alpha", "aLPHA", True),
        ("StringEqualsIgnoreCase", "Alpha", "beta", False),
        ("StringNotEqualsIgnoreCase", "Alpha", "ALPHA", False),
        ("StringNotEqualsIgnoreCase", "Alpha", "beta", True),
        ("StringLike", "al?ha", "alpha", True),
        ("StringLike", "al?ha", "alpa", False),
        ("StringLike", "a*", "a:b/c", True),
        ("StringLike", "A*", "alpha", False),
        ("StringLike", "", "", True),
        ("StringLike", "a.b", "axb", False),
        ("StringNotLike", ["app*", "team*"], "team-x", False),
        ("StringNotLike", ["app*", "team*"], "owner", True),
        (
            "StringLike",
            "arn:aws:iam:*:role/Ops",
            "arn:aws:iam::111122223333:role/Ops",
            True,
        ),
    ],
)
def test_string_family(name, values, request_value, expected):
    assert holds(name, "k", values, {"k": request_value}) is expected


def test_condition_key_name_case_insensitive():
    context = {"kms:EncryptionContext:project": "alpha"}
    assert holds("StringEquals", "KMS:encryptioncontext:PROJECT", "alpha", context)


# Numeric family --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "policy_value", "request_value", "expected"),
    [
        ("NumericEquals", "3600", "3600", True),
        ("NumericEquals", "1.2", "1.20", True),
        ("NumericEquals", "+5", "5", True),
        ("NumericEquals", "10", "9", False),
        ("NumericNotEquals", "10", "9", True),
        ("NumericNotEquals", "10", "10.0", False),
        ("NumericLessThan", "1.3", "1.2", True),
        ("NumericLessThan", "1.2", "1.2", False),
        ("NumericLessThanEquals", "3600", "7200", False),
        ("NumericLessThanEquals", "3600", "3600", True),
        ("NumericGreaterThan", "-1", "0", True),
        ("NumericGreaterThanEquals", "0.5", "0.49", False),
        ("NumericEquals", "abc", "abc", False),
        ("NumericNotEquals", "abc", "5", True),
        ("NumericEquals", "5", "n/a", False),
        ("NumericNotEquals", "5", "n/a", True),
        ("NumericLessThanIfExists", "5", "n/a", False),
        ("NumericEquals", "99999999999999999999.1", "99999999999999999999.10", True),
    ],
)
def test_numeric_family(name, policy_value, request_value, expected):
    assert holds(name, "k", policy_value, {"k": request_value}) is expected


# Date family -----------------------------------------------------------------

NOW = "2026-03-15T12:00:00Z"


@pytest.mark.parametrize(
    ("name", "policy_value", "request_value", "expected"),
    [
        ("DateGreaterThan", "1767225600", NOW, True),
        ("DateLessThan", "1767225600", "1773576000", False),
        ("DateEquals", "1773576000", NOW, True),
        ("DateEquals", "2026-03-15T13:00:00+01:00", NOW, True),
        ("DateEquals", "2026-03-15T07:30:00-04:30", NOW, True),
        ("DateEquals", "2026-03-15T12:00Z", NOW, True),
        ("DateNotEquals", "2026-03-15T12:00:01Z", NOW, True),
        ("DateNotEquals", NOW, NOW, False),
        ("DateEquals", "2026-03", "2026-03-01T00:00:00Z", True),
        ("DateEquals", "2026", "2026-01-01T00:00:00Z", True),
        ("DateLessThan", "2026-03-16", NOW, True),
        ("DateLessThan", "2026-03-15", NOW, False),
        ("DateLessThanEquals", NOW, NOW, True),
        ("DateGreaterThanEquals", "2026-03-15T12:00:00.001Z", NOW, False),
        ("DateGreaterThan", "2026-03-15T12:00:00.5Z", "2026-03-15T12:00:00.75Z", True),
        ("DateLessThan", "2026-03-15T12:00:00", NOW, False),
        ("DateNotEquals", "2026-03-15T12:00:00", NOW, True),
        ("DateLessThan", "2030", "2026-03-15T12:00:00", False),
        ("DateNotEquals", "2030", "not a date", True),
    ],
)
def test_date_family(name, policy_value, request_value, expected):
    assert (
        holds(name, "aws:CurrentTime", policy_value, {"aws:CurrentTime": request_value})
        is expected
    )


# Bool ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_value", "request_value", "expected"),
    [
        ("true", "true", True),
        ("true", "TRUE", True),
        ("True", "true", True),
        ("false", "false", True),
        ("false", "true", False),
        ("true", "yes", False),
        ("yes", "yes", False),
    ],
)
def test_bool_operator(policy_value, request_value, expected):
    assert holds("Bool", "k", policy_value, {"k": request_value}) is expected


def test_bool_variable_substituted():
    context = {"k": "true", "aws:PrincipalTag/flag": "True"}
    assert holds("Bool", "k", "${aws:PrincipalTag/flag}", context)


# IP addresses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "values", "request_value", "expected"),
    [
        ("IpAddress", "203.0.113.0/24", "203.0.113.77", True),
        ("IpAddress", "203.0.113.5", "203.0.113.77", False),
        ("IpAddress", "203.0.113.5", "203.0.113.5", True),
        ("IpAddress", "203.0.113.9/24", "203.0.113.77", True),
        (
            "IpAddress",
            ["198.51.100.0/24", "2001:db8:1234::/48"],
            "2001:db8:1234::5",
            True,
        ),
        ("IpAddress", "2001:db8::1", "2001:db8::1", True),
        ("IpAddress", "2001:db8::1", "2001:db8::2", False),
        ("IpAddress", "0.0.0.0/0", "2001:db8::1", False),
        ("IpAddress", "::/0", "203.0.113.77", False),
        ("NotIpAddress", "203.0.113.0/24", "2001:db8::1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
        ("IpAddress", "203.0.113.0/24", "not-an-ip", False),
        ("NotIpAddress", "203.0.113.0/24", "not-an-ip", True),
        ("IpAddress", "bad/99", "203.0.113.1", False),
    ],
)
def test_ip_family(name, values, request_value, expected):
    context = {"aws:SourceIp": request_value}
    assert holds(name, "aws:SourceIp", values, context) is expected


# Binary ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy_value", "request_value", "expected"),
    [
        ("QmluYXJ5", "QmluYXJ5", True),
        ("QmluYXJ5", "QmluYXJ6", False),
        ("QQ==", "QQ==", True),
        ("QQ==", "not base64!", False),
        ("not base64!", "not base64!", False),
    ],
)
def test_binary_equals(policy_value, request_value, expected):
    assert holds("BinaryEquals", "k", policy_value, {"k": request_value}) is expected


# ARN family ------------------------------------------------------------------

ROLE = "arn:aws:iam::111122223333:role/team-blue-admin"


@pytest.mark.parametrize(
    ("name", "policy_value", "expected"),
    [
        ("ArnLike", "arn:aws:iam::111122223333:role/team-*-admin", True),
        ("ArnEquals", "arn:aws:iam::111122223333:role/team-*", True),
        ("ArnEquals", ROLE, True),
        ("ArnLike", "arn:aws:iam:*:role/team-blue-admin", False),
        ("ArnLike", "arn:aws:iam::*:role/*", True),
        ("ArnLike", "arn:aws:iam::111122223333:role/TEAM-*", False),
        ("ArnNotEquals", "arn:aws:iam::111122223333:role/KeyAdmin", True),
        ("ArnNotEquals", ROLE, False),
        ("ArnNotLike", "arn:aws:iam::*:role/team-*", False),
        ("ArnNotLike", "arn:aws:iam:*:role/team-blue-admin", True),
    ],
)
def test_arn_family(name, policy_value, expected):
    context = {"aws:PrincipalArn": ROLE}
    assert holds(name, "aws:PrincipalArn", policy_value, context) is expected


def test_arn_like_variable_whole_arn():
    context = {"aws:SourceArn": ROLE, "aws:PrincipalArn": ROLE}
    assert holds("ArnEquals", "aws:SourceArn", "${aws:PrincipalArn}", context)


# Policy variables in conditions ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "policy_value", "context", "substitute", "expected"),
    [
        (
            "StringEquals",
            "${aws:PrincipalTag/team}",
            {"aws:PrincipalTag/team": "blue", "k": "blue"},
            True,
            True,
        ),
        (
            "StringEquals",
            "${aws:PrincipalTag/team}",
            {"aws:PrincipalTag/team": "blue", "k": "blue"},
            False,
            False,
        ),
        (
            "StringEquals",
            "${aws:PrincipalTag/team}",
            {"k": "${aws:PrincipalTag/team}"},
            False,
            True,
        ),
        (
            "StringEquals",
            "${aws:PrincipalTag/team, 'shared'}",
            {"k": "shared"},
            True,
            True,
        ),
        ("StringEquals", "${aws:PrincipalTag/team}", {"k": "blue"}, True, False),
        ("StringNotEquals", "${aws:PrincipalTag/team}", {"k": "blue"}, True, True),
        ("StringNotLike", "${aws:PrincipalTag/team}", {"k": "blue"}, True, True),
        (
            "StringEquals",
            "${aws:PrincipalTag/team}",
            {"aws:PrincipalTag/team": ["blue"], "k": "blue"},
            True,
            False,
        ),
        (
            "StringNotEquals",
            "${aws:PrincipalTag/team}",
            {"aws:PrincipalTag/team": ["blue"], "k": "blue"},
            True,
            True,
        ),
        (
            "StringEqualsIgnoreCase",
            "team-${aws:PrincipalTag/team}",
            {"aws:PrincipalTag/team": "Blue", "k": "TEAM-BLUE"},
            True,
            True,
        ),
        (
            "StringLike",
            "${kms:EncryptionContext:prefix}",
            {"kms:EncryptionContext:prefix": "*", "k": "reports"},
            True,
            False,
        ),
        (
            "StringLike",
            "${kms:EncryptionContext:prefix}",
            {"kms:EncryptionContext:prefix": "*", "k": "*"},
            True,
            True,
        ),
        (
            "StringLike",
            "${kms:EncryptionContext:prefix}*",
            {"kms:EncryptionContext:prefix": "rep", "k": "reports"},
            True,
            True,
        ),
        ("StringLike", "a${*}", {"k": "a*"}, True, True),
        ("StringLike", "a${*}", {"k": "abc"}, True, False),
        ("StringLike", "a${*}", {"k": "a*"}, False, False),
        ("StringLike", "a${*}", {"k": "a${x}"}, False, True),
        ("StringEquals", "cost${$}", {"k": "cost$"}, True, True),
        ("StringEquals", "${aws:username", {"k": "${aws:username"}, True, True),
        (
            "NumericEquals",
            "${aws:PrincipalTag/n}",
            {"aws:PrincipalTag/n": "5", "k": "5"},
            True,
            False,
        ),
    ],
)
def test_condition_variables(name, policy_value, context, substitute, expected):
    assert holds(name, "k", policy_value, context, substitute) is expected


# Blocks and compiled clauses -------------------------------------------------


def test_block_and_of_clauses():
    context = RequestContext(
        {"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "false"}
    )
    team = (parse_operator("StringEquals"), "aws:PrincipalTag/team", ["blue"])
    tls = (parse_operator("Bool"), "aws:SecureTransport", ["true"])
    assert evaluate_block([team], context, True) is True
    assert evaluate_block([team, tls], context, True) is False
    assert evaluate_block([], context, True) is True


def test_compile_clause_matches_evaluate():
    operator = parse_operator("StringLike")
    compiled = compile_clause(operator, "k", ["a*", "${x}"], True)
    for context in ({"k": "abc"}, {"k": "b", "x": "b"}, {"k": "b"}, {}):
        request = RequestContext(context)
        expected = evaluate_clause(operator, "k", ["a*", "${x}"], request, True)
        assert compiled(request) is expected


# Properties ------------------------------------------------------------------

NEGATIONS = [
    ("StringEquals", "StringNotEquals"),
    ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
    ("StringLike", "StringNotLike"),
    ("NumericEquals", "NumericNotEquals"),
    ("DateEquals", "DateNotEquals"),
    ("IpAddress", "NotIpAddress"),
    ("ArnLike", "ArnNotLike"),
    ("ArnEquals", "ArnNotEquals"),
]

short_text = st.text(alphabet="ab*?1.:$", max_size=6)


@given(
    pair=st.sampled_from(NEGATIONS),
    values=st.lists(short_text, min_size=1, max_size=4),
    request_value=short_text,
)
def test_negated_complements_positive(pair, values, request_value):
    positive, negated = pair
    context = {"k": request_value}
    assert holds(negated, "k", values, context) is not holds(
        positive, "k", values, context
    )


@given(
    name=st.sampled_from(
        [
            "StringLike",
            "StringNotEquals",
            "ForAllValues:StringLike",
            "ForAnyValue:StringNotLike",
            "NumericLessThan",
        ]
    ),
    values=st.lists(short_text, min_size=1, max_size=4),
    request_values=st.lists(short_text, max_size=4),
    data=st.data(),
)
def test_value_order_irrelevant(name, values, request_values, data):
    shuffled_values = data.draw(st.permutations(values))
    shuffled_request = data.draw(st.permutations(request_values))
    original = holds(name, "k", values, {"k": request_values})
    reordered = holds(name, "k", shuffled_values, {"k": shuffled_request})
    assert original is reordered


@given(
    policy_value=st.integers(-(10**6), 10**6),
    request_value=st.integers(-(10**6), 10**6),
)
def test_numeric_agrees_with_integers(policy_value, request_value):
    context = {"k": str(request_value)}
    less = holds("NumericLessThan", "k", str(policy_value), context)
    assert less is (request_value < policy_value)
