"""Property tests over generated policies and requests (patterns from the corpus)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import dump, identity_policies, key_policies, requests

from kmspolicy import PolicyKind, PolicySet, Request, decide, parse_policy
from kmspolicy.policy.serialize import policy_to_dict

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _parse(document: dict, kind: PolicyKind, name: str):
    policy = parse_policy(dump(document), kind=kind, name=name)
    assume(policy.is_valid)
    return policy


def _decide(key_document, identity_documents, request_fields):
    policies = PolicySet(
        key_policy=_parse(key_document, PolicyKind.KEY, "key policy"),
        identity_policies=[
            _parse(doc, PolicyKind.IDENTITY, f"identity {i}")
            for i, doc in enumerate(identity_documents)
        ],
    )
    return decide(Request(**request_fields), policies)


def _deciding_sids(decision):
    return sorted((ref.policy, ref.sid or "") for ref in decision.statements)


@SETTINGS
@given(key_policies(), st.lists(identity_policies(), max_size=2), requests(), st.data())
def test_explicit_deny_always_wins(
    key_document, identity_documents, request_fields, data
):
    deny = {
        "Sid": "DenyAll",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
    }
    statements = key_document["Statement"]
    statements.insert(data.draw(st.integers(0, len(statements))), deny)

    decision = _decide(key_document, identity_documents, request_fields)

    assert decision.outcome.value == "ExplicitDeny"
    assert ("key policy", "DenyAll") in _deciding_sids(decision)


@SETTINGS
@given(key_policies(), identity_policies(), requests())
def test_identity_deny_always_wins(key_document, identity_document, request_fields):
    identity_document["Statement"].append(
        {"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}
    )

    decision = _decide(key_document, [identity_document], request_fields)

    is_service = (
        "." in request_fields["principal"] and ":" not in request_fields["principal"]
    )
    if not is_service:
        assert decision.outcome.value == "ExplicitDeny"


def _reordered(value, randomizer):
    """Return value with dict members, list items and statements in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        randomizer.shuffle(items)
        return {name: _reordered(item, randomizer) for name, item in items}
    if isinstance(value, list):
        items = [_reordered(item, randomizer) for item in value]
        randomizer.shuffle(items)
        return items
    return value


@SETTINGS
@given(
    key_policies(),
    st.lists(identity_policies(), max_size=2),
    st.lists(requests(), min_size=1, max_size=4),
    st.randoms(use_true_random=False),
)
def test_order_never_changes_decision(
    key_document, identity_documents, request_list, randomizer
):
    reordered_key = _reordered(key_document, randomizer)
    reordered_identity = [_reordered(doc, randomizer) for doc in identity_documents]

    for request_fields in request_list:
        original = _decide(key_document, identity_documents, request_fields)
        shuffled = _decide(reordered_key, reordered_identity, request_fields)

        assert original.outcome == shuffled.outcome
        if original.outcome.value == "ExplicitDeny":
            assert _deciding_sids(original) == _deciding_sids(shuffled)


@SETTINGS
@given(key_policies(), st.lists(requests(), min_size=1, max_size=4))
def test_serialised_policy_means_the_same(key_document, request_list):
    policy = _parse(key_document, PolicyKind.KEY, "key policy")
    reparsed = parse_policy(
        json.dumps(policy_to_dict(policy)), kind=PolicyKind.KEY, name="key policy"
    )

    assert reparsed.is_valid
    assert policy_to_dict(reparsed) == policy_to_dict(policy)
    for request_fields in request_list:
        request = Request(**request_fields)
        first = decide(request, PolicySet(key_policy=policy))
        second = decide(request, PolicySet(key_policy=reparsed))
        assert first.outcome == second.outcome
        assert _deciding_sids(first) == _deciding_sids(second)


def _check_span(source, span, expected_value):
    text = source[span.offset : span.end_offset]
    line = source.count("\n", 0, span.offset) + 1
    column = span.offset - (source.rfind("\n", 0, span.offset) + 1) + 1

    assert (span.line, span.column) == (line, column)
    assert json.loads(text) == expected_value


@SETTINGS
@given(key_policies())
def test_every_node_position_points_at_its_text(key_document):
    policy = _parse(key_document, PolicyKind.KEY, "key policy")
    source = policy.source

    _check_span(source, policy.span, json.loads(source))
    for statement, original in zip(policy.statements, key_document["Statement"]):
        _check_span(source, statement.span, original)
        for spec in (statement.principal, statement.action, statement.resource):
            if spec is None:
                continue
            for entry in spec.entries:
                _check_span(source, entry.span, entry.value)
        for clause in statement.conditions:
            _check_span(source, clause.span, clause.key)
            for value, span in zip(clause.values, clause.value_spans):
                _check_span(source, span, value)
