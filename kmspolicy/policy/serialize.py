"""The policy model back to a JSON-ready dictionary.

The output means the same as the source: re-parsing it gives the same statements,
conditions and decisions. It is normalised, not a copy of the text: lists stay
lists even for one value, condition values are strings, and members come in the
grammar's order.
"""

from __future__ import annotations

from kmspolicy.policy.model import Policy, PrincipalSpec, Statement


def policy_to_dict(policy: Policy) -> dict:
    document: dict = {}
    if policy.version is not None:
        document["Version"] = policy.version
    if policy.id is not None:
        document["Id"] = policy.id
    document["Statement"] = [statement_to_dict(s) for s in policy.statements]
    return document


def statement_to_dict(statement: Statement) -> dict:
    result: dict = {}
    if statement.sid is not None:
        result["Sid"] = statement.sid
    if statement.effect is not None:
        result["Effect"] = statement.effect.value
    if statement.principal is not None:
        name = "NotPrincipal" if statement.principal.negated else "Principal"
        result[name] = _principal(statement.principal)
    if statement.action is not None:
        name = "NotAction" if statement.action.negated else "Action"
        result[name] = [entry.value for entry in statement.action.entries]
    if statement.resource is not None:
        name = "NotResource" if statement.resource.negated else "Resource"
        result[name] = [entry.value for entry in statement.resource.entries]
    if statement.conditions:
        result["Condition"] = _conditions(statement)
    return result


def _principal(spec: PrincipalSpec) -> str | dict:
    if [entry.type for entry in spec.entries] == ["*"] and spec.entries[
        0
    ].path == spec.path:
        return "*"

    grouped: dict[str, list[str]] = {}
    for entry in spec.entries:
        principal_type = "AWS" if entry.type == "*" else entry.type
        grouped.setdefault(principal_type, []).append(entry.value)
    return grouped


def _conditions(statement: Statement) -> dict:
    block: dict[str, dict[str, list[str]]] = {}
    for clause in statement.conditions:
        block.setdefault(clause.operator.raw, {})[clause.key] = list(clause.values)
    return block
