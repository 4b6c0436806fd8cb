"""Detection of a policy document's kind from its shape.

Identity policies and SCPs look alike (no principals), as do RCPs and VPC endpoint
policies (``Principal: "*"`` and actions of several services); the detector picks the
more common one and ``--kind`` overrides it.
"""

from __future__ import annotations

from kmspolicy.policy.document import JsonArray, JsonNode, JsonObject, JsonString
from kmspolicy.policy.model import PolicyKind


def detect_kind(tree: JsonNode) -> PolicyKind:
    """Guess the kind: no principal → identity; Principal * over other services'
    actions → RCP (deny only) or VPC endpoint policy; any other principal → key."""
    statements = _statement_objects(tree)
    with_principal = [
        s for s in statements if s.get("Principal") or s.get("NotPrincipal")
    ]
    if not with_principal:
        return PolicyKind.IDENTITY

    everyone = all(_names_everyone(s) for s in with_principal)
    other_services = any(
        not action.lower().startswith("kms:") and action != "*"
        for statement in statements
        for action in _strings(statement, "Action") + _strings(statement, "NotAction")
    )
    if not (everyone and other_services):
        return PolicyKind.KEY

    has_allow = any(_string(s, "Effect") == "Allow" for s in statements)
    return PolicyKind.VPCE if has_allow else PolicyKind.RCP


def _statement_objects(tree: JsonNode) -> list[JsonObject]:
    if not isinstance(tree, JsonObject):
        return []

    member = tree.get("Statement")
    if member is None:
        is_statement = any(tree.get(name) for name in ("Effect", "Action", "NotAction"))
        return [tree] if is_statement else []
    if isinstance(member.value, JsonObject):
        return [member.value]
    if isinstance(member.value, JsonArray):
        return [item for item in member.value.items if isinstance(item, JsonObject)]
    return []


def _string(statement: JsonObject, name: str) -> str | None:
    member = statement.get(name)
    if member and isinstance(member.value, JsonString):
        return member.value.value
    return None


def _strings(statement: JsonObject, name: str) -> list[str]:
    member = statement.get(name)
    if member is None:
        return []
    if isinstance(member.value, JsonString):
        return [member.value.value]
    if isinstance(member.value, JsonArray):
        return [i.value for i in member.value.items if isinstance(i, JsonString)]
    return []


def _names_everyone(statement: JsonObject) -> bool:
    member = statement.get("Principal")
    if member is None:
        return False
    if isinstance(member.value, JsonString):
        return member.value.value == "*"
    if isinstance(member.value, JsonObject):
        return _strings(member.value, "AWS") == ["*"] and len(member.value.members) == 1
    return False
