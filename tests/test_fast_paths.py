"""The compiled engine's fast paths against the plain code they replace.

Layered request contexts must equal ``RequestContext`` of the merged mapping,
specialised clauses must equal ``evaluate_clause``, and the IPv4 block regexes
must agree with ``ipaddress``.
"""

from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kmspolicy import engine as engine_module
from kmspolicy.compile.context import request_context
from kmspolicy.conditions.context import ContextLayer, RequestContext
from kmspolicy.conditions.evaluate import (
    compile_clause,
    evaluate_clause,
    value_test_of,
)
from kmspolicy.conditions.operators import BASE_OPERATORS, QUALIFIERS, parse_operator
from kmspolicy.engine import Engine
from kmspolicy.evaluate.decision import Outcome
from kmspolicy.evaluate.evaluator import (
    build_context,
    key_context,
    principal_context,
)
from kmspolicy.evaluate.principal import parse_caller
from kmspolicy.evaluate.request import KeyMetadata, Request
from kmspolicy.policy.model import PolicyKind
from kmspolicy.policy.parse import parse_policy

ACCOUNT = "111122223333"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1a2b3c4d-0000-4000-8000-000000000001"


def _same_context(actual: RequestContext, expected: RequestContext) -> None:
    assert list(actual) == list(expected)
    assert repr(actual) == repr(expected)
    assert actual.warnings == expected.warnings
    assert len(actual) == len(expected)
    for name in expected:
        assert actual.lookup(name) == expected.lookup(name)
        assert actual.lookup(name.upper()) == expected.lookup(name.upper())


# Layered contexts ---------------------------------------------------------------

names = st.sampled_from(
    ["k", "K", "aws:SourceIp", "AWS:sourceip", "kms:ViaService", "x/y", "X/Y"]
)
values = st.one_of(
    st.text(max_size=3), st.lists(st.text(max_size=3), max_size=2).map(list)
)
mappings = st.dictionaries(names, values, max_size=5)


@settings(max_examples=300, deadline=None)
@given(own=mappings, layers=st.lists(mappings, max_size=3), prepared=st.booleans())
def test_from_layers_equals_merged_mapping(own, layers, prepared):
    merged = dict(own)
    present = {name.lower() for name in own}
    for layer in layers:
        for name, value in layer.items():
            if name.lower() not in present:
                merged[name] = value
    derived = [ContextLayer(layer) if prepared else layer for layer in layers]

    _same_context(RequestContext.from_layers(own, derived), RequestContext(merged))


def test_from_layers_warns_on_case_clash():
    context = RequestContext.from_layers({"a": "1", "A": "2"}, [{"b": "3"}])

    assert context.lookup("a") == (True, "1")
    assert len(context.warnings) == 1
    assert "'a' and 'A'" in context.warnings[0]


def test_from_layers_context_immutable():
    context = RequestContext.from_layers({"a": "1"}, [])

    with pytest.raises(AttributeError):
        context.warnings = ()


def test_from_layers_rejects_non_string():
    with pytest.raises(TypeError):
        RequestContext.from_layers({"a": 1}, [])


encryption_contexts = st.dictionaries(
    st.sampled_from(["dept", "Dept", "project", "p/q"]), st.text(max_size=3)
)


@settings(max_examples=200, deadline=None)
@given(
    own=st.dictionaries(
        st.sampled_from(
            ["aws:SourceIp", "kms:EncryptionContext:dept", "aws:PrincipalArn"]
        ),
        st.text(max_size=3),
        max_size=2,
    ),
    encryption_context=encryption_contexts,
    tags=st.dictionaries(st.sampled_from(["env", "Env", "team"]), st.text(max_size=2)),
)
def test_request_context_equals_build_context(own, encryption_context, tags):
    request = Request(
        principal=USER,
        action="kms:Decrypt",
        resource=KEY_ARN,
        context=own,
        encryption_context=encryption_context,
    )
    key = KeyMetadata(arn=KEY_ARN, spec="SYMMETRIC_DEFAULT", tags=tags)
    caller = parse_caller(USER)
    principal = ContextLayer(principal_context(caller))

    layered = request_context(request, principal, ContextLayer(key_context(key)))

    _same_context(layered, build_context(request, key))


# Specialised clauses -------------------------------------------------------------

OPERATOR_NAMES = [
    f"{qualifier}{base}{suffix}"
    for qualifier in ("", *(f"{q}:" for q in QUALIFIERS))
    for base in BASE_OPERATORS
    for suffix in ("", "IfExists")
    if not (base == "Null" and suffix)
]

policy_values = st.sampled_from(
    [
        "a",
        "A",
        "a*",
        "?",
        "10",
        "-1.5",
        "2026-03-15",
        "2026-03-15T12:00:00Z",
        "1773576000",
        "true",
        "false",
        "10.0.0.0/8",
        "10.1.2.0/23",
        "192.0.2.7",
        "2001:db8::/32",
        "YQ==",
        "arn:aws:iam::*:user/*",
        "${aws:username}",
        "${k}",
        "",
    ]
)
request_values = st.one_of(
    policy_values,
    st.sampled_from(["10.1.3.4", "10.0.0.1", "010.0.0.1", "2001:db8::1", "1e3"]),
    st.lists(policy_values, max_size=2),
)


@settings(max_examples=600, deadline=None)
@given(
    name=st.sampled_from(OPERATOR_NAMES),
    values=st.lists(policy_values, min_size=1, max_size=3),
    request_value=st.one_of(st.none(), request_values),
    substitute=st.booleans(),
)
def test_compiled_clause_equals_evaluate(name, values, request_value, substitute):
    operator = parse_operator(name)
    entries = {"aws:username": "a"}
    if request_value is not None:
        entries["K"] = request_value
    context = RequestContext(entries)

    compiled = compile_clause(operator, "k", values, substitute)
    expected = evaluate_clause(operator, "k", values, context, substitute)

    assert compiled(context) is expected


def test_value_test_only_without_variables():
    equals = parse_operator("StringEquals")

    assert value_test_of(compile_clause(equals, "k", ["a"], True)) is not None
    assert value_test_of(compile_clause(equals, "k", ["${x}"], True)) is None
    assert value_test_of(compile_clause(equals, "k", ["${x}"], False)) is not None


# IP blocks -----------------------------------------------------------------------

octets = st.one_of(st.integers(0, 255).map(str), st.sampled_from(["00", "01", "256"]))
addresses = st.one_of(
    st.tuples(octets, octets, octets, octets).map(".".join),
    st.sampled_from(["10.0.0.1 ", "::ffff:10.0.0.1", "10.0.0", "1.2.3.4.5", "١.2.3.4"]),
)
blocks = st.sampled_from(
    ["0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "198.51.100.0/24", "192.0.2.7/32"]
)


@settings(max_examples=500, deadline=None)
@given(block=blocks, address=addresses)
def test_ip_block_regex_equals_ipaddress(block, address):
    operator = parse_operator("IpAddress")
    clause = compile_clause(operator, "aws:SourceIp", [block], False)
    try:
        expected = ipaddress.ip_address(address) in ipaddress.ip_network(block)
    except ValueError:
        expected = False

    assert clause(RequestContext({"aws:SourceIp": address})) is expected


# Engine memos and batches ------------------------------------------------------


def _key_policy(statements: list[dict]):
    document = {"Version": "2012-10-17", "Statement": statements}
    return parse_policy(json.dumps(document), kind=PolicyKind.KEY, name="key")


def _allow(principal: str, condition: dict | None = None) -> dict:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def test_registration_drops_plans():
    engine = Engine()
    engine.add_key(KEY_ARN, _key_policy([_allow(f"arn:aws:iam::{ACCOUNT}:root")]))
    request = Request(principal=USER, action="kms:Decrypt", resource=KEY_ARN)
    assert engine.decide(request).outcome is Outcome.IMPLICIT_DENY

    identity = parse_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
            }
        ),
        kind=PolicyKind.IDENTITY,
        name="identity",
    )
    engine.add_principal(USER, [identity])

    assert engine.decide(request).outcome is Outcome.ALLOW


def test_batch_groups_equal_single_calls():
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    carol = f"arn:aws:iam::{ACCOUNT}:user/carol"
    policy = _key_policy(
        [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "kms:*",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}},
            },
            _allow(USER, {"StringLike": {"kms:EncryptionContext:dept": "a*"}}),
            _allow(
                bob,
                {
                    "StringEquals": {"aws:PrincipalArn": bob},
                    "Null": {"kms:EncryptionContext:dept": "false"},
                },
            ),
            _allow(carol, {"StringEqualsIfExists": {"kms:ViaService": "s3"}}),
        ]
    )
    engine = Engine()
    engine.add_key(KEY_ARN, policy)
    principals = [USER, bob, carol]
    addresses = ["10.0.0.1", "198.51.100.9", "010.0.0.1"]
    contexts = [
        {"aws:SourceIp": address, "AWS:sourceip": "10.0.0.2"} for address in addresses
    ] + [
        {"aws:SourceIp": ["10.0.0.1"]},
        {"aws:PrincipalArn": USER},
        {"kms:ViaService": "ec2"},
        {},
    ]
    requests = [
        Request(
            principal=principal,
            action="kms:Decrypt",
            resource=KEY_ARN,
            context=context,
            encryption_context=encryption_context,
            request_id=str(serial),
        )
        for serial, (principal, context, encryption_context) in enumerate(
            (principal, context, encryption_context)
            for principal in principals
            for context in contexts
            for encryption_context in ({"dept": "ab"}, {"Dept": "x", "dept": "ab"}, {})
        )
    ]

    batch = engine.decide_batch(requests + requests)

    assert batch == [engine.decide(request) for request in requests + requests]
    assert len({decision.outcome for decision in batch}) == 3


def test_full_plan_memo_still_decides(monkeypatch):
    monkeypatch.setattr(engine_module, "_PLAN_MEMO_SIZE", 1)
    monkeypatch.setattr(engine_module, "_CALLER_MEMO_SIZE", 1)
    engine = Engine()
    engine.add_key(KEY_ARN, _key_policy([_allow(USER)]))
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    requests = [
        Request(principal=principal, action=action, resource=KEY_ARN)
        for principal in (USER, bob, USER)
        for action in ("kms:Decrypt", "kms:Encrypt")
    ]

    outcomes = [engine.decide(request).outcome for request in requests]

    assert outcomes.count(Outcome.ALLOW) == 2
    assert engine.decide_batch(requests) == [engine.decide(r) for r in requests]
