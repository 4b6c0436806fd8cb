"""Index keys that tie principal entries, grantees and callers together.

A statement's principal entries and a caller each map to a few hashable keys. A
statement can name the caller only if they share a key, so an index over these
keys narrows the statements to check. The keys over-approximate: the reference
``match_principal`` still classifies every candidate.

Key forms (tuples, first item the kind):

* ``("*",)``: statements that may apply to any caller.
* ``("arn", value)``: an AWS entry compared as written with the caller's ARN.
* ``("account", id)``: a 12-digit ID or an ``arn:<partition>:iam::<id>:root`` entry.
* ``("role", head, name)``: a role ARN, where ``head`` is the text before
  ``:role/`` and ``name`` the last path element. A role session matches it
  whatever the role's path, as ``principal._same_role`` does.
* ``("service", name)``: a service principal, lower-cased.
"""

from __future__ import annotations

import re

from kmspolicy.evaluate.principal import Caller, CallerType
from kmspolicy.policy.model import PrincipalEntry

PrincipalKey = tuple[str, ...]

ANY_CALLER: PrincipalKey = ("*",)

_ACCOUNT_ID = re.compile(r"\d{12}")
_ROOT_ARN = re.compile(r"arn:[^:]+:iam::(\d{12}):root")


def role_key(arn: str) -> PrincipalKey | None:
    """Return the ``("role", head, name)`` key of a role ARN, or None."""
    if ":role/" not in arn:
        return None

    head, path = arn.split(":role/", 1)
    return ("role", head, path.rsplit("/", 1)[-1])


def aws_value_keys(value: str) -> list[PrincipalKey]:
    """Return every key under which an AWS principal value (or grantee) may match."""
    if _ACCOUNT_ID.fullmatch(value):
        return [("account", value)]

    keys: list[PrincipalKey] = [("arn", value)]
    root = _ROOT_ARN.fullmatch(value)
    if root is not None:
        keys.append(("account", root.group(1)))

    role = role_key(value)
    if role is not None:
        keys.append(role)
    return keys


def entry_keys(entry: PrincipalEntry) -> list[PrincipalKey]:
    """Return the keys of one Principal entry; Federated and CanonicalUser get none.

    ``match_entry`` never matches a KMS caller with those two types, so leaving
    them out of the index loses no statement.
    """
    if entry.type == "*":
        return [ANY_CALLER]

    if entry.type == "Service":
        return [("service", entry.value.lower())]

    if entry.type == "AWS":
        return aws_value_keys(entry.value)
    return []


def caller_keys(caller: Caller) -> tuple[PrincipalKey, ...]:
    """Return the keys a caller is looked up under, ``ANY_CALLER`` first."""
    if caller.type is CallerType.SERVICE:
        return (ANY_CALLER, ("service", caller.arn.lower()))

    keys: list[PrincipalKey] = [ANY_CALLER, ("arn", caller.arn)]
    if caller.account is not None:
        keys.append(("account", caller.account))

    if caller.role_arn is not None:
        keys.append(role_key(caller.role_arn))
    return tuple(key for key in keys if key is not None)
