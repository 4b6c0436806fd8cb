"""Semantic validation: rules that need the KMS catalogue or the operator tables.

Runs on a built ``Policy`` and returns findings; it never raises. Structural rules
(elements, types, principals) are checked while the model is built, in ``parse``.
"""

from __future__ import annotations

import difflib

from kmspolicy.catalogue import catalogue
from kmspolicy.conditions.operators import check_value
from kmspolicy.conditions.variables import parse_template
from kmspolicy.findings import Finding, make_finding
from kmspolicy.policy.model import (
    ConditionClause,
    Policy,
    PolicyKind,
    Statement,
)

# KMS rejects these keys in key policies ("not permitted in a key policy"); they work
# only in IAM policies.
_KEY_POLICY_FORBIDDEN_PREFIXES = ("aws:resourcetag/",)
_KEY_POLICY_FORBIDDEN_KEYS = ("kms:resourcealiases",)

# ForAllValues on these per-pair keys is true for a request without the pair, so KMS
# rejects it as OverlyPermissiveCondition.
_OVERLY_PERMISSIVE_PREFIXES = ("kms:encryptioncontext:", "aws:requesttag/")


def validate_semantics(policy: Policy) -> list[Finding]:
    """Return the catalogue and operator findings of every statement."""
    findings: list[Finding] = []
    for statement in policy.statements:
        findings.extend(_check_actions(statement))
        actions = _statement_actions(statement)
        for clause in statement.conditions:
            findings.extend(_check_clause(policy, clause, actions))
    return findings


def _check_actions(statement: Statement) -> list[Finding]:
    if statement.action is None:
        return []

    findings = []
    for entry in statement.action.entries:
        prefix = entry.value.partition(":")[0].lower()
        if prefix != "kms" or catalogue().expand_actions(entry.value):
            continue
        if any(c.isspace() or c == "," for c in entry.value):
            continue

        name = entry.value.partition(":")[2]
        names = [info.name.partition(":")[2] for info in catalogue().actions.values()]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean 'kms:{close[0]}'?" if close else ""
        message = f"action {entry.value!r} matches no KMS action{hint}"
        findings.append(_at("unknown-action", entry.path, entry.span, message))
    return findings


def _statement_actions(statement: Statement) -> frozenset[str] | None:
    """Return the kms: actions the statement names, or None when that is not known.

    Unknown means a NotAction, a "*" or an action of another service; condition keys
    are then not checked against actions.
    """
    spec = statement.action
    if spec is None or spec.negated:
        return None

    actions: set[str] = set()
    for entry in spec.entries:
        if entry.value == "*" or not entry.value.lower().startswith("kms:"):
            return None
        actions |= catalogue().expand_actions(entry.value)
    return frozenset(actions)


def _check_clause(
    policy: Policy, clause: ConditionClause, actions: frozenset[str] | None
) -> list[Finding]:
    findings = _check_values(policy, clause)
    findings.extend(_check_key(policy, clause, actions))
    return findings


def _check_values(policy: Policy, clause: ConditionClause) -> list[Finding]:
    findings = []
    operator = clause.operator
    for value, span, path in zip(clause.values, clause.value_spans, clause.value_paths):
        problem = check_value(operator, value)
        if problem:
            findings.append(_at("operator-value-type", path, span, problem))
            continue
        if not operator.takes_variables or "${" not in value:
            continue

        template = parse_template(value)
        if template.malformed:
            message = (
                f"{value!r} has a '${{' without a closing '}}'; it is literal text"
            )
            findings.append(_at("malformed-variable", path, span, message))
        elif template.has_variables and not policy.substitutes_variables:
            message = (
                f"{value!r} holds a policy variable, but without Version 2012-10-17 "
                "IAM compares it as literal text"
            )
            findings.append(_at("variable-not-substituted", path, span, message))
    return findings


def _check_key(
    policy: Policy, clause: ConditionClause, actions: frozenset[str] | None
) -> list[Finding]:
    key = clause.key
    lowered = key.lower()
    operator = clause.operator
    info = catalogue().key(key)
    at = clause.path, clause.span

    if policy.kind is PolicyKind.KEY and (
        lowered.startswith(_KEY_POLICY_FORBIDDEN_PREFIXES)
        or lowered in _KEY_POLICY_FORBIDDEN_KEYS
    ):
        message = (
            f"condition key {key!r} is not permitted in a key policy; "
            "KMS rejects it (use it in an IAM policy)"
        )
        return [_at("key-not-permitted", *at, message)]

    if (
        operator.qualifier == "ForAllValues"
        and policy.kind in (PolicyKind.KEY, PolicyKind.IDENTITY)
        and lowered.startswith(_OVERLY_PERMISSIVE_PREFIXES)
    ):
        message = (
            f"ForAllValues on {key!r} is true when the request lacks that pair, so "
            "KMS rejects it (OverlyPermissiveCondition); drop the qualifier"
        )
        return [_at("overly-permissive-condition", *at, message)]

    if info is None:
        return _unknown_key(key, at)

    findings = []
    if operator.qualifier and not info.multi_valued:
        message = (
            f"{operator.qualifier} on single-valued key {key!r}; a plain operator "
            "says the same without the empty-set surprises"
        )
        findings.append(_at("single-valued-set-qualifier", *at, message))
    if info.multi_valued and not operator.qualifier and operator.base != "Null":
        message = (
            f"{operator.raw} on multivalued key {key!r} is false for any list of "
            "values; use ForAnyValue: or ForAllValues:"
        )
        findings.append(_at("multivalued-plain-operator", *at, message))
    if actions and not any(catalogue().supplies_key(a, key) for a in actions):
        message = (
            f"condition key {key!r} is supplied by none of the statement's actions, "
            "so the condition can only be absent"
        )
        findings.append(_at("condition-key-not-supplied", *at, message))
    return findings


def _unknown_key(key: str, at: tuple) -> list[Finding]:
    prefix = key.partition(":")[0].lower()
    if prefix not in ("kms", "aws"):
        return []

    known = [info.name for info in catalogue().all_keys()]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    message = f"condition key {key!r} is not a defined {prefix}: key{hint}"
    return [_at("unknown-condition-key", *at, message)]


def _at(code, path, span, message) -> Finding:
    return make_finding(code, path, span.line, span.column, message)
