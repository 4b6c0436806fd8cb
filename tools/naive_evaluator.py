"""A small, independent key-policy evaluator: the benchmark's second baseline.

It reads policy JSON as plain dictionaries and scans every statement for every
request, the way a first implementation would. It shares no code with kmspolicy,
so agreement with the engine on the benchmark requests is an independent check.

Scope: one key policy, callers in the key's account named directly (IAM user,
root or service ARN, account ID, ``*``), Action and NotAction, Resource ``*`` or
key ARNs, and the condition operators StringEquals, StringNotEquals, StringLike,
StringNotLike, IpAddress, NotIpAddress and Bool. It does not implement IAM
delegation, cross-account rules, NotPrincipal, policy variables or grants.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass, field

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

_ACCOUNT_ID = re.compile(r"\d{12}")


@dataclass
class NaiveRequest:
    """A request with its condition keys already resolved by the caller.

    ``context`` maps condition-key names (any case) to a string value.
    """

    principal: str
    action: str
    resource: str
    context: dict[str, str] = field(default_factory=dict)


def decide(policy: dict, request: NaiveRequest) -> str:
    """Return ``Allow``, ``ExplicitDeny`` or ``ImplicitDeny`` for one request."""
    context = {name.lower(): value for name, value in request.context.items()}
    allowed = False
    for statement in _statements(policy):
        if not _applies(statement, request, context):
            continue
        if statement["Effect"] == "Deny":
            return EXPLICIT_DENY
        allowed = True

    return ALLOW if allowed else IMPLICIT_DENY


def _statements(policy: dict) -> list[dict]:
    statements = policy["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _applies(statement: dict, request: NaiveRequest, context: dict[str, str]) -> bool:
    if not _principal_named(statement.get("Principal"), request.principal):
        return False

    if not _action_matches(statement, request.action):
        return False

    resources = _as_list(statement.get("Resource", []))
    if not any(_glob(entry, request.resource, True) for entry in resources):
        return False

    for operator, clauses in statement.get("Condition", {}).items():
        for key, values in clauses.items():
            if not _condition_holds(
                operator, context.get(key.lower()), _as_list(values)
            ):
                return False
    return True


def _principal_named(principal, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False

    for value in _as_list(principal.get("AWS", [])):
        if value == "*" or value == caller:
            return True
        if _ACCOUNT_ID.fullmatch(value) and caller.endswith(f"::{value}:root"):
            return True

    services = [value.lower() for value in _as_list(principal.get("Service", []))]
    return caller.lower() in services


def _action_matches(statement: dict, action: str) -> bool:
    if "NotAction" in statement:
        entries = _as_list(statement["NotAction"])
        return not any(_glob(entry, action, False) for entry in entries)

    entries = _as_list(statement.get("Action", []))
    return any(_glob(entry, action, False) for entry in entries)


def _glob(pattern: str, value: str, case_sensitive: bool) -> bool:
    if not case_sensitive:
        pattern = pattern.lower()
        value = value.lower()
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def _condition_holds(operator: str, value: str | None, expected: list[str]) -> bool:
    """Evaluate one clause; an absent key fails positive operators only."""
    negated = "Not" in operator
    if value is None:
        return negated

    if operator in ("StringEquals", "StringNotEquals"):
        matched = value in expected
    elif operator in ("StringLike", "StringNotLike"):
        matched = any(_glob(pattern, value, True) for pattern in expected)
    elif operator in ("IpAddress", "NotIpAddress"):
        matched = _in_any_network(value, expected)
    elif operator == "Bool":
        matched = value.lower() in (item.lower() for item in expected)
    else:
        raise ValueError(
            f"operator {operator!r} is not supported by the naive evaluator"
        )

    return not matched if negated else matched


def _in_any_network(value: str, networks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(block, strict=False) for block in networks
    )
